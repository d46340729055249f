// The capacity planner (loadtest/plan/): its arithmetic on results files written here with known
// figures, what it says when a benchmark has not run (the command to run, no number invented), and
// its strict reading of the command line.
import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { makePlan, runPlan, type Plan } from "../../../loadtest/plan/plan.ts";
import { parsePlanArguments } from "../../../loadtest/plan/plan-arguments.ts";

const measuredAt = "2026-12-07T12:00:00.000Z";
const bytes = {
  tickets: 200,
  booking_tickets: 100,
  bookings: 500,
  payments: 500,
  idempotency_keys: 900,
  idempotency_user_keys: 100,
};
const scaleSize = (ticketRows: number, p99Ms: number) => ({
  ticketRows,
  reserveConfirm: { p99Ms, opsPerSec: 300 },
  disk: { bytesPerMillionTickets: 600e6 },
  activation: { firstReserveMs: 200, loadedQueryMedianMs: 90 },
});

const files: Record<string, unknown> = {
  "rows.json": {
    generatedAt: measuredAt,
    tables: Object.fromEntries(
      Object.entries(bytes).map(([table, total]) => [table, { totalBytesPerRow: total }]),
    ),
  },
  "scale.json": {
    generatedAt: measuredAt,
    machine: { cpus: 2 },
    largestTicketRows: 30e6,
    growth: 1.6,
    growthDetail: { loadedActivationRatio: 1.1 },
    bulkSample: { seatsPerEvent: 50_000, soldFraction: 0.4, ticketsPerBooking: 2 },
    // 10M rows within 1.5x of the 1M p99, 30M past it: 10M is the size one Postgres held flat.
    sizes: [scaleSize(1e6, 100), scaleSize(10e6, 140), scaleSize(30e6, 160)],
  },
  "http.json": {
    generatedAt: measuredAt,
    machine: { cpus: 2 },
    engines: {
      marquee: { phases: { "reserve+confirm": { "100": { opsPerSec: 400, pgTransactionsPerOp: 5 } } } },
    },
    waitingRoomJoins: { "100": { requestsPerSec: 1_500 }, "1000": { requestsPerSec: 2_000 } },
  },
  "search.json": {
    at: measuredAt,
    events: 1_000_000,
    machine: { cpus: 2 },
    index: { queriesPerSec: 500, p95Ms: 18 },
    cached: { requestsPerSec: 4_000 },
  },
  "fanout.json": {
    date: measuredAt,
    machine: { cpus: 2 },
    clients: 10_000,
    framesPerClientPerSec: 8,
    gatewayCpuMicrosPerSocketFrame: 10,
    p99Ms: 250,
  },
  "waiting-room.json": { measuredAt, joinsPerSec: 100_000, positionQueriesPerSec: 200_000 },
};

function resultsDirectory(names: string[]): string {
  const directory = mkdtempSync(path.join(os.tmpdir(), "marquee-plan-"));
  for (const name of names) writeFileSync(path.join(directory, name), JSON.stringify(files[name]));
  return directory;
}

const baseArgs = ["--events", "1M", "--tickets-per-event", "50k", "--peak-users", "10M"];

function plan(directory: string, extra: string[] = []): Plan {
  const inputs = parsePlanArguments([...baseArgs, "--results", directory, ...extra]);
  return makePlan(inputs!);
}

const answer = (made: Plan, start: string) => made.answers.find((each) => each.question.startsWith(start))!;

