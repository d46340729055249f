// Admin actions on events: create (with all its tickets), change, delete.
import type { Context, ServiceSchema } from "moleculer";
import type { Runtime } from "../platform/runtime.ts";
import type { JsonCache } from "../platform/cache.ts";
import { notFound } from "../domain/errors.ts";
import { findEvent, insertEvent } from "./catalog.repository.ts";
import { announceEventChange } from "./event-changed.ts";
import { updateEvent } from "./event-update.ts";
import { newEventFromRequest } from "./new-event.ts";
import { publicEvent } from "./public-event.ts";
import { created } from "./reply-meta.ts";
import { createEventSchema, eventIdSchema, updateEventSchema } from "./schemas.ts";

export function eventAdminActions(runtime: Runtime, cache: JsonCache): ServiceSchema["actions"] {
  const { db, clock } = runtime;
  return {
    createEvent: {
      openapi: { summary: "Create an event; one ticket per seat of its sections" },
      params: createEventSchema,
      timeout: 120_000,
      async handler(ctx: Context<any, any>) {
        const event = await newEventFromRequest(db, clock, ctx.params);
        await insertEvent(db, event);
        created(ctx, `/events/${event.id}`);
        return { event: publicEvent((await findEvent(db, event.id))!), ticketCount: event.ticketCount };
      },
    },

    updateEvent: {
      openapi: {
        summary: "Change name, description, type, times, waiting room or currency of an event",
        description:
          "`currency` changes only before the event's `onSaleAt` and while none of its seats was ever " +
          "held or booked (409 CURRENCY_LOCKED otherwise); setting the currency it has is a no-op.",
      },
      params: updateEventSchema,
      async handler(ctx: Context<any, any>) {
        const { eventId, ...changes } = ctx.params;
        const updated = await updateEvent(db, eventId, changes, clock.now());
        await announceEventChange(ctx, cache, eventId, publicEvent(updated));
        return publicEvent(updated);
      },
    },

    deleteEvent: {
      openapi: { summary: "Delete an event (it answers 404 afterwards)" },
      params: eventIdSchema,
      async handler(ctx: Context<{ eventId: string }, any>) {
        const result = await db.query(
          "UPDATE events SET status = 'deleted', updated_at = now(), version = version + 1 WHERE id = $1 AND status = 'active'",
          [ctx.params.eventId],
        );
        if (result.rowCount === 0) throw notFound("Event");
        await announceEventChange(ctx, cache, ctx.params.eventId, null);
        return { id: ctx.params.eventId, deleted: true };
      },
    },
  };
}
