// `booking.cancelBooking` (POST /admin/bookings/:bookingId/cancel, admin): the organiser cancels a
// booking. Idempotency-Key is required like on confirm; a cancellation is idempotent by itself (a
// second one, with any key, answers the same cancelled booking and refunds nothing more).
import type { Context, ServiceSchema } from "moleculer";
import { cancelReasonLengthMax } from "../../domain/waitlist-limits.ts";
import type { GatewayMeta } from "../../domain/request.ts";
import { eventScopedIdPattern } from "../../domain/ids.ts";
import { internalBulkhead } from "../booking/action-schemas.ts";
import type { BookingContext } from "../booking/booking-context.ts";
import { requireIdempotencyKey } from "../booking/confirm-action.ts";
import { cancelBooking } from "../payments/cancellation.ts";

export function cancelAction(booking: BookingContext): ServiceSchema["actions"] {
  return {
    cancelBooking: {
      params: {
        bookingId: { type: "string", pattern: eventScopedIdPattern },
        reason: { type: "string", min: 1, max: cancelReasonLengthMax },
        $$strict: true,
      },
      bulkhead: internalBulkhead,
      openapi: {
        summary:
          "Cancel a booking: refunded through the payment provider, its seats back to sale (or to the waiting list)",
      },
      async handler(this: any, ctx: Context<{ bookingId: string; reason: string }, GatewayMeta>) {
        requireIdempotencyKey(ctx.meta.idempotencyKey);
        const saga = booking.saga(ctx, this.logger);
        return { booking: await cancelBooking(saga, ctx.params.bookingId, ctx.params.reason) };
      },
    },
  };
}
