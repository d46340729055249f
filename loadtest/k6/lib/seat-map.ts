// The client's copy of the live seat map: the full map from GET /events/:id/tickets, then the
// `seats` deltas from the socket; a gap in versions means refetch (as the contract says). The types
// are the typed client's (type-only: k6 loads no module of it).
import type { SeatStatus, SeatsFrame, Ticket } from "@marquee/client/types";

export type { SeatStatus };
export type SeatDelta = SeatsFrame;

export class SeatMap {
  readonly status = new Map<string, SeatStatus>();
  version: number;

  constructor(tickets: Pick<Ticket, "id" | "status">[], version: number) {
    for (const ticket of tickets) this.status.set(ticket.id, ticket.status);
    this.version = version;
  }

  /** Applies a delta; false when versions are missing before it (the caller refetches). */
  apply(delta: SeatDelta): boolean {
    if (delta.toVersion <= this.version) return true;
    if (delta.fromVersion > this.version) return false;
    for (const change of delta.changes) this.status.set(change.ticketId, change.status);
    this.version = delta.toVersion;
    return true;
  }

  /** `quantity` available seats chosen at random (side by side is not required here). */
  pick(quantity: number): string[] | null {
    const free: string[] = [];
    for (const [id, status] of this.status) if (status === "available") free.push(id);
    if (free.length < quantity) return null;
    const start = Math.floor(Math.random() * (free.length - quantity + 1));
    return free.slice(start, start + quantity);
  }

  mark(ticketIds: string[], status: SeatStatus): void {
    for (const id of ticketIds) this.status.set(id, status);
  }
}
