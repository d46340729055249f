// The reader side of the seat maps with injected sources and time: one fetch from the actor at a cold
// start however many readers arrive, deltas followed, a gap or a lost delta fetched again, a new
// snapshot at most once per window, one render per snapshot and form, one compression per coding.
import { expect } from "chai";
import { gunzipSync } from "node:zlib";
import { SeatMapReader, type SeatMapSources } from "../../../catalog/seat-map-reader.ts";
import { MarqueeError } from "../../../domain/errors.ts";
import type { SeatsChanged } from "../../../domain/messages.ts";

const eventId = "ev_1";
const sections = [{ name: "Floor", priceCents: 1000, rows: [{ label: "1", seats: 6 }] }];

/** The actor's state as the fake sources answer it. */
class FakeActor implements SeatMapSources {
  version = 3;
  statuses = new Uint8Array(6);
  seatFetches = 0;
  versionFetches = 0;
  fetchDelayMs = 0;
  gone = false;

  async fetchSeats() {
    this.seatFetches++;
    const answer = { version: this.version, statuses: new Uint8Array(this.statuses) };
    if (this.fetchDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.fetchDelayMs));
    return answer;
  }
  async fetchVersion() {
    this.versionFetches++;
    if (this.gone) throw new MarqueeError("NOT_FOUND", "Event not found");
    return this.version;
  }
  async fetchLayoutSource(id: string) {
    return id === eventId
      ? { sections, currency: "GBP", stage: null, onSaleAt: "2027-01-01T00:00:00Z" }
      : null;
  }
  /** A commit: the change and the delta it publishes. */
  commit(ordinal: number, status: "available" | "reserved" | "booked"): SeatsChanged {
    const fromVersion = this.version++;
    this.statuses[ordinal] = ["available", "reserved", "booked"].indexOf(status);
    return {
      eventId,
      fromVersion,
      toVersion: this.version,
      changes: [{ ticketId: `${eventId}.${ordinal}`, status }],
      committedAt: 0,
    };
  }
}

function setup(windowMs = 100) {
  const actor = new FakeActor();
  let now = 1_000;
  const reader = new SeatMapReader({ sources: actor, now: () => now, windowMs, revalidateMs: 2_000 });
  const statuses = async () => JSON.parse((await reader.compact(eventId)).identity.toString()).statuses;
  return { actor, reader, statuses, advance: (ms: number) => (now += ms) };
}

