// The measured figures the capacity planner works from, each read from a results file a benchmark
// wrote (loadtest/results/*.json by default) and named with that file and the time it was measured.
// A figure whose file is missing (or lacks it) is not invented: it says which command measures it.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

export interface Measured {
  value: number;
  /** `<file> (<date measured>): <what>`, printed beside every use of the figure. */
  source: string;
}

export interface Missing {
  missing: string;
  /** The command that measures it. */
  run: string;
}

export type Figure = Measured | Missing;

export const isMeasured = (figure: Figure): figure is Measured => "value" in figure;

/** The growth of the reserve+confirm p99 a size may show over the smallest and still count as flat (issue 20). */
export const growthAllowed = 1.5;

export interface Measurements {
  directory: string;
  /** Bytes on disk per row (pg_total_relation_size / rows), by booking table. */
  rowBytes: Record<
    "tickets" | "booking_tickets" | "bookings" | "payments" | "idempotency_keys" | "idempotency_user_keys",
    Figure
  >;
  scale: {
    /** The most ticket rows one Postgres held with the reserve+confirm p99 within growthAllowed of the smallest size. */
    flatTicketRows: Figure;
    largestTicketRows: Figure;
    growth: Figure;
    bytesPerMillionTickets: Figure;
    firstReserveMs: Figure;
    loadedActivationMs: Figure;
    activationGrowth: Figure;
    sampleSeatsPerEvent: Figure;
    sampleSoldFraction: Figure;
    sampleTicketsPerBooking: Figure;
    reserveConfirmPerSec: Figure;
    cores: Figure;
  };
  http: { reserveConfirmPerSec: Figure; pgTransactionsPerBuy: Figure; joinsPerSec: Figure; cores: Figure };
  search: { indexPerSec: Figure; indexP95Ms: Figure; cachedPerSec: Figure; events: Figure; cores: Figure };
  fanout: {
    clients: Figure;
    framesPerClientPerSec: Figure;
    cpuMicrosPerSocketFrame: Figure;
    p99Ms: Figure;
    cores: Figure;
  };
  waitingRoom: { joinsPerSec: Figure; positionQueriesPerSec: Figure };
}

type Json = any;

interface ResultsFile {
  name: string;
  run: string;
  json: Json | null;
  date: string;
}

function readResults(
  directory: string,
  name: string,
  run: string,
  dateOf: (json: Json) => unknown,
): ResultsFile {
  const file = path.join(directory, name);
  if (!existsSync(file)) return { name, run, json: null, date: "" };
  let json: Json;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(`${file}: not JSON (${(error as Error).message}); run \`${run}\` again`);
  }
  const date =
    typeof dateOf(json) === "string" ? String(dateOf(json)).slice(0, 16).replace("T", " ") : "date unknown";
  return { name, run, json, date: `${date} UTC` };
}

/** The number at `pick(json)` of a results file, or what to run to have it. */
function figure(results: ResultsFile, what: string, pick: (json: Json) => unknown): Figure {
  const missing = { missing: `${what} (${results.name})`, run: results.run };
  if (results.json === null) return missing;
  let value: unknown;
  try {
    value = pick(results.json);
  } catch {
    return missing;
  }
  if (typeof value !== "number" || !Number.isFinite(value)) return missing;
  return { value, source: `${results.name} (${results.date}): ${what}` };
}

interface ScaleSize {
  ticketRows: number;
  reserveConfirm: { p99Ms: number; opsPerSec: number };
  disk: { bytesPerMillionTickets: number };
  activation: { firstReserveMs: number; loadedQueryMedianMs: number };
}

/** The largest size whose reserve+confirm p99 stayed within growthAllowed of the smallest size's. */
function flatTicketRows(json: Json): number {
  const sizes = json.sizes as ScaleSize[];
  const base = sizes[0].reserveConfirm.p99Ms;
  const flat = sizes.filter((size) => size.reserveConfirm.p99Ms <= growthAllowed * base);
  return Math.max(...flat.map((size) => size.ticketRows));
}

/** The best join level (by requests in flight since issue 14; one figure, 100 in flight, before). */
const joinsPerSecond = (json: Json): number =>
  json.waitingRoomJoins
    ? Math.max(...Object.values(json.waitingRoomJoins).map((join: Json) => join.requestsPerSec))
    : json.waitingRoomJoin.requestsPerSec;

const largest = (json: Json): ScaleSize => json.sizes[json.sizes.length - 1];

