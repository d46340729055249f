// The answers rendered from one event's published seat snapshot: each form (the Ticket list, the
// compact map, the event page) is rendered at the first read of a version and compressed at the first
// read that accepts a coding; every other reader of that version gets the same bytes. Rendering is
// synchronous, so the first reader renders and the rest find it made; a compression is one promise
// that every reader of that coding awaits (single flight).
import { createHash } from "node:crypto";
import type { ContentEncoding } from "../domain/content-encoding.ts";
import type { SeatLayout } from "../domain/seat-layout.ts";
import { SeatMapJson } from "../domain/seat-map-json.ts";
import { compress } from "./seat-map-encodings.ts";

/** A snapshot as readers get it: never changed once published. */
export interface PublishedSeats {
  eventId: string;
  version: number;
  statuses: Uint8Array;
  /** A short hash of the statuses: with the version, it names this map's content (ETags). */
  statusHash: string;
}

/** What a render is of (counted: N readers of one version cost one render). */
export type RenderKind = "full" | "compact" | "event" | "layout";

/**
 * br where it pays: a Ticket list is ~35% smaller in br than in gzip at the same cost, while the
 * compact map (one character a seat) is a few percent smaller in gzip (seat-map-encodings.ts).
 */
const textCodings: readonly ContentEncoding[] = ["br", "gzip"];
const compactCodings: readonly ContentEncoding[] = ["gzip", "br"];

/** Answers kept per snapshot: the Ticket list, the compact map and a few event pages. */
const answersPerSnapshotMax = 8;

/** 72 bits of SHA-1, enough to tell apart the versions of one resource in an ETag. */
export const shortHash = (data: string | Uint8Array): string =>
  createHash("sha1").update(data).digest("base64url").slice(0, 12);

/** One answer's JSON bytes, and each coding of them made once. */
export class RenderedAnswer {
  private readonly encoded = new Map<ContentEncoding, Promise<Buffer>>();

  constructor(
    /** Without the weak marker and quotes. */
    readonly etag: string,
    readonly identity: Buffer,
    /** Codings best first, for a client that accepts several equally. */
    readonly codings: readonly ContentEncoding[] = textCodings,
  ) {}

  /** The bytes in `encoding`: compressed at the first ask, the same promise for every later one. */
  bytes(encoding: ContentEncoding): Promise<Buffer> {
    if (encoding === "identity") return Promise.resolve(this.identity);
    let encoded = this.encoded.get(encoding);
    if (!encoded) {
      encoded = compress(encoding, this.identity);
      // A failed compression is tried again by the next reader.
      encoded.catch(() => this.encoded.delete(encoding));
      this.encoded.set(encoding, encoded);
    }
    return encoded;
  }
}

export class SeatMapRenders {
  private seats: PublishedSeats | null = null;
  private answers = new Map<string, RenderedAnswer>();
  private ticketsText: string | null = null;
  /** Made at the first read of the Ticket list (~200 bytes a seat). */
  private ticketRenderer: SeatMapJson | null = null;

  constructor(
    private readonly layout: SeatLayout,
    private readonly onRender: (kind: RenderKind) => void,
  ) {}

  /** Text kept per event: what the seat-map cache bounds (the renderer and the rendered list). */
  get renderedSeats(): number {
    return this.ticketRenderer ? this.layout.total : 0;
  }

  /** The answer `key` of this snapshot, rendered by `render` at its first ask. */
  answer(
    seats: PublishedSeats,
    key: string,
    kind: RenderKind,
    render: () => string,
    etag: string,
  ): RenderedAnswer {
    this.select(seats);
    let answer = this.answers.get(key);
    if (!answer) {
      this.onRender(kind);
      answer = new RenderedAnswer(
        etag,
        Buffer.from(render()),
        kind === "compact" ? compactCodings : textCodings,
      );
      if (this.answers.size >= answersPerSnapshotMax) this.answers.delete(this.answers.keys().next().value!);
      this.answers.set(key, answer);
    }
    return answer;
  }

  /** The JSON array of Tickets of this snapshot (rendered once; see domain/seat-map-json.ts). */
  ticketsJson(seats: PublishedSeats): string {
    this.select(seats);
    this.ticketRenderer ??= new SeatMapJson(seats.eventId, this.layout);
    this.ticketsText ??= this.ticketRenderer.render(seats.statuses);
    return this.ticketsText;
  }

  /** Renders from here on are of this snapshot: the last one's are dropped (readers still sending
   * them keep their bytes). */
  private select(seats: PublishedSeats): void {
    if (seats === this.seats) return;
    this.seats = seats;
    this.answers = new Map();
    this.ticketsText = null;
  }
}
