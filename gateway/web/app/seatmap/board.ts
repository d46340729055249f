// The client's copy of an event's seat state: one status byte per ticket and the seat-state version,
// kept current by the contract's `seats` deltas (the typed client's version rules and frame types).
// Pure (no DOM), so it is unit-tested under Node.
import {
  compactStatusCodes,
  seatStatuses,
  type DeltaOutcome,
  type SeatBoardState,
  type SeatChange,
  type SeatStatus,
  type SeatsFrame,
} from "../../../../client/src/index.ts";

export { seatStatuses, type DeltaOutcome, type SeatChange, type SeatStatus };
/** A `seats` frame. */
export type SeatDelta = SeatsFrame;

export interface TicketView {
  id: string;
  section: string;
  row: string;
  seat: number;
  priceCents: number;
  status: SeatStatus;
}

export interface SeatSnapshot {
  version: number;
  tickets: TicketView[];
}

/** A snapshot in the compact form (`GET /events/:id/tickets?format=compact`): one character a ticket. */
export interface CompactSnapshot {
  version: number;
  statuses: string;
}

const statusCode: Record<SeatStatus, number> = { available: 0, reserved: 1, booked: 2 };

export class SeatBoard implements SeatBoardState<SeatSnapshot | CompactSnapshot, SeatDelta> {
  readonly tickets: readonly TicketView[];
  readonly indexById: ReadonlyMap<string, number>;
  /** Current status code of each ticket, by its index in `tickets`. */
  readonly status: Uint8Array;
  /** Tickets per status code. */
  readonly counts: [number, number, number] = [0, 0, 0];
  version: number;

  constructor(snapshot: SeatSnapshot) {
    this.tickets = snapshot.tickets;
    this.version = snapshot.version;
    this.status = new Uint8Array(snapshot.tickets.length);
    const indexById = new Map<string, number>();
    snapshot.tickets.forEach((ticket, index) => {
      if (indexById.has(ticket.id)) throw new Error(`duplicate ticket id ${ticket.id}`);
      indexById.set(ticket.id, index);
      const code = statusCode[ticket.status] ?? 0;
      this.status[index] = code;
      this.counts[code] += 1;
    });
    this.indexById = indexById;
  }

  get size(): number {
    return this.tickets.length;
  }

  statusOf(index: number): SeatStatus {
    return seatStatuses[this.status[index]];
  }

  count(status: SeatStatus): number {
    return this.counts[statusCode[status]];
  }

  /** Sets one ticket's status outside the delta stream (the caller's own reserve answer); true if changed. */
  setStatus(index: number, status: SeatStatus): boolean {
    const code = statusCode[status] ?? 0;
    const previous = this.status[index];
    if (previous === code) return false;
    this.counts[previous] -= 1;
    this.counts[code] += 1;
    this.status[index] = code;
    return true;
  }

  /**
   * Applies a delta that continues from (or overlaps) the current version. Each change carries the
   * ticket's status after it, so re-applying part of a delta already seen is harmless.
   */
  applyDelta(delta: SeatDelta): DeltaOutcome {
    if (delta.toVersion <= this.version) return { kind: "stale" };
    if (delta.fromVersion > this.version) return { kind: "gap" };
    const resolved: [number, SeatStatus][] = [];
    for (const change of delta.changes) {
      const index = this.indexById.get(change.ticketId);
      if (index === undefined || statusCode[change.status] === undefined) return { kind: "gap" };
      resolved.push([index, change.status]);
    }
    const changed: number[] = [];
    for (const [index, status] of resolved) if (this.setStatus(index, status)) changed.push(index);
    this.version = delta.toVersion;
    return { kind: "applied", changed };
  }

  /**
   * Takes the statuses of a fresh snapshot of the same tickets; returns the indices that changed,
   * or null when the snapshot has other tickets (the map must then be rebuilt).
   */
  replace(snapshot: SeatSnapshot | CompactSnapshot): number[] | null {
    if ("statuses" in snapshot) return this.replaceCompact(snapshot);
    if (snapshot.tickets.length !== this.tickets.length) return null;
    const changed: number[] = [];
    for (let index = 0; index < snapshot.tickets.length; index += 1) {
      const ticket = snapshot.tickets[index];
      if (this.indexById.get(ticket.id) !== index) return null;
    }
    snapshot.tickets.forEach((ticket, index) => {
      if (this.setStatus(index, ticket.status)) changed.push(index);
    });
    this.version = snapshot.version;
    return changed;
  }

  /** The compact form's statuses, in ticket order (the board's tickets are in ordinal order). */
  private replaceCompact(snapshot: CompactSnapshot): number[] | null {
    if (snapshot.statuses.length !== this.tickets.length) return null;
    const codes = compactStatusCodes(snapshot.statuses);
    const changed: number[] = [];
    codes.forEach((code, index) => {
      if (this.setStatus(index, seatStatuses[code])) changed.push(index);
    });
    this.version = snapshot.version;
    return changed;
  }
}
