// Keeps the event page's seats current: Socket.IO `seats` deltas through a SeatSync, and when live
// updates are down (or do not come up in time) a refetch of the seat map every few seconds. The
// indicator says which of the two is at work. Refetches take the compact map (one character a seat);
// should the event's tickets ever differ from the board's, the layout is fetched again.
import { api } from "../../api.ts";
import { h } from "../../dom.ts";
import { subscribeSeats } from "../../realtime.ts";
import type { CompactSnapshot } from "../../seatmap/board.ts";
import { snapshotFromCompact, type PublicLayout } from "../../seatmap/compact.ts";
import { SeatSync } from "../../seatmap/sync.ts";
import type { EventSeats } from "./seats.ts";

/** Without live updates the page refetches the seat map this often. */
const pollIntervalMs = 10_000;
/** A connection that has not come up within this long is reported as down (and polling starts). */
const connectGraceMs = 3_000;

export interface LiveSeatsHandlers {
  /** These seats changed status. */
  onSeatsChanged(changed: number[]): void;
  /** The event's tickets changed: the seats now have a new board. */
  onRebuilt(): void;
}

export class LiveSeats {
  readonly indicator = h(
    "span",
    { id: "live-indicator", class: "live live-connecting" },
    "Connecting to live updates…",
  );
  private live = false;
  private sync: SeatSync;
  private pollTimer = 0;
  private graceTimer = 0;
  private unsubscribe: () => void = () => {};

  constructor(
    private readonly eventId: string,
    private readonly seats: EventSeats,
    private readonly handlers: LiveSeatsHandlers,
  ) {
    this.sync = this.startSync();
  }

  /** Listens for deltas; polling takes over if the connection is not up within the grace period. */
  connect(): void {
    this.graceTimer = window.setTimeout(() => {
      if (!this.live) this.setLive(false);
    }, connectGraceMs);
    this.unsubscribe = subscribeSeats(this.eventId, {
      currentVersion: () => this.seats.board.version,
      onDelta: (delta) => this.sync.handleDelta(delta),
      onSubscribed: (version) => this.sync.handleSubscribed(version),
      onResync: () => void this.sync.refetch(),
      onConnectionChange: (connected) => {
        if (connected) this.setLive(true);
        else if (this.live) this.setLive(false);
      },
    });
  }

  /** Catches up now unless live updates will bring the news anyway. */
  refetchUnlessLive(): void {
    if (!this.live) void this.sync.refetch();
  }

  stop(): void {
    this.sync.stop();
    this.unsubscribe();
    window.clearInterval(this.pollTimer);
    window.clearTimeout(this.graceTimer);
  }

  private startSync(): SeatSync {
    return new SeatSync({
      board: this.seats.board,
      fetchSnapshot: async (): Promise<CompactSnapshot> =>
        (await api<CompactSnapshot>("GET", `${this.eventPath()}/tickets?format=compact`)).data,
      onChange: (change) => {
        if (change === "rebuild") void this.rebuild();
        else this.handlers.onSeatsChanged(change);
      },
    });
  }

  /** The event's tickets changed: start over with a new board from the layout and the compact map. */
  private async rebuild(): Promise<void> {
    try {
      const [layout, compact] = await Promise.all([
        api<PublicLayout>("GET", `${this.eventPath()}/layout`),
        api<CompactSnapshot>("GET", `${this.eventPath()}/tickets?format=compact`),
      ]);
      this.sync.stop();
      this.seats.rebuild(snapshotFromCompact(layout.data, compact.data));
      this.sync = this.startSync();
      this.handlers.onRebuilt();
    } catch {
      // The old board stays; the next gap, resync or poll asks again.
    }
  }

  private eventPath(): string {
    return `/events/${encodeURIComponent(this.eventId)}`;
  }

  private setLive(connected: boolean): void {
    if (connected === this.live && this.indicator.dataset.state) return;
    this.live = connected;
    this.indicator.dataset.state = connected ? "live" : "polling";
    this.indicator.className = `live ${connected ? "live-on" : "live-off"}`;
    this.indicator.textContent = connected
      ? "Live: seats update as they change"
      : `Live updates unavailable: refreshing every ${pollIntervalMs / 1000} s`;
    window.clearInterval(this.pollTimer);
    this.pollTimer = connected ? 0 : window.setInterval(() => void this.sync.refetch(), pollIntervalMs);
  }
}
