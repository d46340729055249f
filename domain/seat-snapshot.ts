// One event's seat statuses as a reader follows them, without asking the actor again: a snapshot of
// the actor's committed statuses (one byte per ordinal) at a version, moved on by the committed
// deltas the actor publishes (`booking.seatsChanged`, continuous versions). A delta that does not
// continue the version held (versions missing before it) or does not fit the map is not applied:
// the reader then fetches a new snapshot.
import type { SeatsChanged } from "./messages.ts";
import { parseTicketId } from "./ids.ts";
import { publicStatusCodes } from "./seat-layout.ts";

export type DeltaOutcome =
  /** The statuses are now at the delta's toVersion. */
  | "applied"
  /** Already covered by the version held (a duplicate, or older than a fetched snapshot): ignored. */
  | "old"
  /** Versions are missing before it: fetch a snapshot. */
  | "gap"
  /** Malformed, another event's, or a ticket outside the map: nothing applied; fetch a snapshot. */
  | "invalid";

const isVersion = (value: unknown): value is number =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= 0;

export class FollowedSeats {
  constructor(
    readonly eventId: string,
    private currentVersion: number,
    /** Mutated as deltas apply: copy it to keep a snapshot. */
    readonly statuses: Uint8Array,
  ) {}

  get version(): number {
    return this.currentVersion;
  }

  /** Applies a delta that continues (or overlaps) the version held; all of it or nothing. */
  apply(delta: SeatsChanged): DeltaOutcome {
    if (delta?.eventId !== this.eventId || !isVersion(delta.fromVersion) || !isVersion(delta.toVersion))
      return "invalid";
    if (delta.toVersion <= delta.fromVersion || !Array.isArray(delta.changes)) return "invalid";
    if (delta.toVersion <= this.currentVersion) return "old";
    if (delta.fromVersion > this.currentVersion) return "gap";
    const ordinals = new Array<number>(delta.changes.length);
    const codes = new Array<number>(delta.changes.length);
    for (let index = 0; index < delta.changes.length; index++) {
      const change = delta.changes[index];
      const ticket = typeof change?.ticketId === "string" ? parseTicketId(change.ticketId) : null;
      const code = publicStatusCodes.indexOf(change?.status);
      if (!ticket || ticket.eventId !== this.eventId || ticket.ordinal >= this.statuses.length || code < 0)
        return "invalid";
      ordinals[index] = ticket.ordinal;
      codes[index] = code;
    }
    // An overlapping delta (fromVersion below the version held) carries the last status of every
    // ticket it changed, so applying it again gives the state at its toVersion.
    for (let index = 0; index < ordinals.length; index++) this.statuses[ordinals[index]] = codes[index];
    this.currentVersion = delta.toVersion;
    return "applied";
  }
}
