// Limits of presale codes (issue 18; domain/presale-codes.ts, domain/seat-state/presale.ts), re-exported
// by domain/limits.ts.
/** Codes one presale may be created with (each shown once in the 201). */
export const presaleCodeCountMax = 1_000;
/** Bookings one code may make. */
export const presaleUsesPerCodeMax = 100;
/** Presales of one event. */
export const presalesPerEventMax = 20;
/**
 * Holds one code may have live at once, per use it has left: enough for two fans racing on a code's
 * last use (both hold, one books), never enough for a leaked one-use code to hold 50 seats in 50 holds.
 */
export const presaleHoldsPerUseMax = 2;
/** Length of a generated code; a header value longer than `presaleCodeLengthMax` is not a code. */
export const presaleCodeLength = 14;
export const presaleCodeLengthMax = 64;
/** Presale codes a booking node remembers once found (a presale never changes; least recent dropped). */
export const presaleGrantsCachedMax = 10_000;
