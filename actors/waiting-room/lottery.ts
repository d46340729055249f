// The lottery of early joiners: before the sale opens, each joiner draws a uniformly random place.
// Draws come from a pool of cryptographic randomness refilled 4,096 draws at a time: one randomBytes
// call per join cost more than the rest of the join (measured).
import { randomFillSync } from "node:crypto";

const drawBytes = 6;
const randomPool = Buffer.alloc(drawBytes * 4_096);
let randomOffset = randomPool.length;

/** A uniformly random score in [0, 1) with 48 bits: the lottery ticket of an early joiner. */
export function lotteryScore(): string {
  if (randomOffset + drawBytes > randomPool.length) {
    randomFillSync(randomPool);
    randomOffset = 0;
  }
  const value = randomPool.readUIntBE(randomOffset, drawBytes);
  randomOffset += drawBytes;
  return String(value / 2 ** 48);
}
