// Limits of e-tickets, check-in and organiser reads (issue 19), re-exported by domain/limits.ts.
/** Admin lists (venues, performers, an event's bookings): `limit` defaults to this... */
export const adminPageDefault = 50;
/** ...and is at most this. */
export const adminPageMax = 200;
/** An opaque page cursor longer than this is refused before decoding. */
export const pageCursorLengthMax = 200;
/** A ticket code (POST /admin/checkin) longer than this is refused as not a code. */
export const ticketCodeLengthMax = 400;
/** Events whose ticket keys a node keeps unsealed in memory (least recently used evicted first). */
export const ticketKeysCachedMax = 1_000;
/** A booking shows at most this many tickets with codes (the per-user cap is at most 100). */
export const ticketsPerBookingMax = 100;