describe("seat-map reader (catalog/seat-map-reader.ts)", () => {
  it("a cold start fetches once for any number of concurrent readers, who all get the same bytes", async () => {
    const { actor, reader } = setup();
    actor.fetchDelayMs = 20;
    const answers = await Promise.all(Array.from({ length: 100 }, () => reader.compact(eventId)));
    expect(actor.seatFetches).to.equal(1);
    expect(new Set(answers).size).to.equal(1);
    expect(JSON.parse(answers[0].identity.toString())).to.deep.equal({
      eventId,
      version: 3,
      statuses: "AAAAAA",
    });
    expect(reader.renderCounts.compact).to.equal(1);
    expect(reader.fetchCounts).to.deep.equal({ cold: 1, gap: 0, revalidate: 0 });
  });

  it("follows deltas without asking the actor; a change after a quiet window shows at once", async () => {
    const { actor, reader, statuses, advance } = setup();
    expect(await statuses()).to.equal("AAAAAA");
    advance(500);
    reader.receive(actor.commit(2, "reserved"));
    expect(await statuses()).to.equal("AARAAA");
    reader.receive(actor.commit(4, "booked"));
    reader.receive(actor.commit(2, "available"));
    // Within the window: the snapshot already published is served.
    expect(await statuses()).to.equal("AARAAA");
    advance(100);
    expect(await statuses()).to.equal("AAAABA");
    expect(JSON.parse((await reader.compact(eventId)).identity.toString()).version).to.equal(actor.version);
    expect(actor.seatFetches).to.equal(1);
  });

  it("renders each form once per snapshot, compresses once per coding", async () => {
    const { actor, reader, advance } = setup();
    const full = await Promise.all(Array.from({ length: 50 }, () => reader.tickets(eventId)));
    expect(new Set(full).size).to.equal(1);
    expect(reader.renderCounts.full).to.equal(1);
    const gzipped = await Promise.all(full.map((answer) => answer.bytes("gzip")));
    expect(new Set(gzipped).size).to.equal(1);
    expect(JSON.parse(gunzipSync(gzipped[0]).toString()).tickets).to.have.length(6);
    // br where it pays: the Ticket list; gzip for the compact map.
    expect(full[0].codings).to.deep.equal(["br", "gzip"]);
    expect((await reader.compact(eventId)).codings).to.deep.equal(["gzip", "br"]);
    advance(500);
    reader.receive(actor.commit(0, "reserved"));
    const next = await reader.tickets(eventId);
    expect(reader.renderCounts.full).to.equal(2);
    expect(JSON.parse(next.identity.toString()).tickets[0].status).to.equal("reserved");
    expect(next.etag).to.not.equal(full[0].etag);
    // An event page per details, from the same Ticket list.
    const page = await reader.eventPage(eventId, '{"event":{"id":"ev_1"}}');
    expect(JSON.parse(page.identity.toString())).to.deep.include({ version: actor.version });
    expect(reader.renderCounts.event).to.equal(1);
    await reader.layout(eventId);
    await reader.layout(eventId);
    expect(reader.renderCounts.layout).to.equal(1);
  });

  it("a gap fetches the snapshot again; deltas during the fetch continue it", async () => {
    const { actor, reader, statuses, advance } = setup(0);
    expect(await statuses()).to.equal("AAAAAA");
    actor.commit(1, "booked"); // its delta is lost
    actor.fetchDelayMs = 20;
    reader.receive(actor.commit(3, "reserved"));
    expect(actor.seatFetches).to.equal(2);
    // Committed while the refetch is under way (after the actor answered it).
    reader.receive(actor.commit(5, "reserved"));
    await new Promise((resolve) => setTimeout(resolve, 40));
    advance(1);
    expect(await statuses()).to.equal("ABARAR");
    expect(reader.fetchCounts.gap).to.equal(1);
  });

  it("a snapshot no delta confirmed for a while is checked against the committed version", async () => {
    const { actor, reader, statuses, advance } = setup(0);
    expect(await statuses()).to.equal("AAAAAA");
    actor.commit(0, "booked"); // lost, and nothing after it
    advance(1_000);
    expect(await statuses()).to.equal("AAAAAA");
    expect(actor.versionFetches).to.equal(0);
    advance(1_500);
    await statuses(); // starts the check in the background
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(actor.versionFetches).to.equal(1);
    expect(reader.fetchCounts.revalidate).to.equal(1);
    expect(await statuses()).to.equal("BAAAAA");
    // Confirmed again: no further check until the next quiet period.
    await statuses();
    expect(actor.versionFetches).to.equal(1);
    actor.gone = true;
    advance(2_500);
    await statuses();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(reader.eventCount).to.equal(0); // deleted: dropped
  });

  it("an unknown event is NOT_FOUND; events past the bound are evicted least recently read first", async () => {
    const { reader } = setup();
    const error = await reader.compact("ev_unknown").catch((caught) => caught);
    expect(error.code).to.equal("NOT_FOUND");
    const actor = new FakeActor();
    const loaded: string[] = [];
    const bounded = new SeatMapReader({
      sources: {
        fetchSeats: () => actor.fetchSeats(),
        fetchVersion: () => actor.fetchVersion(),
        fetchLayoutSource: async (id) => (
          loaded.push(id),
          { sections, currency: "GBP", stage: null, onSaleAt: "2027-01-01T00:00:00Z" }
        ),
      },
      now: () => 0,
      windowMs: 0,
      eventsMax: 2,
    });
    for (const id of ["ev_a", "ev_b", "ev_a", "ev_c", "ev_a", "ev_b"]) await bounded.layout(id);
    // ev_b was the least recently read when ev_c came: evicted, loaded again.
    expect(loaded).to.deep.equal(["ev_a", "ev_b", "ev_c", "ev_b"]);
    expect(bounded.eventCount).to.equal(2);
  });
});
