// The scale benchmark's measurements: one node started by the caller, then for each size (ascending)
// the booking tables are bulk-loaded up to that many ticket rows (bulk-load.ts), vacuumed and
// analysed, and the same fixed load runs (fixed-load.ts); the disk the booking tables use is read
// from pg_total_relation_size. The invariant audit runs on each size's measured event, then on the
// whole database at the end. `growth` is the reserve+confirm p99 at the largest size over the smallest.
import pg from "pg";
import { auditDatabase, formatAudit } from "../audit.ts";
import {
  bookedSeatsPerTen,
  bookingTables,
  relationBytesSql,
  ensureBulkCatalog,
  loadTicketRows,
  seatsPerBooking,
  settleAfterLoad,
} from "./bulk-load.ts";
import {
  runFixedLoad,
  type FixedLoadFigures,
  type FixedLoadSettings,
  type ScaleTarget,
} from "./fixed-load.ts";

export interface RunningScaleTarget {
  target: ScaleTarget;
  stop(): Promise<void>;
}

export interface ScaleOptions extends FixedLoadSettings {
  /** Ticket rows to measure at, ascending. */
  sizes: number[];
  /** Connections that bulk-load at once. */
  loadConnections: number;
  start(): Promise<RunningScaleTarget>;
}

export interface DiskFigures {
  bytesByTable: Record<string, number>;
  totalBytes: number;
  bytesPerMillionTickets: number;
}

export interface SizeResult extends FixedLoadFigures {
  ticketRows: number;
  bulkEvents: number;
  loadSeconds: number;
  settleSeconds: number;
  disk: DiskFigures;
  audit: AuditSummary;
}

export interface AuditSummary {
  ok: boolean;
  violations: number;
  events: number;
  tickets: number;
  bookings: number;
  payments: number;
  seconds: number;
}

export interface GrowthDetail {
  baseTicketRows: number;
  largestTicketRows: number;
  reserveConfirmP99BaseMs: number;
  reserveConfirmP99LargestMs: number;
  opsPerSecRatio: number | null;
  firstReserveRatio: number | null;
  loadedActivationRatio: number | null;
}

export interface ScaleMeasurements {
  /** What the bulk events hold (bulk-load.ts): the disk per million tickets is of this mix. */
  bulkSample: { seatsPerEvent: number; soldFraction: number; ticketsPerBooking: number };
  sizes: SizeResult[];
  largestTicketRows: number;
  /** Reserve+confirm p99 at the largest size over the p99 at the smallest. */
  growth: number | null;
  growthDetail: GrowthDetail;
  audit: AuditSummary;
  auditOk: boolean;
}

const ratio = (largest: number, base: number): number | null =>
  base > 0 ? Number((largest / base).toFixed(2)) : null;

async function withClient<T>(databaseUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("SET statement_timeout = 0");
    return await work(client);
  } finally {
    await client.end();
  }
}

async function diskUsed(client: pg.Client, ticketRows: number): Promise<DiskFigures> {
  const bytesByTable: Record<string, number> = {};
  for (const table of bookingTables)
    bytesByTable[table] = Number((await client.query(relationBytesSql, [table])).rows[0].total);
  const totalBytes = Object.values(bytesByTable).reduce((sum, bytes) => sum + bytes, 0);
  return { bytesByTable, totalBytes, bytesPerMillionTickets: Math.round(totalBytes / (ticketRows / 1e6)) };
}

async function audit(client: pg.Client, eventId: string | null, log: (message: string) => void) {
  const startedAt = performance.now();
  const report = await auditDatabase(client, eventId);
  log(formatAudit(report));
  return {
    ok: report.ok,
    violations: report.checks.reduce((sum, check) => sum + check.violations, 0),
    events: report.events,
    tickets: report.tickets,
    bookings: report.bookings,
    payments: report.payments,
    seconds: Number(((performance.now() - startedAt) / 1000).toFixed(1)),
  };
}

async function measureSize(target: ScaleTarget, options: ScaleOptions, size: number): Promise<SizeResult> {
  const catalog = await withClient(target.databaseUrl, ensureBulkCatalog);
  options.log(`size ${size.toLocaleString("en")} ticket rows: loading`);
  const loaded = await loadTicketRows(target.databaseUrl, size, {
    seatsPerEvent: options.seatsPerEvent,
    ...catalog,
    connections: options.loadConnections,
    log: options.log,
  });
  const settleStartedAt = performance.now();
  await withClient(target.databaseUrl, settleAfterLoad);
  const settleSeconds = Number(((performance.now() - settleStartedAt) / 1000).toFixed(1));
  options.log(
    `  ${loaded.ticketRows} ticket rows (load ${loaded.loadSeconds} s, vacuum and checkpoint ${settleSeconds} s)`,
  );
  const figures = await runFixedLoad(target, options, loaded.bulkEvents, `size-${size}`);
  return withClient(target.databaseUrl, async (client) => {
    const { rows } = await client.query("SELECT count(*)::bigint AS count FROM tickets");
    const ticketRows = Number(rows[0].count);
    const disk = await diskUsed(client, ticketRows);
    options.log(
      `  disk: ${disk.bytesPerMillionTickets} bytes per million tickets (${disk.totalBytes} in all)`,
    );
    return {
      ...loaded,
      ticketRows,
      settleSeconds,
      ...figures,
      disk,
      audit: await audit(client, figures.eventId, options.log),
    };
  });
}

function growthOf(sizes: SizeResult[]): GrowthDetail {
  const base = sizes[0];
  const largest = sizes[sizes.length - 1];
  return {
    baseTicketRows: base.ticketRows,
    largestTicketRows: largest.ticketRows,
    reserveConfirmP99BaseMs: base.reserveConfirm.p99Ms,
    reserveConfirmP99LargestMs: largest.reserveConfirm.p99Ms,
    opsPerSecRatio: ratio(largest.reserveConfirm.opsPerSec, base.reserveConfirm.opsPerSec),
    firstReserveRatio: ratio(largest.activation.firstReserveMs, base.activation.firstReserveMs),
    loadedActivationRatio: ratio(largest.activation.loadedQueryMedianMs, base.activation.loadedQueryMedianMs),
  };
}

export async function measureScale(options: ScaleOptions): Promise<ScaleMeasurements> {
  const sizes = [...options.sizes].sort((a, b) => a - b);
  const running = await options.start();
  const results: SizeResult[] = [];
  try {
    for (const size of sizes) results.push(await measureSize(running.target, options, size));
  } finally {
    await running.stop();
  }
  options.log("audit of the whole database:");
  const whole = await withClient(running.target.databaseUrl, (client) => audit(client, null, options.log));
  const growthDetail = growthOf(results);
  return {
    bulkSample: {
      seatsPerEvent: options.seatsPerEvent,
      soldFraction: bookedSeatsPerTen / 10,
      ticketsPerBooking: seatsPerBooking,
    },
    sizes: results,
    largestTicketRows: growthDetail.largestTicketRows,
    growth: ratio(growthDetail.reserveConfirmP99LargestMs, growthDetail.reserveConfirmP99BaseMs),
    growthDetail,
    audit: whole,
    auditOk: whole.ok && results.every((size) => size.audit.ok),
  };
}
