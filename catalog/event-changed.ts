// After an admin change to an event: its cached details are dropped, then `catalog.eventChanged`
// gives the services that keep event settings (booking, waiting room) the new public view, or null
// once the event is deleted.
import type { Context } from "moleculer";
import type { JsonCache } from "../platform/cache.ts";
import { eventChangedEvent } from "../domain/messages.ts";
import { eventDetailsCacheKey } from "./event-cache.ts";
import type { publicEvent } from "./public-event.ts";

export async function announceEventChange(
  ctx: Context<unknown, any>,
  cache: JsonCache,
  eventId: string,
  event: ReturnType<typeof publicEvent> | null,
): Promise<void> {
  await cache.delete([eventDetailsCacheKey(eventId)]);
  ctx.emit(eventChangedEvent, { eventId, event });
}
