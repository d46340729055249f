// The seat maps a catalog node serves, without entering any actor's mailbox. Per event: the latest
// snapshot of the actor's committed statuses, fetched once from the actor at the first read and then
// moved on by the deltas the actor publishes after each commit (`booking.seatsChanged`); a gap or a
// delta that does not fit fetches again, and a snapshot no delta has confirmed for a while is checked
// against the committed version in Postgres. Readers get a published copy, made at most once per
// window (a change after a quiet window at once), so staleness is bounded by the window and stated
// by the answer's `version`; every answer of a published copy is rendered once (seat-map-renders.ts).
// Bounded like the renderers before it: events and seats, least recently read evicted first.
import type { SeatsChanged } from "../domain/messages.ts";
import type { SectionInput } from "../domain/event.ts";
import { hasErrorCode, invariant, notFound } from "../domain/errors.ts";
import { buildSeatLayout, publicLayout, type LayoutExtras, type SeatLayout } from "../domain/seat-layout.ts";
import { compactSeatMapJson, compactStatuses } from "../domain/seat-map-compact.ts";
import { FollowedSeats } from "../domain/seat-snapshot.ts";
import {
  seatMapDeltasWhileFetchingMax,
  seatMapRevalidateMs,
  seatMapsCachedMax,
  seatMapsCachedSeatsMax,
} from "../domain/limits.ts";
import {
  RenderedAnswer,
  SeatMapRenders,
  shortHash,
  type PublishedSeats,
  type RenderKind,
} from "./seat-map-renders.ts";

/** Where snapshots come from. */
export interface SeatMapSources {
  /** The actor's committed statuses (`booking.seatMap`): at a cold start and after a gap only. */
  fetchSeats(eventId: string): Promise<{ version: number; statuses: Uint8Array }>;
  /** The committed seat version in Postgres (not the actor); NOT_FOUND once the event is gone. */
  fetchVersion(eventId: string): Promise<number>;
  /** The sections, currency and stage of an active event, null when there is none. */
  fetchLayoutSource(
    eventId: string,
  ): Promise<({ sections: SectionInput[]; onSaleAt: string } & LayoutExtras) | null>;
}

/** Why the actor was asked for a snapshot. */
export type FetchReason = "cold" | "gap" | "revalidate";

export interface SeatMapReaderOptions {
  sources: SeatMapSources;
  now: () => number;
  /** A published snapshot is replaced at most this often (the coalescing window). */
  windowMs: number;
  revalidateMs?: number;
  eventsMax?: number;
  seatsMax?: number;
  onFetch?(reason: FetchReason): void;
  onRender?(kind: RenderKind): void;
  onWarning?(message: string, details: Record<string, unknown>): void;
}

class EventSeatMap {
  followed: FollowedSeats | null = null;
  /** The snapshot fetch in flight (one at a time). */
  fetching: Promise<void> | null = null;
  /** Deltas that arrived during that fetch, applied to its snapshot (null: no fetch runs). */
  early: SeatsChanged[] | null = null;
  earlyDropped = false;
  /** A fetch the next read should start (a fetch ended with a gap among its early deltas). */
  refetchWanted = false;
  published: PublishedSeats | null = null;
  publishedAt = Number.NEGATIVE_INFINITY;
  /** When the last delta was applied; a delta after a quiet window is published at the next read. */
  changedAt = Number.NEGATIVE_INFINITY;
  publishNow = false;
  /** When the followed version was last known to be the committed one. */
  confirmedAt = Number.NEGATIVE_INFINITY;
  revalidating = false;
  layoutAnswer: RenderedAnswer | null = null;

  constructor(
    readonly eventId: string,
    readonly layout: SeatLayout,
    readonly extras: LayoutExtras,
    /** The event's onSaleAt (ms): before it, the layout's currency may still change. */
    readonly onSaleAtMs: number,
    readonly renders: SeatMapRenders,
  ) {}
}

export class SeatMapReader {
  /** Least recently read first. */
  private readonly events = new Map<string, EventSeatMap>();
  private readonly loading = new Map<string, Promise<EventSeatMap>>();
  private cachedSeats = 0;
  /** Renders and snapshot fetches since the start (also in the metrics). */
  readonly renderCounts: Record<RenderKind, number> = { full: 0, compact: 0, event: 0, layout: 0 };
  readonly fetchCounts: Record<FetchReason, number> = { cold: 0, gap: 0, revalidate: 0 };

  constructor(private readonly options: SeatMapReaderOptions) {}

