// The catalog: performers, venues, events and their tickets (admin writes, public reads).
import type { Context, ServiceSchema } from "moleculer";
import type { Runtime } from "../platform/runtime.ts";
import { transaction } from "../platform/database.ts";
import { invariant, notFound, validationError } from "../domain/errors.ts";
import { newId } from "../domain/ids.ts";
import { countSeats, findDuplicateLabel, normalizeWaitingRoom, type SectionInput } from "../domain/event.ts";
import { eventCacheTtlMs, ticketsPerEventMax, ticketsPerUserDefault } from "../domain/limits.ts";
import { createJsonCache } from "../platform/cache.ts";
import { eventDetailsCacheKey } from "./event-cache.ts";
import { LiveSeatReader, shortHash } from "./live-seats.ts";
import {
  createEventSchema,
  createPerformerSchema,
  createVenueSchema,
  eventIdSchema,
  updateEventSchema,
} from "./schemas.ts";
import {
  findEvent,
  insertEvent,
  performerRecord,
  venueRecord,
  type EventRecord,
} from "./catalog.repository.ts";

/** Public view of an event, per the contract (plus a few extra fields). */
export function publicEvent(event: EventRecord) {
  return {
    id: event.id,
    name: event.name,
    description: event.description,
    type: event.type,
    startsAt: event.startsAt,
    onSaleAt: event.onSaleAt,
    venueId: event.venueId,
    performerIds: event.performerIds,
    waitingRoom: event.waitingRoom,
    ticketsPerUserMax: event.ticketsPerUserMax,
    ticketCount: event.ticketCount,
    sections: event.sections,
  };
}

interface EventDetails {
  event: ReturnType<typeof publicEvent>;
  venue: ReturnType<typeof venueRecord>;
  performers: ReturnType<typeof performerRecord>[];
}

function parseTime(field: string, value: string): Date {
  const date = new Date(value);
  // Date rolls impossible days over (2027-02-31 becomes March 3rd): check the calendar day too.
  const [year, month, day] = value.slice(0, 10).split("-").map(Number);
  const calendarDay = new Date(Date.UTC(year, month - 1, day));
  if (
    Number.isNaN(date.getTime()) ||
    calendarDay.getUTCFullYear() !== year ||
    calendarDay.getUTCMonth() !== month - 1 ||
    calendarDay.getUTCDate() !== day
  )
    throw validationError(field, `${field} is not a valid time`);
  return date;
}

/**
 * The answer is JSON text made here (a seat map is rendered as text, see live-seats.ts): the gateway
 * sends it as is, with an ETag naming its content instead of hashing megabytes per request.
 * Public reads may be held by a CDN for a second.
 */
function sendJsonText(ctx: Context<unknown, any>, etag: string): void {
  ctx.meta.$responseType = "application/json; charset=utf-8";
  ctx.meta.$responseHeaders = { "Cache-Control": "public, max-age=1", ETag: `W/"${etag}"` };
}

function created(ctx: Context<unknown, any>, location: string): void {
  ctx.meta.$statusCode = 201;
  ctx.meta.$location = location;
}

