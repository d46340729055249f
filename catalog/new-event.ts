// A new event from the admin's request: its sections, times, venue and performers checked (in that
// order, so the first problem found is the one answered), then the record to insert.
import type { Clock } from "../domain/clock.ts";
import type { Database } from "../platform/database.ts";
import { validationError } from "../domain/errors.ts";
import { newId } from "../domain/ids.ts";
import { countSeats, findDuplicateLabel, normalizeWaitingRoom, type SectionInput } from "../domain/event.ts";
import { ticketsPerEventMax, ticketsPerUserDefault } from "../domain/limits.ts";
import type { NewEvent } from "./catalog.repository.ts";
import { checkOnSaleBeforeStart, parseTime } from "./event-times.ts";
import { checkCurrency, currencyOfCountry } from "./money-and-zones.ts";

function checkSections(sections: SectionInput[]): number {
  const duplicate = findDuplicateLabel(sections);
  if (duplicate)
    throw validationError(duplicate, "Section names and row labels within a section must be unique");
  const ticketCount = countSeats(sections);
  if (ticketCount > ticketsPerEventMax) {
    throw validationError("sections", `An event has at most ${ticketsPerEventMax} tickets`);
  }
  return ticketCount;
}

/** Checks the venue and performers exist; the venue's country (for the default currency). */
async function checkVenueAndPerformers(db: Database, venueId: string, performerIds: string[]) {
  const venue = await db.query("SELECT country FROM venues WHERE id = $1", [venueId]);
  if (venue.rowCount === 0) throw validationError("venueId", "Unknown venue");
  if (performerIds.length > 0) {
    const found = await db.query("SELECT count(*)::int AS n FROM performers WHERE id = ANY($1)", [
      performerIds,
    ]);
    if (found.rows[0].n !== performerIds.length) throw validationError("performerIds", "Unknown performer");
  }
  return { country: venue.rows[0].country as string };
}

/** `params` as validated by createEventSchema. */
export async function newEventFromRequest(db: Database, clock: Clock, params: any): Promise<NewEvent> {
  const sections = params.sections as SectionInput[];
  const ticketCount = checkSections(sections);
  const startsAt = parseTime("startsAt", params.startsAt);
  const onSaleAt = params.onSaleAt ? parseTime("onSaleAt", params.onSaleAt) : new Date(clock.now());
  checkOnSaleBeforeStart(onSaleAt, startsAt);
  if (params.currency !== undefined) checkCurrency("currency", params.currency);
  const performerIds: string[] = params.performerIds ?? [];
  const venue = await checkVenueAndPerformers(db, params.venueId, performerIds);
  return {
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
    currency: params.currency ?? currencyOfCountry(venue.country),
    stage: params.stage ? { label: params.stage.label } : null,
    sections,
  };
}
