// `booking.reserve` and `booking.release`: a user's holds, taken and given back.
import type { Context, ServiceSchema } from "moleculer";
import { requireUser, type User } from "../../domain/request.ts";
import { createAdmissionGuard, type AdmissionGuard } from "../waiting-room/admission-guard.ts";
import { bestAvailableSchema, internalBulkhead, ticketSelectionSchema } from "./action-schemas.ts";
import { findPresaleGrant } from "./presale-code.ts";
import type { BookingContext } from "./booking-context.ts";
import { reserveCommand, selectTickets, type ReserveParams } from "./ticket-selection.ts";

export function holdActions(booking: BookingContext): ServiceSchema["actions"] {
  const { config, clock } = booking.runtime;
  let admission: AdmissionGuard | null = null;
  return {
    reserve: {
      params: { ...ticketSelectionSchema, ...bestAvailableSchema, $$strict: true },
      bulkhead: internalBulkhead,
      openapi: {
        summary:
          "Hold tickets: by id ({ticketId} or {ticketIds}), or best available ({eventId, quantity, " +
          "section?, maxPriceCents?, adjacent?}: the engine picks the N best seats that fit)",
      },
      async handler(
        this: any,
        ctx: Context<ReserveParams, { user?: User; admissionToken?: string; presaleCode?: string }>,
      ) {
        const user = requireUser(ctx.meta);
        const { eventId, command } = reserveCommand(ctx.params, user.id, booking.engine.bestAvailable);
        // Waiting-room events: 403 ADMISSION_REQUIRED without the caller's own valid token (no Redis);
        // by ticket ids and best available alike. The actor then checks that the admission is still
        // active (not spent, within maxActiveShoppers): domain/seat-state/admission.ts.
        admission ??= createAdmissionGuard(
          (action, params) => this.broker.call(action, params),
          config,
          clock,
        );
        const admitted = await admission.requireAdmission(eventId, user.id, ctx.meta.admissionToken);
        if (admitted && (command.type === "reserve" || command.type === "reserveBest"))
          command.admission = { expiresAtMs: admitted.expiresAtMs };
        // X-Presale-Code: the code's presale, for the actor to decide on (presale-code.ts).
        if (
          ctx.meta.presaleCode !== undefined &&
          (command.type === "reserve" || command.type === "reserveBest")
        )
          command.presale = await findPresaleGrant(booking.runtime.db, eventId, ctx.meta.presaleCode);
        return booking.run(ctx, eventId, command);
      },
    },

    /** Drops the caller's holds (their confirming seats stay: they are being paid for). */
    release: {
      params: { ...ticketSelectionSchema, $$strict: true },
      bulkhead: internalBulkhead,
      async handler(ctx: Context<{ ticketId?: string; ticketIds?: string[] }, { user?: User }>) {
        const user = requireUser(ctx.meta);
        const { eventId, ordinals } = selectTickets(ctx.params);
        return booking.run(ctx, eventId, { type: "release", userId: user.id, ordinals });
      },
    },
  };
}
