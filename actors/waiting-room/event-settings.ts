// Event settings (waiting room, sale times) looked up cheaply: `catalog.event` results are kept in
// memory for a short time, in a bounded map, and concurrent misses share one call. Unknown events are
// cached too (as null), so a flood of requests for a made-up id costs one lookup per period.
// Freshness uses the process's monotonic time, not the domain clock: it is about load, not business rules.
import { performance } from "node:perf_hooks";
import { hasErrorCode } from "../../domain/errors.ts";
import { normalizeWaitingRoom, type WaitingRoomSettings } from "../../domain/event.ts";
import { eventSettingsCacheMax, eventSettingsCacheTtlMs } from "../../domain/limits.ts";

export interface EventSettings {
  eventId: string;
  onSaleAtMs: number;
  startsAtMs: number;
  waitingRoom: WaitingRoomSettings;
}

/** Fetches one event: null when it does not exist (or was deleted). */
export type EventFetcher = (eventId: string) => Promise<EventSettings | null>;

export interface EventSettingsCache {
  get(eventId: string): Promise<EventSettings | null>;
  forget(eventId: string): void;
  readonly size: number;
}

/** Turns a `catalog.event` record into the settings the waiting room uses. */
export function toEventSettings(record: {
  id: string;
  onSaleAt: string;
  /** When the line starts admitting: onSaleAt, or the first presale's start if earlier. */
  admitsFrom?: string;
  startsAt: string;
  waitingRoom: Partial<WaitingRoomSettings> | null;
}): EventSettings {
  return {
    eventId: record.id,
    // The line's "on sale": presale holds need an admission too, so it admits from the first presale.
    onSaleAtMs: Date.parse(record.admitsFrom ?? record.onSaleAt),
    startsAtMs: Date.parse(record.startsAt),
    waitingRoom: normalizeWaitingRoom(record.waitingRoom),
  };
}

/** A fetcher over Moleculer: `catalog.event` answers NOT_FOUND for unknown or deleted events. */
export function catalogEventFetcher(
  call: (action: string, params: unknown) => Promise<unknown>,
): EventFetcher {
  return async (eventId) => {
    try {
      return toEventSettings((await call("catalog.event", { eventId })) as any);
    } catch (error) {
      // NOT_FOUND from the catalog; an id the catalog's schema refuses is a Moleculer validation error.
      const validatorRefused = (error as { type?: unknown }).type === "VALIDATION_ERROR";
      if (hasErrorCode(error, "NOT_FOUND") || validatorRefused) return null;
      throw error;
    }
  };
}

export function createEventSettingsCache(
  fetch: EventFetcher,
  options: { ttlMs?: number; max?: number; now?: () => number } = {},
): EventSettingsCache {
  const ttlMs = options.ttlMs ?? eventSettingsCacheTtlMs;
  const max = options.max ?? eventSettingsCacheMax;
  const now = options.now ?? (() => performance.now());
  const entries = new Map<string, { value: EventSettings | null; fetchedAt: number }>();
  const inFlight = new Map<string, Promise<EventSettings | null>>();

  return {
    async get(eventId) {
      const entry = entries.get(eventId);
      if (entry && now() - entry.fetchedAt < ttlMs) return entry.value;
      const pending = inFlight.get(eventId);
      if (pending) return pending;
      const lookup = fetch(eventId)
        .then((value) => {
          entries.delete(eventId); // re-inserted last: the map's order is the eviction order
          if (entries.size >= max) entries.delete(entries.keys().next().value as string);
          entries.set(eventId, { value, fetchedAt: now() });
          return value;
        })
        .finally(() => inFlight.delete(eventId));
      inFlight.set(eventId, lookup);
      return lookup;
    },
    forget(eventId) {
      entries.delete(eventId);
    },
    get size() {
      return entries.size;
    },
  };
}