describe("capacity planner", () => {
  const directories: string[] = [];
  const measuredEverything = () => {
    const directory = resultsDirectory(Object.keys(files));
    directories.push(directory);
    return directory;
  };
  after(() => {
    for (const directory of directories) rmSync(directory, { recursive: true, force: true });
  });

  it("sizes the ticket storage from the measured bytes per row", () => {
    const made = plan(measuredEverything(), ["--sold-fraction", "0.5", "--tickets-per-booking", "2"]);
    const storage = answer(made, "Ticket storage");
    // 200 + 0.5 x (100 + (500 + 500 + 1000) / 2) = 750 B a ticket
    expect(storage.figures).to.include({ ticketRows: 5e10, bytesPerTicket: 750, totalBytes: 3.75e13 });
    expect(storage.decision).to.match(/^37.5 TB on disk for 50,000,000,000 ticket rows \(750 B a ticket\)/);
    expect(storage.steps.some((step) => step.includes(`rows.json (2026-12-07 12:00 UTC)`))).to.equal(true);
    // The cross-check at bench:scale's sample: 200 + 0.4 x (100 + 2000 / 2) = 640 B against 600 measured.
    expect(
      storage.steps.some((step) => step.includes("= 640 B a ticket; bench:scale measured 600 B")),
    ).to.equal(true);
  });

  it("counts Postgres nodes against the most ticket rows one held with its p99 within 1.5x", () => {
    const postgres = answer(plan(measuredEverything()), "One Postgres");
    expect(postgres.figures.postgresNodes).to.equal(5_000); // 5e10 / 1e7
    expect(postgres.decision).to.match(/^several: 5,000 Postgres nodes/);
    const small = answer(
      makePlan(
        parsePlanArguments([
          "--events",
          "100",
          "--tickets-per-event",
          "50k",
          "--peak-users",
          "1k",
          "--results",
          measuredEverything(),
        ])!,
      ),
      "One Postgres",
    );
    expect(small.figures.postgresNodes).to.equal(1);
    expect(small.decision).to.match(/^one Postgres/);
  });

  it("answers the cache hit ratio search needs and the nodes that answer it", () => {
    const search = answer(plan(measuredEverything()), "Search");
    // 10M x 0.1 = 1M searches/s; the index answers 500: 99.95% must be hits; 1M / 4,000 = 250 nodes
    expect(search.figures).to.include({ searchesPerSec: 1e6, cacheHitRatioNeeded: 0.9995, searchNodes: 250 });
    expect(search.decision).to.match(/^a cache is needed: at least 99.95% of the 1,000,000 searches\/s/);
    const quiet = answer(plan(measuredEverything(), ["--searches-per-user-per-sec", "0.00001"]), "Search");
    expect(quiet.figures.cacheHitRatioNeeded).to.equal(0);
    expect(quiet.decision).to.match(/^no cache needed/);
  });

  it("puts hot events on booking nodes by the cores measured, with the sell-out time", () => {
    const booking = answer(
      plan(measuredEverything(), ["--hot-events", "10", "--node-cores", "8"]),
      "Booking nodes",
    );
    // 8 cores / 2 measured = 4 hot events a node; 10 events -> 3 nodes; 50,000 seats / 400 buys/s = 125 s
    expect(booking.figures).to.include({ hotEventsPerNode: 4, bookingNodes: 3, sellOutSeconds: 125 });
    expect(booking.figures.postgresTransactionsPerSec).to.equal(10 * 400 * 5);
    expect(booking.figures.activationMs).to.equal(90);
    expect(booking.run).to.deep.equal([]);
  });

  it("counts gateway nodes for the fan-out by CPU and by clients", () => {
    const fanout = answer(plan(measuredEverything()), "Gateway nodes");
    // 10M x 8 frames/s x 10 µs = 800 cores / 2 = 400 nodes; by clients 10M / 10,000 = 1,000 nodes
    expect(fanout.figures).to.include({ framesPerSec: 8e7, gatewayCores: 800, gatewayNodes: 1_000 });
  });

  it("sizes the waiting room's Redis and the gateway nodes that take the joins", () => {
    const room = answer(plan(measuredEverything(), ["--hot-events", "4"]), "Waiting-room");
    // 10M in 60 s = 166,667/s: 2 Redis; a hot event's queue 41,667/s fits one; 166,667 / 2,000 = 84 gateways
    expect(room.figures).to.include({ redisShards: 2, joinGatewayNodes: 84 });
    expect(room.decision).to.match(/^Redis Cluster of 2 masters/);
    const one = answer(plan(measuredEverything()), "Waiting-room");
    expect(one.decision).to.match(/^one event's queue needs 166,667 joins\/s, more than one Redis takes/);
  });

  it("names the benchmark to run for a figure not measured, and invents none", () => {
    const directory = resultsDirectory(["rows.json"]);
    directories.push(directory);
    const made = plan(directory);
    expect(answer(made, "Ticket storage").figures.totalBytes).to.be.a("number");
    const search = answer(made, "Search");
    expect(search.figures).to.not.have.property("cacheHitRatioNeeded");
    expect(search.decision).to.equal("undecided until measured: run `npm run bench:search`");
    expect(answer(made, "Booking nodes").run.sort()).to.deep.equal([
      "npm run bench:http",
      "npm run bench:scale",
    ]);
    expect(made.run).to.include.members([
      "npm run bench:scale",
      "npm run bench:fanout",
      "npm run bench:waiting-room",
    ]);
    expect(runPlan([...baseArgs, "--results", directory]).output).to.match(
      /\nNot measured yet: run `npm run bench:scale`, .*`npm run bench:search`/,
    );
  });

  it("prints JSON with --json", () => {
    const { output, exitCode } = runPlan([...baseArgs, "--results", measuredEverything(), "--json"]);
    expect(exitCode).to.equal(0);
    const parsed = JSON.parse(output);
    expect(parsed.inputs).to.include({ events: 1e6, ticketsPerEvent: 50_000, peakUsers: 1e7 });
    expect(parsed.answers).to.have.length(6);
  });

  it("reads numbers as 1000000, 1_000_000, 1e6 or 1M", () => {
    for (const written of ["1000000", "1_000_000", "1e6", "1M", "1m"])
      expect(
        parsePlanArguments(["--events", written, "--tickets-per-event", "1", "--peak-users", "1"])!.events,
      ).to.equal(1e6);
  });

  it("refuses a bad command line with the reason and the usage (exit 2)", () => {
    const refused = (args: string[]) => {
      const { output, exitCode } = runPlan(args);
      expect(exitCode).to.equal(2);
      expect(output).to.include("Usage: npm run plan");
      return output.split("\n")[0];
    };
    expect(refused(["--tickets-per-event", "1", "--peak-users", "1"])).to.equal("plan: --events is required");
    expect(refused([...baseArgs, "--bogus", "1"])).to.match(/Unknown option '--bogus'/);
    expect(refused([...baseArgs, "stray"])).to.match(/positional argument/);
    expect(refused([...baseArgs, "--hot-events", "2x"])).to.equal(
      'plan: --hot-events "2x": not a number (write 1000000, 1e6 or 1M)',
    );
    expect(refused([...baseArgs, "--hot-events", "1.5"])).to.equal(
      'plan: --hot-events "1.5": must be a whole number',
    );
    expect(refused([...baseArgs, "--sold-fraction", "2"])).to.match(
      /--sold-fraction "2": must be between 0 and 1/,
    );
    expect(refused([...baseArgs, "--events", "0"])).to.match(/--events "0": must be between 1 and/);
    expect(
      refused(["--events", "5", "--tickets-per-event", "1", "--peak-users", "1", "--hot-events", "6"]),
    ).to.equal("plan: --hot-events 6: more than the 5 events");
    expect(refused([...baseArgs, "--events"])).to.match(/argument missing/);
    expect(runPlan(["--help"])).to.deep.include({ exitCode: 0 });
  });
});
