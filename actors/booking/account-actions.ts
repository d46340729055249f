// The caller's bookings and payments, read from Postgres (whatever engine runs the seats).
import type { Context, ServiceSchema } from "moleculer";
import type { Runtime } from "../../platform/runtime.ts";
import { notFound } from "../../domain/errors.ts";
import { requireUser, type GatewayMeta } from "../../domain/request.ts";
import { findUserBooking, findUserPayment, listUserBookings } from "../payments/payments.repository.ts";
import { withTickets } from "../tickets/booking-tickets.ts";
import type { TicketKeyStore } from "../tickets/ticket-keys.ts";

const paymentView = (payment: {
  id: string;
  status: string;
  amountCents: number;
  eventId: string;
  bookingId: string | null;
}) => ({
  id: payment.id,
  status: payment.status,
  amountCents: payment.amountCents,
  eventId: payment.eventId,
  bookingId: payment.bookingId,
});

/** The caller's bookings; a confirmed one with its e-tickets (seat and signed code each). */
export function accountActions(db: Runtime["db"], keys: TicketKeyStore): ServiceSchema["actions"] {
  return {
    listBookings: {
      params: { $$strict: true },
      async handler(ctx: Context<unknown, GatewayMeta>) {
        const user = requireUser(ctx.meta);
        return { bookings: await withTickets(db, keys, await listUserBookings(db, user.id)) };
      },
    },

    getBooking: {
      params: { bookingId: { type: "string", min: 1, max: 200 }, $$strict: true },
      async handler(ctx: Context<{ bookingId: string }, GatewayMeta>) {
        const user = requireUser(ctx.meta);
        const booking = await findUserBooking(db, user.id, ctx.params.bookingId);
        if (!booking) throw notFound("Booking"); // also another user's: no existence leak
        return (await withTickets(db, keys, [booking]))[0];
      },
    },

    getPayment: {
      params: { paymentId: { type: "string", min: 1, max: 200 }, $$strict: true },
      async handler(ctx: Context<{ paymentId: string }, GatewayMeta>) {
        const user = requireUser(ctx.meta);
        const payment = await findUserPayment(db, user.id, ctx.params.paymentId);
        if (!payment) throw notFound("Payment");
        return paymentView(payment);
      },
    },
  };
}
