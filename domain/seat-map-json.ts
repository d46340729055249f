// The contract's Ticket list as JSON text, rendered from one status byte per ordinal. Building
// 100,000 Ticket objects and stringifying them took ~1 s a request; here the text of each ticket up
// to its status is made once per event (a layout never changes), the list is cut into fixed chunks,
// and a chunk is rendered again only when one of its statuses changed since the last render. A read
// after a few changes re-renders a few chunks and joins the rest as they were.
import type { SeatLayout } from "./seat-layout.ts";
import { publicStatusCodes, ticketsFromStatuses } from "./seat-layout.ts";
import { invariant } from "./errors.ts";

/** Ordinals per chunk: small enough that a change re-renders little, large enough to join cheaply. */
export const seatMapChunkSeats = 512;

const statusTails = publicStatusCodes.map((status) => `${status}"}`);

export class SeatMapJson {
  /** Per ordinal: `{"id":…,"section":…,"row":…,"seat":…,"priceCents":…,"status":"`. */
  private readonly heads: string[];
  private readonly chunks: string[];
  /** The statuses the chunks were rendered from. */
  private readonly rendered: Uint8Array;
  private renderedOnce = false;

  constructor(eventId: string, layout: SeatLayout) {
    // The object form is the reference: the same keys in the same order as `ticketsFromStatuses`.
    const marker = '"status":"';
    this.heads = ticketsFromStatuses(eventId, layout, new Uint8Array(layout.total)).map((ticket) => {
      const text = JSON.stringify(ticket);
      return text.slice(0, text.lastIndexOf(marker) + marker.length);
    });
    this.chunks = new Array(Math.ceil(layout.total / seatMapChunkSeats)).fill("");
    this.rendered = new Uint8Array(layout.total);
  }

  get seatCount(): number {
    return this.heads.length;
  }

  /** The JSON array of every Ticket with these statuses (one byte per ordinal, as the actor sends). */
  render(statuses: Uint8Array): string {
    invariant(statuses.length === this.heads.length, "seat map: status count differs from the layout");
    for (let chunk = 0; chunk < this.chunks.length; chunk++) {
      const start = chunk * seatMapChunkSeats;
      const end = Math.min(start + seatMapChunkSeats, statuses.length);
      if (this.renderedOnce && sameBytes(statuses, this.rendered, start, end)) continue;
      const parts = new Array<string>(end - start);
      for (let ordinal = start; ordinal < end; ordinal++) {
        const tail = statusTails[statuses[ordinal]];
        invariant(tail !== undefined, `seat map: unknown status code ${statuses[ordinal]}`);
        parts[ordinal - start] = this.heads[ordinal] + tail;
      }
      this.chunks[chunk] = parts.join(",");
      this.rendered.set(statuses.subarray(start, end), start);
    }
    this.renderedOnce = true;
    return `[${this.chunks.join(",")}]`;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array, start: number, end: number): boolean {
  for (let index = start; index < end; index++) if (a[index] !== b[index]) return false;
  return true;
}
