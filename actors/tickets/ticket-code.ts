// The e-ticket code: what a QR code carries and a scanner reads. `<payload>.<signature>`, both
// base64url without padding: the payload is the text `1|<eventId>|<ordinal>|<bookingId>` (format
// version, the event, the seat, the booking) and the signature is Ed25519 over the payload's bytes
// with the event's private key. Anyone holding the event's public key tells a real code from a
// forged or altered one offline; only the server, which holds the private key, can make one.
import { sign, verify, type KeyObject } from "node:crypto";
import { idPattern } from "../../domain/ids.ts";
import { ticketCodeLengthMax } from "../../domain/limits.ts";

export const ticketCodeVersion = 1;

export interface TicketClaim {
  eventId: string;
  ordinal: number;
  bookingId: string;
}

const payloadPattern = /^1\|([A-Za-z0-9_.-]{1,100})\|(0|[1-9][0-9]{0,6})\|([A-Za-z0-9_.-]{1,100})$/;
/** An Ed25519 signature is 64 bytes: 86 base64url characters. */
const codePattern = /^([A-Za-z0-9_-]{1,300})\.([A-Za-z0-9_-]{86})$/;

const payloadText = (claim: TicketClaim) =>
  `${ticketCodeVersion}|${claim.eventId}|${claim.ordinal}|${claim.bookingId}`;

/** The signed code of one ticket of a booking. */
export function signTicketCode(claim: TicketClaim, privateKey: KeyObject): string {
  if (!idPattern.test(claim.eventId) || !idPattern.test(claim.bookingId))
    throw new Error("ticket code: ids outside the id pattern cannot be signed");
  const payload = Buffer.from(payloadText(claim), "utf8");
  return `${payload.toString("base64url")}.${sign(null, payload, privateKey).toString("base64url")}`;
}

/** Base64url that decodes to bytes re-encoding to the same text: one spelling per code. */
function canonicalBytes(text: string): Buffer | null {
  const bytes = Buffer.from(text, "base64url");
  return bytes.toString("base64url") === text ? bytes : null;
}

/**
 * What a code claims, read without checking its signature (the scanner needs the event id to pick
 * the key); null when it is not a well-formed code of this version.
 */
export function readTicketCode(
  code: string,
): { claim: TicketClaim; payload: Buffer; signature: Buffer } | null {
  if (code.length > ticketCodeLengthMax) return null;
  const parts = codePattern.exec(code);
  if (!parts) return null;
  const payload = canonicalBytes(parts[1]);
  const signature = canonicalBytes(parts[2]);
  if (!payload || !signature || signature.length !== 64) return null;
  const fields = payloadPattern.exec(payload.toString("utf8"));
  if (!fields || Buffer.from(fields[0], "utf8").compare(payload) !== 0) return null;
  return {
    claim: { eventId: fields[1], ordinal: Number(fields[2]), bookingId: fields[3] },
    payload,
    signature,
  };
}

/** The claim of a code signed by the holder of `publicKey`'s private key; null for anything else. */
export function verifyTicketCode(
  read: { claim: TicketClaim; payload: Buffer; signature: Buffer },
  publicKey: KeyObject,
): TicketClaim | null {
  return verify(null, read.payload, publicKey, read.signature) ? read.claim : null;
}