  /** `{eventId, version, statuses}`: one character per ticket. */
  async compact(eventId: string): Promise<RenderedAnswer> {
    const { entry, seats } = await this.latest(eventId);
    const render = () => compactSeatMapJson(eventId, seats.version, seats.statuses);
    return entry.renders.answer(
      seats,
      "compact",
      "compact",
      render,
      `c.${seats.version}.${seats.statusHash}`,
    );
  }

  /** `{eventId, version, tickets}`: the contract's Ticket list. */
  async tickets(eventId: string): Promise<RenderedAnswer> {
    const { entry, seats } = await this.latest(eventId);
    const render = () =>
      `{"eventId":${JSON.stringify(eventId)},"version":${seats.version},"tickets":${entry.renders.ticketsJson(seats)}}`;
    return entry.renders.answer(seats, "full", "full", render, `${seats.version}.${seats.statusHash}`);
  }

  /** GET /events/:id: the event's details (a JSON object's text) with its tickets (or, compact, its
   * statuses) and version. */
  async eventPage(
    eventId: string,
    detailsJson: string,
    form: "full" | "compact" = "full",
  ): Promise<RenderedAnswer> {
    const { entry, seats } = await this.latest(eventId);
    const detailsHash = shortHash(detailsJson);
    const seatsJson = () =>
      form === "compact"
        ? `"statuses":"${compactStatuses(seats.statuses)}"`
        : `"tickets":${entry.renders.ticketsJson(seats)}`;
    const render = () => `${detailsJson.slice(0, -1)},${seatsJson()},"version":${seats.version}}`;
    const key = `${form === "compact" ? "c." : ""}${detailsHash}.${seats.version}.${seats.statusHash}`;
    return entry.renders.answer(seats, `event.${key}`, "event", render, key);
  }

  /** The static layout, rendered once per event. */
  async layout(eventId: string): Promise<RenderedAnswer> {
    const entry = await this.entry(eventId);
    if (!entry.layoutAnswer) {
      this.countRender("layout");
      const json = JSON.stringify(publicLayout(eventId, entry.layout, entry.extras));
      entry.layoutAnswer = new RenderedAnswer(`l.${shortHash(json)}`, Buffer.from(json));
    }
    return entry.layoutAnswer;
  }

  /** A delta the actor published: applied to a followed event, ignored for others. */
  receive(delta: SeatsChanged): void {
    const entry = this.events.get(delta?.eventId);
    if (!entry) return;
    if (entry.early) {
      if (entry.early.length < seatMapDeltasWhileFetchingMax) entry.early.push(delta);
      else entry.earlyDropped = true;
      return;
    }
    if (!entry.followed) return;
    const outcome = entry.followed.apply(delta);
    if (outcome === "applied") this.changed(entry);
    else if (outcome === "gap" || outcome === "invalid") {
      this.options.onWarning?.("seat map: delta does not continue the snapshot, fetching it again", {
        eventId: entry.eventId,
        outcome,
        version: entry.followed.version,
        fromVersion: delta.fromVersion,
      });
      this.refetch(entry, "gap");
    }
  }

  private changed(entry: EventSeatMap): void {
    const now = this.options.now();
    if (now - entry.changedAt >= this.options.windowMs) entry.publishNow = true;
    entry.changedAt = now;
    entry.confirmedAt = now;
  }

  /** The static layout with the event's onSaleAt (ms), from which on it never changes. */
  async layoutWithOnSale(eventId: string): Promise<{ answer: RenderedAnswer; onSaleAtMs: number }> {
    const answer = await this.layout(eventId);
    return { answer, onSaleAtMs: (await this.entry(eventId)).onSaleAtMs };
  }

  /** Whether this node's layout of the event was built from this currency and onSaleAt (true if none is held). */
  layoutMatches(eventId: string, currency: string, onSaleAt: string): boolean {
    const entry = this.events.get(eventId);
    return !entry || (entry.extras.currency === currency && entry.onSaleAtMs === Date.parse(onSaleAt));
  }

  /** Drops an event (deleted, or its currency changed): its next read is a cold start again. */
  forget(eventId: string): void {
    const entry = this.events.get(eventId);
    if (!entry) return;
    this.events.delete(eventId);
    this.cachedSeats -= entry.layout.total;
  }

  get eventCount(): number {
    return this.events.size;
  }

  /** The event's published snapshot, made now when the window allows. */
  private async latest(eventId: string): Promise<{ entry: EventSeatMap; seats: PublishedSeats }> {
    const entry = await this.entry(eventId);
    if (!entry.followed) await this.fetch(entry, "cold");
    else this.revalidateIfQuiet(entry);
    return { entry, seats: this.publish(entry) };
  }

