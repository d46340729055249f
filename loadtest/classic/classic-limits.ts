// Limits of the classic baseline engine (classic-engine.ts), kept apart from the product's.

/** How often lapsed holds are swept (they already count as free to every reader before that). */
export const classicHoldSweepIntervalMs = 1_000;
/** Seats freed per event per sweep transaction (one delta; also bounds the transaction's locks). */
export const classicHoldSweepBatchMax = 200;
/** Events looked at per sweep pass. */
export const classicHoldSweepEventsMax = 100;