export function createCatalogService(runtime: Runtime): ServiceSchema {
  const { db, clock } = runtime;
  const liveSeats = new LiveSeatReader(db);
  const cache = createJsonCache(runtime.redis);

  /** Event, venue and performers: from the cache, else from Postgres (then cached). */
  async function eventDetails(eventId: string) {
    const cached = await cache.get<EventDetails>(eventDetailsCacheKey(eventId));
    if (cached) return cached;
    const event = await requireEvent(eventId);
    const [venue, performers] = await Promise.all([
      db.query("SELECT * FROM venues WHERE id = $1", [event.venueId]),
      db.query(
        `SELECT p.* FROM performers p JOIN event_performers ep ON ep.performer_id = p.id
         WHERE ep.event_id = $1 ORDER BY ep.position`,
        [event.id],
      ),
    ]);
    const details: EventDetails = {
      event: publicEvent(event),
      venue: venueRecord(venue.rows[0]),
      performers: performers.rows.map(performerRecord),
    };
    void cache.set(eventDetailsCacheKey(eventId), details, eventCacheTtlMs);
    return details;
  }

  async function requireEvent(eventId: string): Promise<EventRecord> {
    const event = await findEvent(db, eventId);
    if (!event) throw notFound("Event");
    return event;
  }

  return {
    name: "catalog",
    actions: {
      createPerformer: {
        openapi: { summary: "Create a performer", successStatus: 201 },
        params: createPerformerSchema,
        async handler(ctx: Context<{ name: string; genre?: string }, any>) {
          const id = newId("pf");
          const { rows } = await db.query(
            "INSERT INTO performers (id, name, genre) VALUES ($1, $2, $3) RETURNING *",
            [id, ctx.params.name, ctx.params.genre ?? null],
          );
          created(ctx, `/admin/performers/${id}`);
          return performerRecord(rows[0]);
        },
      },

      createVenue: {
        openapi: { summary: "Create a venue", successStatus: 201 },
        params: createVenueSchema,
        async handler(
          ctx: Context<{ name: string; city: string; country: string; lat?: number; lng?: number }, any>,
        ) {
          const { name, city, country, lat, lng } = ctx.params;
          if ((lat === undefined) !== (lng === undefined))
            throw validationError(lat === undefined ? "lat" : "lng", "lat and lng go together");
          const { rows } = await db.query(
            "INSERT INTO venues (id, name, city, country, lat, lng) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *",
            [newId("vn"), name, city, country, lat ?? null, lng ?? null],
          );
          created(ctx, `/admin/venues/${rows[0].id}`);
          return venueRecord(rows[0]);
        },
      },

      createEvent: {
        openapi: { summary: "Create an event; one ticket per seat of its sections", successStatus: 201 },
        params: createEventSchema,
        timeout: 120_000,
        async handler(ctx: Context<any, any>) {
          const params = ctx.params;
          const sections = params.sections as SectionInput[];
          const duplicate = findDuplicateLabel(sections);
          if (duplicate)
            throw validationError(duplicate, "Section names and row labels within a section must be unique");
          const ticketCount = countSeats(sections);
          if (ticketCount > ticketsPerEventMax) {
            throw validationError("sections", `An event has at most ${ticketsPerEventMax} tickets`);
          }
          const startsAt = parseTime("startsAt", params.startsAt);
          const onSaleAt = params.onSaleAt ? parseTime("onSaleAt", params.onSaleAt) : new Date(clock.now());
          if (onSaleAt.getTime() > startsAt.getTime())
            throw validationError("onSaleAt", "onSaleAt must not be after startsAt");
          const venue = await db.query("SELECT 1 FROM venues WHERE id = $1", [params.venueId]);
          if (venue.rowCount === 0) throw validationError("venueId", "Unknown venue");
          const performerIds: string[] = params.performerIds ?? [];
          if (performerIds.length > 0) {
            const found = await db.query("SELECT count(*)::int AS n FROM performers WHERE id = ANY($1)", [
              performerIds,
            ]);
            if (found.rows[0].n !== performerIds.length)
              throw validationError("performerIds", "Unknown performer");
          }
          const event = {
            id: newId("ev"),
            name: params.name,
            description: params.description ?? "",
            type: params.type,
            venueId: params.venueId,
            performerIds,
            startsAt: startsAt.toISOString(),
            onSaleAt: onSaleAt.toISOString(),
            waitingRoom: normalizeWaitingRoom(params.waitingRoom),
            ticketsPerUserMax: params.ticketsPerUserMax ?? ticketsPerUserDefault,
            ticketCount,
            sections,
          };
          await insertEvent(db, event);
          created(ctx, `/events/${event.id}`);
          return { event: publicEvent((await findEvent(db, event.id))!), ticketCount };
        },
      },

      updateEvent: {
        openapi: { summary: "Change name, description, type, times or waiting room of an event" },
        params: updateEventSchema,
        async handler(ctx: Context<any, any>) {
          const { eventId, ...changes } = ctx.params;
          // Read, check and write under the row lock: concurrent PATCHes each keep their fields, and a
          // PATCH racing a DELETE answers 404 instead of writing to (or reading back) a deleted event.
          const updated = await transaction(db, async (client) => {
            const current = await findEvent(client, eventId, { forUpdate: true });
            if (!current) throw notFound("Event");
            const startsAt = changes.startsAt
              ? parseTime("startsAt", changes.startsAt)
              : new Date(current.startsAt);
            const onSaleAt = changes.onSaleAt
              ? parseTime("onSaleAt", changes.onSaleAt)
              : new Date(current.onSaleAt);
            if (onSaleAt.getTime() > startsAt.getTime())
              throw validationError("onSaleAt", "onSaleAt must not be after startsAt");
            const waitingRoom = changes.waitingRoom
              ? normalizeWaitingRoom({ ...current.waitingRoom, ...changes.waitingRoom })
              : current.waitingRoom;
            await client.query(
              `UPDATE events SET name = $2, description = $3, type = $4, starts_at = $5, on_sale_at = $6, waiting_room = $7,
                 tickets_per_user_max = $8, updated_at = now(), version = version + 1
               WHERE id = $1`,
              [
                eventId,
                changes.name ?? current.name,
                changes.description ?? current.description,
                changes.type ?? current.type,
                startsAt,
                onSaleAt,
                JSON.stringify(waitingRoom),
                changes.ticketsPerUserMax ?? current.ticketsPerUserMax,
              ],
            );
            const after = await findEvent(client, eventId);
            invariant(after, `event ${eventId} vanished inside its own update`);
            return after;
          });
          await cache.delete([eventDetailsCacheKey(eventId)]);
          ctx.emit("catalog.eventChanged", { eventId, event: publicEvent(updated) });
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
          await cache.delete([eventDetailsCacheKey(ctx.params.eventId)]);
          ctx.emit("catalog.eventChanged", { eventId: ctx.params.eventId, event: null });
          return { id: ctx.params.eventId, deleted: true };
        },
      },

      /** The event record for other services (booking, waiting room): settings, sections, ticket count. */
      event: {
        params: eventIdSchema,
        visibility: "public",
        async handler(ctx: Context<{ eventId: string }>) {
          return requireEvent(ctx.params.eventId);
        },
      },

      getEvent: {
        openapi: { summary: "An event with venue, performers, live tickets and seat version" },
        params: eventIdSchema,
        async handler(ctx: Context<{ eventId: string }, any>) {
          // Details first (cached): the live seats are asked for known events only.
          const details = await eventDetails(ctx.params.eventId);
          const seats = await liveSeats.read(ctx, details.event.id);
          const detailsJson = JSON.stringify(details);
          sendJsonText(ctx, `${shortHash(detailsJson)}.${seats.version}.${seats.statusHash}`);
          return `${detailsJson.slice(0, -1)},"tickets":${seats.ticketsJson},"version":${seats.version}}`;
        },
      },

      getTickets: {
        openapi: { summary: "The live seat map of an event and its version" },
        params: eventIdSchema,
        async handler(ctx: Context<{ eventId: string }, any>) {
          await requireEvent(ctx.params.eventId);
          const seats = await liveSeats.read(ctx, ctx.params.eventId);
          sendJsonText(ctx, `${seats.version}.${seats.statusHash}`);
          return `{"eventId":${JSON.stringify(ctx.params.eventId)},"version":${seats.version},"tickets":${seats.ticketsJson}}`;
        },
      },

      /** Only the committed seat version (what the real-time gateways continue deltas from). */
      seatVersion: {
        params: eventIdSchema,
        visibility: "public",
        async handler(ctx: Context<{ eventId: string }>) {
          const { rows } = await db.query(
            `SELECT a.seat_version FROM events e LEFT JOIN event_actors a ON a.event_id = e.id
             WHERE e.id = $1 AND e.status = 'active'`,
            [ctx.params.eventId],
          );
          if (rows.length === 0) throw notFound("Event");
          return { eventId: ctx.params.eventId, version: rows[0].seat_version ?? 0 };
        },
      },
    },
  };
}
