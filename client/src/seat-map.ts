// A client's copy of an event's seat map: the layout (`GET /events/:id/layout`, static) and the
// compact statuses (`GET /events/:id/tickets?format=compact`, one character a ticket) at a version,
// kept current by the real-time frames. The version rules of the contract:
//   - a frame with toVersion <= version is old news (stale): ignored;
//   - a frame with fromVersion > version means frames were missed (gap): refetch the compact map;
//   - otherwise it applies (changes carry each ticket's last status, so an overlap is harmless).
import type { Layout, SeatStatus, SeatsCompactFrame, SeatsFrame } from "./types.ts";

/** Status codes by index: what `status` holds per ordinal. */
export const seatStatuses: readonly SeatStatus[] = ["available", "reserved", "booked"];
const codeOf: Record<SeatStatus, number> = { available: 0, reserved: 1, booked: 2 };
/** The compact map's characters by status code; X (not for sale) reads as booked: a taken seat. */
const compactCodes: Record<string, number> = { A: 0, R: 1, B: 2, X: 2 };

/** The compact map as the API sends it (only what the seat map needs of it). */
export interface CompactSnapshot {
  version: number;
  statuses: string;
}

export type DeltaOutcome =
  | { kind: "applied"; changed: number[] }
  | { kind: "stale" }
  /** Versions were skipped, or the frame names tickets this map does not know: refetch. */
  | { kind: "gap" };

/** What a SeatSync (seat-sync.ts) keeps current: this SeatMap, or a UI's own board. */
export interface SeatBoardState<Snapshot, Frame> {
  readonly version: number;
  applyDelta(frame: Frame): DeltaOutcome;
  /** Takes a fresh snapshot: the indices that changed, or null when it is of other tickets. */
  replace(snapshot: Snapshot): number[] | null;
}

/** One status code per character of a compact map; throws on a character the API does not send. */
export function compactStatusCodes(statuses: string): Uint8Array {
  const codes = new Uint8Array(statuses.length);
  for (let index = 0; index < statuses.length; index++) {
    const code = compactCodes[statuses[index]];
    if (code === undefined)
      throw new Error(`compact seat map: unknown status ${JSON.stringify(statuses[index])}`);
    codes[index] = code;
  }
  return codes;
}

export interface SeatPlace {
  section: string;
  row: string;
  seat: number;
  priceCents: number;
}

export class SeatMap implements SeatBoardState<CompactSnapshot, SeatsFrame | SeatsCompactFrame> {
  /** Status code (index of seatStatuses) per ticket ordinal. */
  readonly status: Uint8Array;
  version: number;
  private readonly counts = [0, 0, 0];
  /** firstOrdinal of every row in order, with its section and row, for `place`. */
  private readonly rowStarts: { firstOrdinal: number; section: Layout["sections"][number]; label: string }[] =
    [];

  constructor(
    readonly layout: Layout,
    snapshot: CompactSnapshot,
  ) {
    for (const section of layout.sections)
      for (const row of section.rows)
        this.rowStarts.push({ firstOrdinal: row.firstOrdinal, section, label: row.label });
    this.rowStarts.sort((a, b) => a.firstOrdinal - b.firstOrdinal);
    this.status = new Uint8Array(layout.ticketCount);
    this.version = snapshot.version;
    if (this.replace(snapshot) === null)
      throw new Error(
        `the compact map has ${snapshot.statuses.length} statuses for ${layout.ticketCount} tickets`,
      );
  }

  get eventId(): string {
    return this.layout.eventId;
  }

  ticketId(ordinal: number): string {
    return `${this.layout.eventId}.${ordinal}`;
  }

  /** The ordinal of one of this event's ticket ids; undefined for any other id. */
  ordinalOf(ticketId: string): number | undefined {
    const prefix = `${this.layout.eventId}.`;
    if (!ticketId.startsWith(prefix)) return undefined;
    const text = ticketId.slice(prefix.length);
    const ordinal = Number(text);
    const canonical = /^(0|[1-9][0-9]*)$/.test(text);
    return canonical && ordinal < this.status.length ? ordinal : undefined;
  }

  /** Section, row, seat number and price of an ordinal. */
  place(ordinal: number): SeatPlace {
    let low = 0;
    let high = this.rowStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.rowStarts[middle].firstOrdinal <= ordinal) low = middle;
      else high = middle - 1;
    }
    const row = this.rowStarts[low];
    return {
      section: row.section.name,
      row: row.label,
      seat: ordinal - row.firstOrdinal + 1,
      priceCents: row.section.priceCents,
    };
  }

  statusOf(ordinal: number): SeatStatus {
    return seatStatuses[this.status[ordinal]];
  }

  count(status: SeatStatus): number {
    return this.counts[codeOf[status]];
  }

  /** Sets one seat's status outside the frames (the caller's own reserve answer); true if it changed. */
  setStatus(ordinal: number, status: SeatStatus): boolean {
    const code = codeOf[status];
    const previous = this.status[ordinal];
    if (previous === code) return false;
    this.counts[previous]--;
    this.counts[code]++;
    this.status[ordinal] = code;
    return true;
  }

  applyDelta(frame: SeatsFrame | SeatsCompactFrame): DeltaOutcome {
    if (frame.toVersion <= this.version) return { kind: "stale" };
    if (frame.fromVersion > this.version) return { kind: "gap" };
    const resolved = this.resolve(frame);
    if (resolved === null) return { kind: "gap" };
    const changed: number[] = [];
    for (const [ordinal, status] of resolved) if (this.setStatus(ordinal, status)) changed.push(ordinal);
    this.version = frame.toVersion;
    return { kind: "applied", changed };
  }

  replace(snapshot: CompactSnapshot): number[] | null {
    if (snapshot.statuses.length !== this.status.length) return null;
    const codes = compactStatusCodes(snapshot.statuses);
    const changed: number[] = [];
    this.counts.fill(0);
    codes.forEach((code, ordinal) => {
      if (this.status[ordinal] !== code) changed.push(ordinal);
      this.counts[code]++;
    });
    this.status.set(codes);
    this.version = snapshot.version;
    return changed;
  }

  /** A frame's changes as (ordinal, status); null when one names a ticket this map does not have. */
  private resolve(frame: SeatsFrame | SeatsCompactFrame): [number, SeatStatus][] | null {
    const changes = "changes" in frame ? frame.changes : [...compactChanges(frame), ...(frame.other ?? [])];
    const resolved: [number, SeatStatus][] = [];
    for (const change of changes) {
      const ordinal = typeof change.ticketId === "number" ? change.ticketId : this.ordinalOf(change.ticketId);
      if (ordinal === undefined || ordinal >= this.status.length || codeOf[change.status] === undefined)
        return null;
      resolved.push([ordinal, change.status]);
    }
    return resolved;
  }
}

/** A compact frame's ordinals as changes (ticketId is the ordinal itself). */
function compactChanges(frame: SeatsCompactFrame): { ticketId: number; status: SeatStatus }[] {
  return seatStatuses.flatMap((status) => frame[status].map((ordinal) => ({ ticketId: ordinal, status })));
}
