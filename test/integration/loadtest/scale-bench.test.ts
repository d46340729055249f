// The scale benchmark (loadtest/scale/) at a toy size against a test system: two sizes of bulk-loaded
// booking tables (events of 2,000 seats, 40% sold), the fixed load at each without a failed request,
// the disk per million tickets, the growth of the p99, and the invariant audit of each size's event
// and of the whole database (the bulk rows included) clean. Not speed: the benchmark itself runs only
// by hand (`npm run bench:scale`).
import { expect } from "chai";
import pg from "pg";
import { startSystem, dropDatabase, type TestSystem } from "../../support/system.ts";
import { createSigner } from "../../../loadtest/http/tokens.ts";
import { measureScale, type ScaleMeasurements } from "../../../loadtest/scale/measure.ts";
import { parseScaleArguments } from "../../../loadtest/scale/arguments.ts";

const seatsPerEvent = 2_000;
const sizes = [6_000, 14_000];

describe("scale benchmark (toy size)", function () {
  this.timeout(180_000);
  let system: TestSystem;
  let measurements: ScaleMeasurements;
  const logged: string[] = [];

  before(async () => {
    system = await startSystem({ env: { HOLD_TTL_SECONDS: "600" } });
    measurements = await measureScale({
      sizes,
      seatsPerEvent,
      inFlight: 4,
      durationMs: 500,
      readMs: 300,
      readers: 2,
      activationRepeats: 2,
      loadConnections: 2,
      log: (message) => logged.push(message),
      start: async () => ({
        target: {
          baseUrl: system.baseUrl,
          databaseUrl: system.databaseUrl,
          sign: createSigner(system.config.authSecret),
        },
        stop: () => system.stop(),
      }),
    });
  });
  after(async () => {
    if (system) await dropDatabase(system.databaseUrl);
  });

  it("loads the booking tables up to each size and runs the fixed load there without a failure", () => {
    expect(
      measurements.sizes.map((size) => size.ticketRows >= sizes[measurements.sizes.indexOf(size)]),
    ).to.deep.equal([true, true]);
    expect(measurements.largestTicketRows).to.equal(measurements.sizes[1].ticketRows);
    for (const size of measurements.sizes) {
      expect(size.reserveConfirm.failures).to.deep.equal({});
      expect(size.reserveConfirm.ops).to.be.greaterThan(0);
      expect(size.reserveConfirm.p99Ms).to.be.at.least(size.reserveConfirm.p50Ms);
      expect(size.activation.firstReserveMs).to.be.greaterThan(0);
      // The activation query loaded a bulk event: 40% of its seats booked.
      expect(size.activation.loadedBookedSeats).to.equal(0.4 * seatsPerEvent);
      for (const reads of [size.seatMap.compact, size.seatMap.full, size.search]) {
        expect(reads.requests).to.be.greaterThan(0);
        expect(reads.errors).to.equal(0);
      }
      expect(size.disk.bytesPerMillionTickets).to.equal(
        Math.round(size.disk.totalBytes / (size.ticketRows / 1e6)),
      );
      expect(Object.keys(size.disk.bytesByTable).sort()).to.deep.equal(
        [
          "booking_tickets",
          "bookings",
          "holds",
          "idempotency_keys",
          "idempotency_user_keys",
          "payments",
          "tickets",
        ].sort(),
      );
      // Summed over the partitions (a partitioned table's own size is 0).
      for (const table of ["tickets", "bookings", "payments", "idempotency_user_keys"])
        expect(size.disk.bytesByTable[table], table).to.be.greaterThan(0);
    }
  });

  it("answers the growth of the reserve+confirm p99 from the smallest size to the largest", () => {
    const [smallest, largest] = measurements.sizes;
    expect(measurements.growth).to.equal(
      Number((largest.reserveConfirm.p99Ms / smallest.reserveConfirm.p99Ms).toFixed(2)),
    );
    expect(measurements.growthDetail.baseTicketRows).to.equal(smallest.ticketRows);
  });

  it("audits each size's event and the whole database, bulk rows included: no violation", async () => {
    expect(measurements.auditOk).to.equal(true);
    for (const size of measurements.sizes)
      expect(size.audit).to.include({ ok: true, violations: 0, events: 1 });
    const client = new pg.Client({ connectionString: system.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query("SELECT count(*)::int AS tickets FROM tickets");
      expect(measurements.audit).to.include({ ok: true, violations: 0, tickets: rows[0].tickets });
      const bought = measurements.sizes.reduce((sum, size) => sum + size.reserveConfirm.ops, 0);
      const bulkBookings = (measurements.sizes[1].bulkEvents * seatsPerEvent * 0.4) / 2;
      expect(measurements.audit.bookings).to.equal(bulkBookings + bought);
      // The bulk events went in with their search capture: the search phase had them to find.
      const indexed = await client.query(
        "SELECT count(*)::int AS count FROM search_documents WHERE event_id LIKE 'ev\\_scale%'",
      );
      expect(indexed.rows[0].count).to.be.greaterThan(0);
    } finally {
      await client.end();
    }
    expect(logged.filter((line) => line.includes("audit: no violations"))).to.have.length(3);
  });

  it("reads its options strictly: sizes ascending, counts in range", () => {
    const base = {
      sizes: "1e6,1e7",
      seconds: "10",
      "in-flight": "100",
      readers: "16",
      "seats-per-event": "50000",
      "load-connections": "2",
    };
    expect(parseScaleArguments(base).sizes).to.deep.equal([1e6, 1e7]);
    expect(() => parseScaleArguments({ ...base, sizes: "1e7,1e6" })).to.throw("must ascend");
    expect(() => parseScaleArguments({ ...base, sizes: "1e6,lots" })).to.throw("not a number");
    expect(() => parseScaleArguments({ ...base, "seats-per-event": "3000" })).to.throw("multiple of 2000");
    expect(() => parseScaleArguments({ ...base, sizes: "10000" })).to.throw("between 50,000");
  });
});
