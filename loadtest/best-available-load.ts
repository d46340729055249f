// The best-available phase of `npm run bench:booking`: one big event (100,000 seats by default) sold
// from empty to sold out by best-available requests through Moleculer (every hold acknowledged only
// after its group commit), with the time each choice takes inside the actor (decide() of a
// best-available command, measured by the actor host and reported per turn on the local bus).
//
// Workload: `clients` virtual users in loops, each request from a new user (so the per-user cap never
// bites): ask for 2-4 seats side by side (1 in ten asks for one); when nothing of that size fits, ask
// for one fewer; a refusal with no seat left at all ends that client: the event is sold out.
import type { MarqueeNode } from "../node.ts";
import { bookingTurnLocalEvent } from "../actors/booking/actor-engine.ts";
import type { CommitStats } from "../actors/booking/protocol.ts";
import { seededRandom } from "../domain/random.ts";

export const bestAvailableDecideMetric = "marquee.booking.best_available.decide.duration.ms";

const seatsPerRow = 50;
const rowsPerSection = 500;

/** A growable list of numbers (latencies), sorted once at the end. */
class Samples {
  private values = new Float64Array(1 << 16);
  count = 0;
  add(value: number): void {
    if (this.count === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.count++] = value;
  }
  sorted(): Float64Array {
    return this.values.slice(0, this.count).sort();
  }
}

/** Sections of 500 rows of 50 seats (the last ones shorter), prices falling section by section. */
function stadiumSections(seatCount: number) {
  const sections = [];
  for (let first = 0, index = 0; first < seatCount; index++) {
    const rows = [];
    for (let row = 0; row < rowsPerSection && first < seatCount; row++) {
      const seats = Math.min(seatsPerRow, seatCount - first);
      rows.push({ label: String(row + 1), seats });
      first += seats;
    }
    sections.push({
      name: `Section ${index + 1}`,
      priceCents: Math.max(1_000, 20_000 - index * 2_000),
      rows,
    });
  }
  return sections;
}

export async function createStadiumEvent(node: MarqueeNode, seatCount: number): Promise<string> {
  const meta = { user: { id: "bench-admin", role: "admin" } };
  const venue: any = await node.broker.call(
    "catalog.createVenue",
    { name: "Bench Stadium", city: "Lisbon", country: "PT" },
    { meta },
  );
  const created: any = await node.broker.call(
    "catalog.createEvent",
    {
      name: "Best Available Bench",
      type: "concert",
      venueId: venue.id,
      startsAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      onSaleAt: new Date(Date.now() - 60_000).toISOString(),
      sections: stadiumSections(seatCount),
    },
    { meta, timeout: 120_000 },
  );
  if (created.ticketCount !== seatCount)
    throw new Error(`created ${created.ticketCount} seats, not ${seatCount}`);
  return created.event.id;
}

export interface SellOut {
  holds: number;
  seats: number;
  /** Refusals (409): requests too big for what was left, and each client's last, sold-out one. */
  refused: number;
  errors: number;
  elapsedSeconds: number;
  /** Client-side time of each request (Moleculer call to acknowledged hold), sorted. */
  requestMs: Float64Array;
  /** decide() time of each best-available command inside the actor, sorted. */
  choiceMs: Float64Array;
}

export async function sellOutByBestAvailable(
  node: MarqueeNode,
  eventId: string,
  clients: number,
): Promise<SellOut> {
  const broker = node.broker;
  const choices = new Samples();
  const onTurn = (stats: CommitStats) => {
    for (const durationMs of stats.bestAvailableDecideMs) choices.add(durationMs);
  };
  broker.localBus.on(bookingTurnLocalEvent, onTurn);
  const requests = new Samples();
  let users = 0;
  let holds = 0;
  let seats = 0;
  let refused = 0;
  let errors = 0;
  const client = async (index: number) => {
    const random = seededRandom(index + 1);
    for (;;) {
      let quantity = random() < 0.1 ? 1 : 2 + Math.floor(random() * 3);
      for (;;) {
        const startedAt = performance.now();
        try {
          const answer: any = await broker.call(
            "booking.reserve",
            { eventId, quantity },
            { meta: { user: { id: `fan-${users++}`, role: "user" } } },
          );
          requests.add(performance.now() - startedAt);
          holds++;
          seats += answer.ticketIds.length;
          break;
        } catch (error) {
          requests.add(performance.now() - startedAt);
          const failure = error as { code?: string; details?: any };
          if (failure.code !== "TICKET_UNAVAILABLE") {
            if (++errors > 100) throw error;
            continue;
          }
          refused++;
          if (failure.details?.ticketsAvailable === 0) return; // sold out
          if (quantity > 1) quantity--;
        }
      }
    }
  };
  const startedAt = performance.now();
  try {
    await Promise.all(Array.from({ length: clients }, (_, index) => client(index)));
  } finally {
    broker.localBus.off(bookingTurnLocalEvent, onTurn);
  }
  return {
    holds,
    seats,
    refused,
    errors,
    elapsedSeconds: (performance.now() - startedAt) / 1_000,
    requestMs: requests.sorted(),
    choiceMs: choices.sorted(),
  };
}
