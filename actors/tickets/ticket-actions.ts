// The e-ticket actions of the booking service: a ticket's QR code for its owner, the check-in at
// the door (admin or scanner), and an event's public key for scanners that verify offline.
import type { Context, ServiceSchema } from "moleculer";
import QRCode from "qrcode";
import type { Database } from "../../platform/database.ts";
import { forbidden, MarqueeError, notFound } from "../../domain/errors.ts";
import { parseTicketId } from "../../domain/ids.ts";
import { ticketCodeLengthMax } from "../../domain/limits.ts";
import { requireUser, type GatewayMeta } from "../../domain/request.ts";
import { findUserBooking } from "../payments/payments.repository.ts";
import { eventIdSchema } from "../booking/action-schemas.ts";
import { checkIn } from "./checkin.ts";
import type { CheckinOutcome } from "./metrics.ts";
import { readTicketCode, signTicketCode, verifyTicketCode, type TicketClaim } from "./ticket-code.ts";
import type { TicketKeyStore } from "./ticket-keys.ts";

const scanningRoles = new Set(["admin", "scanner"]);
const idSchema = { type: "string", min: 1, max: 200 };

const outcomeOf: Record<string, CheckinOutcome> = {
  ALREADY_CHECKED_IN: "already_checked_in",
  INVALID_TICKET_CODE: "invalid_code",
  TICKET_CANCELLED: "cancelled",
};

/** What a code claims when its event's key verifies it; INVALID_TICKET_CODE otherwise. */
async function verifiedClaim(keys: TicketKeyStore, code: string): Promise<TicketClaim> {
  const read = readTicketCode(code);
  const publicKey = read ? await keys.publicKeyOf(read.claim.eventId) : null;
  const claim = read && publicKey ? verifyTicketCode(read, publicKey) : null;
  if (!claim) throw new MarqueeError("INVALID_TICKET_CODE", "Not a ticket code signed for its event");
  return claim;
}

/** The signed code of a seat of the user's confirmed booking; NOT_FOUND for anything else. */
async function ownTicketCode(
  db: Database,
  keys: TicketKeyStore,
  userId: string,
  params: { bookingId: string; ticketId: string },
): Promise<string> {
  const booking = await findUserBooking(db, userId, params.bookingId);
  const parsed = parseTicketId(params.ticketId);
  // Another user's booking, a cancelled one or a seat outside it: not found, no existence leak.
  if (!booking || booking.status !== "confirmed" || !booking.ticketIds.includes(params.ticketId) || !parsed)
    throw notFound("Ticket");
  const { privateKeyObject } = await keys.keysOf(booking.eventId);
  return signTicketCode(
    { eventId: booking.eventId, ordinal: parsed.ordinal, bookingId: booking.id },
    privateKeyObject,
  );
}

/** `countCheckin` is told each scan's outcome (the service's metrics). */
export function ticketActions(
  db: Database,
  keys: TicketKeyStore,
  countCheckin: (outcome: CheckinOutcome) => void = () => {},
): ServiceSchema["actions"] {
  return {
    ticketQr: {
      openapi: {
        summary: "One ticket of the caller's confirmed booking as a QR code (SVG) of its signed code",
      },
      params: { bookingId: idSchema, ticketId: idSchema, $$strict: true },
      async handler(
        ctx: Context<{ bookingId: string; ticketId: string }, GatewayMeta & Record<string, any>>,
      ) {
        const code = await ownTicketCode(db, keys, requireUser(ctx.meta).id, ctx.params);
        ctx.meta.$responseType = "image/svg+xml";
        ctx.meta.$responseHeaders = { "Cache-Control": "private, no-store" };
        return QRCode.toString(code, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
      },
    },

    checkin: {
      openapi: { summary: "Check a ticket in at the door by its code (admin or scanner)" },
      params: { code: { type: "string", min: 1, max: ticketCodeLengthMax }, $$strict: true },
      async handler(ctx: Context<{ code: string }, GatewayMeta>) {
        const user = requireUser(ctx.meta);
        if (!scanningRoles.has(user.role)) throw forbidden("Admin or scanner role required");
        try {
          const answer = await checkIn(db, await verifiedClaim(keys, ctx.params.code), user.id);
          countCheckin("checked_in");
          return answer;
        } catch (error) {
          const outcome = outcomeOf[(error as { code?: string }).code ?? ""];
          if (outcome) countCheckin(outcome);
          throw error;
        }
      },
    },

    ticketKey: {
      openapi: {
        summary: "An event's public key for verifying ticket codes offline (admin or scanner)",
      },
      params: { eventId: eventIdSchema, $$strict: true },
      async handler(ctx: Context<{ eventId: string }, GatewayMeta>) {
        const user = requireUser(ctx.meta);
        if (!scanningRoles.has(user.role)) throw forbidden("Admin or scanner role required");
        const { publicKey } = await keys.keysOf(ctx.params.eventId);
        return {
          eventId: ctx.params.eventId,
          algorithm: "Ed25519",
          publicKey,
          jwk: { kty: "OKP", crv: "Ed25519", x: publicKey },
          codeVersion: 1,
        };
      },
    },
  };
}