  private publish(entry: EventSeatMap): PublishedSeats {
    const followed = entry.followed!;
    const now = this.options.now();
    const last = entry.published;
    if (last?.version === followed.version) return last;
    // Within the window only the first change after a quiet one goes out at once (as real-time frames).
    if (last && !entry.publishNow && now - entry.publishedAt < this.options.windowMs) return last;
    entry.publishNow = false;
    const statuses = new Uint8Array(followed.statuses); // a copy (a Buffer's slice would be a view)
    entry.published = {
      eventId: entry.eventId,
      version: followed.version,
      statuses,
      statusHash: shortHash(statuses),
    };
    entry.publishedAt = now;
    return entry.published;
  }

  private fetch(entry: EventSeatMap, reason: FetchReason): Promise<void> {
    entry.fetching ??= this.runFetch(entry, reason).finally(() => {
      entry.fetching = null;
    });
    return entry.fetching;
  }

  /** A fetch in the background: readers keep the snapshot they have meanwhile. */
  private refetch(entry: EventSeatMap, reason: FetchReason): void {
    this.fetch(entry, reason).catch((error: Error) =>
      this.options.onWarning?.("seat map: fetching a snapshot failed", {
        eventId: entry.eventId,
        reason,
        error: error.message,
      }),
    );
  }

  private async runFetch(entry: EventSeatMap, reason: FetchReason): Promise<void> {
    this.countFetch(reason);
    entry.early = [];
    entry.earlyDropped = false;
    try {
      const seats = await this.options.sources.fetchSeats(entry.eventId);
      invariant(
        seats.statuses.length === entry.layout.total,
        "seat map: status count differs from the layout",
      );
      const followed = new FollowedSeats(entry.eventId, seats.version, seats.statuses);
      // Deltas of commits after the snapshot continue it; older ones are "old".
      const outcomes = entry.early.map((delta) => followed.apply(delta));
      const broken = outcomes.includes("gap") || outcomes.includes("invalid");
      entry.followed = followed;
      entry.confirmedAt = this.options.now();
      entry.refetchWanted = broken || entry.earlyDropped;
    } finally {
      entry.early = null;
    }
  }

  /** A snapshot without a delta for revalidateMs is checked against the committed version. */
  private revalidateIfQuiet(entry: EventSeatMap): void {
    const now = this.options.now();
    if (entry.refetchWanted && !entry.fetching) {
      entry.refetchWanted = false;
      return this.refetch(entry, "gap");
    }
    const quietMs = now - entry.confirmedAt;
    if (entry.revalidating || entry.fetching || quietMs < (this.options.revalidateMs ?? seatMapRevalidateMs))
      return;
    entry.revalidating = true;
    this.options.sources
      .fetchVersion(entry.eventId)
      .then(
        (version) => {
          if (version === entry.followed?.version) entry.confirmedAt = this.options.now();
          else this.refetch(entry, "revalidate");
        },
        (error: Error) => {
          if (hasErrorCode(error, "NOT_FOUND")) this.forget(entry.eventId);
          else
            this.options.onWarning?.("seat map: revalidation failed", {
              eventId: entry.eventId,
              error: error.message,
            });
        },
      )
      .finally(() => {
        entry.revalidating = false;
      });
  }

  private async entry(eventId: string): Promise<EventSeatMap> {
    const cached = this.events.get(eventId);
    if (cached) {
      this.events.delete(eventId);
      this.events.set(eventId, cached);
      return cached;
    }
    let loading = this.loading.get(eventId);
    if (!loading) {
      loading = this.load(eventId).finally(() => this.loading.delete(eventId));
      this.loading.set(eventId, loading);
    }
    return loading;
  }

  private async load(eventId: string): Promise<EventSeatMap> {
    const source = await this.options.sources.fetchLayoutSource(eventId);
    if (!source) throw notFound("Event");
    const layout = buildSeatLayout(source.sections);
    const entry = new EventSeatMap(
      eventId,
      layout,
      { currency: source.currency, stage: source.stage },
      Date.parse(source.onSaleAt),
      new SeatMapRenders(layout, (kind) => this.countRender(kind)),
    );
    const eventsMax = this.options.eventsMax ?? seatMapsCachedMax;
    const seatsMax = this.options.seatsMax ?? seatMapsCachedSeatsMax;
    for (const oldest of this.events.keys()) {
      if (this.events.size < eventsMax && this.cachedSeats + layout.total <= seatsMax) break;
      this.forget(oldest);
    }
    this.forget(eventId);
    this.events.set(eventId, entry);
    this.cachedSeats += layout.total;
    return entry;
  }

  private countRender(kind: RenderKind): void {
    this.renderCounts[kind]++;
    this.options.onRender?.(kind);
  }

  private countFetch(reason: FetchReason): void {
    this.fetchCounts[reason]++;
    this.options.onFetch?.(reason);
  }
}
