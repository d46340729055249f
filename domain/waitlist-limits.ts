// Limits of the waiting list and of cancellations (issues 18 and 19), beside domain/limits.ts.

/** Open entries (waiting or offered) an event's actor keeps; a join beyond is 503 OVERLOADED. */
export const waitlistEntriesPerEventMax = 50_000;
/** The reason an organiser gives for a cancellation, in characters. */
export const cancelReasonLengthMax = 500;
/** Cancelled bookings whose refund recovery finishes per pass. */
export const cancelRefundsPerPassMax = 100;
