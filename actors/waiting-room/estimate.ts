// Pure arithmetic of the waiting room: token-bucket burst and the wait estimate.
import type { WaitingRoomSettings } from "../../domain/event.ts";

/** Admissions the bucket may release at once: one second's worth of the rate, at least one. */
export const admissionBurst = (settings: Pick<WaitingRoomSettings, "admitPerMinute">): number =>
  Math.max(1, Math.ceil(settings.admitPerMinute / 60));

/**
 * The admission rate (per second) the ETA uses: the rate measured over the sliding window, but never
 * below what the settings guarantee while people wait - every admitted shopper frees their place
 * within tokenTtlSeconds, so at least maxActiveShoppers per token lifetime get in (and never more than
 * admitPerMinute allows).
 */
export function effectiveAdmissionRate(
  measuredPerSecond: number,
  settings: Pick<WaitingRoomSettings, "admitPerMinute" | "maxActiveShoppers" | "tokenTtlSeconds">,
): number {
  const ceiling = settings.admitPerMinute / 60;
  const floor = Math.min(ceiling, settings.maxActiveShoppers / settings.tokenTtlSeconds);
  const measured = Number.isFinite(measuredPerSecond) && measuredPerSecond > 0 ? measuredPerSecond : 0;
  return Math.min(ceiling, Math.max(floor, measured));
}

/** Seconds until the person at `position` (1 = next) is let in. */
export function estimateWaitSeconds(
  position: number,
  measuredPerSecond: number,
  settings: Pick<WaitingRoomSettings, "admitPerMinute" | "maxActiveShoppers" | "tokenTtlSeconds">,
): number {
  if (!(position >= 1)) throw new Error(`position must be >= 1, got ${position}`);
  return Math.ceil(position / effectiveAdmissionRate(measuredPerSecond, settings));
}