function scaleFigures(directory: string): Measurements["scale"] {
  const scale = readResults(directory, "scale.json", "npm run bench:scale", (json) => json.generatedAt);
  const atLargest = (what: string) => `${what} at the largest size`;
  return {
    flatTicketRows: figure(
      scale,
      `ticket rows in one Postgres with the reserve+confirm p99 within ${growthAllowed}x of the smallest size's`,
      flatTicketRows,
    ),
    largestTicketRows: figure(scale, "largest ticket rows measured", (json) => json.largestTicketRows),
    growth: figure(scale, "reserve+confirm p99, largest size / smallest", (json) => json.growth),
    bytesPerMillionTickets: figure(
      scale,
      atLargest("disk bytes per million tickets"),
      (json) => largest(json).disk.bytesPerMillionTickets,
    ),
    firstReserveMs: figure(
      scale,
      atLargest("first reserve of a fresh event (activation), ms"),
      (json) => largest(json).activation.firstReserveMs,
    ),
    loadedActivationMs: figure(
      scale,
      atLargest("activation query of a bulk-loaded event, median ms"),
      (json) => largest(json).activation.loadedQueryMedianMs,
    ),
    sampleSeatsPerEvent: figure(scale, "seats of its events", (json) => json.bulkSample.seatsPerEvent),
    sampleSoldFraction: figure(
      scale,
      "share of the bulk-loaded seats sold",
      (json) => json.bulkSample.soldFraction,
    ),
    sampleTicketsPerBooking: figure(
      scale,
      "seats a bulk-loaded booking",
      (json) => json.bulkSample.ticketsPerBooking,
    ),
    activationGrowth: figure(
      scale,
      "activation query, largest size / smallest",
      (json) => json.growthDetail.loadedActivationRatio,
    ),
    reserveConfirmPerSec: figure(
      scale,
      atLargest("reserve+confirm buys/s of one event, 100 in flight"),
      (json) => largest(json).reserveConfirm.opsPerSec,
    ),
    cores: figure(scale, "cores of the machine measured", (json) => json.machine.cpus),
  };
}

function rowFigures(directory: string): Measurements["rowBytes"] {
  const rows = readResults(directory, "rows.json", "npm run measure:rows", (json) => json.generatedAt);
  const bytes = (table: string) =>
    figure(
      rows,
      `bytes per ${table} row (pg_total_relation_size / rows)`,
      (json) => json.tables[table].totalBytesPerRow,
    );
  return {
    tickets: bytes("tickets"),
    booking_tickets: bytes("booking_tickets"),
    bookings: bytes("bookings"),
    payments: bytes("payments"),
    idempotency_keys: bytes("idempotency_keys"),
    idempotency_user_keys: bytes("idempotency_user_keys"),
  };
}

export function readMeasurements(directory: string): Measurements {
  const http = readResults(directory, "http.json", "npm run bench:http", (json) => json.generatedAt);
  const buy = (json: Json) => json.engines.marquee.phases["reserve+confirm"]["100"];
  const search = readResults(directory, "search.json", "npm run bench:search", (json) => json.at);
  const fanout = readResults(directory, "fanout.json", "npm run bench:fanout", (json) => json.date);
  const room = readResults(
    directory,
    "waiting-room.json",
    "npm run bench:waiting-room",
    (json) => json.measuredAt,
  );
  return {
    directory,
    rowBytes: rowFigures(directory),
    scale: scaleFigures(directory),
    http: {
      reserveConfirmPerSec: figure(
        http,
        "reserve+confirm buys/s of one event, 100 in flight, through HTTP",
        (json) => buy(json).opsPerSec,
      ),
      pgTransactionsPerBuy: figure(
        http,
        "Postgres transactions per buy",
        (json) => buy(json).pgTransactionsPerOp,
      ),
      joinsPerSec: figure(http, "waiting-room joins/s through HTTP, one node", joinsPerSecond),
      cores: figure(http, "cores of the machine measured", (json) => json.machine.cpus),
    },
    search: {
      indexPerSec: figure(search, "searches/s of the index, no cache", (json) => json.index.queriesPerSec),
      indexP95Ms: figure(search, "search p95 ms, no cache", (json) => json.index.p95Ms),
      cachedPerSec: figure(
        search,
        "cached searches/s through HTTP, one node",
        (json) => json.cached.requestsPerSec,
      ),
      events: figure(search, "events in the catalog searched", (json) => json.events),
      cores: figure(search, "cores of the machine measured", (json) => json.machine.cpus),
    },
    fanout: {
      clients: figure(fanout, "clients of one gateway", (json) => json.clients),
      framesPerClientPerSec: figure(
        fanout,
        "frames per client per second (coalesced deltas)",
        (json) => json.framesPerClientPerSec,
      ),
      cpuMicrosPerSocketFrame: figure(
        fanout,
        "gateway CPU µs per frame sent to one socket",
        (json) => json.gatewayCpuMicrosPerSocketFrame,
      ),
      p99Ms: figure(fanout, "commit-to-client p99 ms", (json) => json.p99Ms),
      cores: figure(fanout, "cores of the machine measured", (json) => json.machine.cpus),
    },
    waitingRoom: {
      joinsPerSec: figure(room, "joins/s through the join path, one Redis", (json) => json.joinsPerSec),
      positionQueriesPerSec: figure(
        room,
        "position queries/s, one Redis",
        (json) => json.positionQueriesPerSec,
      ),
    },
  };
}

/** The first of the figures that was measured, else the first one's missing note. */
export const firstMeasured = (...figures: Figure[]): Figure => figures.find(isMeasured) ?? figures[0];
