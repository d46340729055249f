// `npm run rush`: a Taylor Swift on-sale on this machine. Starts Marquee as separate processes over
// NATS (one gateway, two actor nodes, the indexer), creates an event (20,000 seats, waiting room on),
// and drives virtual users (200,000) through the real flow over HTTP and Socket.IO: join the waiting room ->
// wait for admission -> follow the live seat map -> reserve (pick again on 409) -> pay, be declined,
// or abandon the hold. Prints a live progress line, then the audit of the database; writes
// loadtest/results/rush.json and rush.html; exits non-zero on any invariant violation.
import { mkdir, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import pg from "pg";
import {
  connectRealtime,
  followSeats,
  SeatSync,
  type CompactSnapshot,
  type MarqueeSocket,
  type SeatsFrame,
} from "../../client/src/index.ts";
import { startCluster, type Cluster } from "../cluster.ts";
import { oneAddressManyClientsEnv } from "../client-caps-env.ts";
import { classicNodeScript } from "../classic/classic-node.ts";
import { auditDatabase, formatAudit } from "../audit.ts";
import { createTokenVerifier } from "../../gateway/auth.ts";
import { loadConfig } from "../../platform/config.ts";
import { HttpClient } from "./http-client.ts";
import { RunRecorder } from "./recorder.ts";
import { SeatMirror } from "./seat-mirror.ts";
import { defaultBehaviour, shop, type ShopperBehaviour, type ShopperOutcome } from "./shopper.ts";
import { WaitingRoomCrowd, type WaitingUser } from "./waiting-room-crowd.ts";
import { renderReport, type RunSummary } from "./report.ts";
import { runSoldOutWaitlist } from "./waitlist-phase.ts";
import { parseRushArguments, type RushArguments } from "./rush-arguments.ts";
import { ArgumentError } from "../cli-numbers.ts";
import { seededRandom } from "../../domain/random.ts";

export interface RushOptions {
  seats: number;
  users: number;
  port: number;
  presaleSeconds: number;
  arrivalSeconds: number;
  earlyShare: number;
  durationMaxSeconds: number;
  maxActiveShoppers: number;
  admitPerMinute: number;
  holdTtlSeconds: number;
  pollsPerSecondMax: number;
  /** Waiting users holding a socket for the admission push at once (one gateway holds 20,000). */
  waitingSocketsMax: number;
  inFlightMax: number;
  seed: number;
  quiet: boolean;
  keepDatabase: boolean;
  databaseUrl?: string;
  resultsName: string;
  /**
   * The booking engine the cluster runs: Marquee's actors, or the classic baseline (one Postgres
   * transaction per request behind Redis hold locks: booking nodes started by
   * loadtest/classic/classic-node.ts).
   */
  engine: "actors" | "classic";
  /**
   * Once sold out (actors only): this many users join the waiting list, and the organiser cancels
   * `waitlistCancellations` bookings whose seats go to them (waitlist-phase.ts). 0: no such phase.
   */
  waitlistWaiters?: number;
  waitlistCancellations?: number;
}

export const defaultRushOptions: RushOptions = {
  seats: 20_000,
  users: 200_000,
  port: 3100,
  presaleSeconds: 20,
  arrivalSeconds: 60,
  // The share of the crowd in the room before the sale (the lottery): they can be anywhere in the
  // line, so each needs a socket to hear its admission at once; sized to the socket budget.
  earlyShare: 0.05,
  durationMaxSeconds: 600,
  maxActiveShoppers: 400,
  admitPerMinute: 60_000,
  holdTtlSeconds: 30,
  pollsPerSecondMax: 400,
  waitingSocketsMax: 12_000,
  inFlightMax: 256,
  seed: 1,
  quiet: false,
  keepDatabase: false,
  resultsName: "rush",
  engine: "actors",
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sections of 20 rows x 50 seats (the last one smaller) adding up to `seats`. */
function stadiumSections(seats: number) {
  const sections = [];
  for (let index = 0, left = seats; left > 0; index++) {
    const rows = [];
    for (let row = 1; row <= 20 && left > 0; row++) {
      const count = Math.min(50, left);
      rows.push({ label: String(row), seats: count });
      left -= count;
    }
    sections.push({ name: `Section ${101 + index}`, priceCents: 9_900 + 1_000 * (index % 5), rows });
  }
  return sections;
}

export async function runRush(
  partial: Partial<RushOptions> = {},
): Promise<{ summary: RunSummary; ok: boolean }> {
  const options = { ...defaultRushOptions, ...partial };
  const random = seededRandom(options.seed);
  const databaseUrl =
    options.databaseUrl ??
    `postgres://postgres@127.0.0.1:5432/marquee_${options.resultsName}_${Date.now().toString(36)}`;
  const config = loadConfig({ ...process.env, DATABASE_URL: databaseUrl });
  const tokens = createTokenVerifier(config);
  const classic = options.engine === "classic";
  const log = (line: string) => {
    if (!options.quiet) console.log(classic ? `[baseline] ${line}` : line);
  };
  // The baseline has no best-available search (it answers 400): its groups pick seats from the map.
  const behaviour: ShopperBehaviour = classic
    ? { ...defaultBehaviour, bestAvailableShare: 0 }
    : defaultBehaviour;

  log(
    `rush: starting the cluster (gateway, 2 ${classic ? "classic booking" : "actor"} nodes, indexer) on port ${options.port}`,
  );
  const cluster: Cluster = await startCluster({
    databaseUrl,
    port: options.port,
    env: {
      HOLD_TTL_SECONDS: String(options.holdTtlSeconds),
      RATE_LIMIT_PER_WINDOW: "100000000",
      ...oneAddressManyClientsEnv, // every simulated user connects from 127.0.0.1
      LOG_LEVEL: "warn",
      DEMO_DATA: "false",
    },
    ...(classic ? { bookingNodeScript: classicNodeScript } : {}),
  });
  const http = new HttpClient(cluster.baseUrl, 20_000, options.inFlightMax + 64);
  const recorder = new RunRecorder();
  const outcomes: Record<ShopperOutcome, number> = {
    bought: 0,
    declined: 0,
    abandoned: 0,
    soldOut: 0,
    failed: 0,
  };
  let sold = 0;
  let sellOutSeconds: number | null = null;
  let shopping = 0;
  let observer: MarqueeSocket | null = null;
  try {
    // The event.
    const admin = `Bearer ${await tokens.issue({ id: "rush-admin", role: "admin" })}`;
    const venue = await http.request(
      "POST",
      "/admin/venues",
      { name: "Estádio da Luz", city: "Lisbon", country: "Portugal", lat: 38.7527, lng: -9.1847 },
      { authorization: admin },
    );
    const performer = await http.request(
      "POST",
      "/admin/performers",
      { name: "Taylor Swift", genre: "pop" },
      { authorization: admin },
    );
    const onSaleAt = new Date(Date.now() + options.presaleSeconds * 1_000);
    const created = await http.request(
      "POST",
      "/admin/events",
      {
        name: "Taylor Swift | The Eras Tour (rush)",
        type: "concert",
        venueId: venue.body?.id,
        performerIds: [performer.body?.id],
        startsAt: new Date(Date.now() + 90 * 86_400_000).toISOString(),
        onSaleAt: onSaleAt.toISOString(),
        sections: stadiumSections(options.seats),
        waitingRoom: {
          enabled: true,
          maxActiveShoppers: options.maxActiveShoppers,
          admitPerMinute: options.admitPerMinute,
          tokenTtlSeconds: 120,
        },
      },
      { authorization: admin },
    );
    if (created.status !== 201)
      throw new Error(`creating the event failed: ${created.status} ${JSON.stringify(created.body)}`);
    const eventId: string = created.body.event.id;
    log(
      `rush: event ${eventId} with ${options.seats} seats, on sale in ${options.presaleSeconds} s; ${options.users} users`,
    );

    // The shared live seat map: the layout and the compact map, then the deltas of one observer socket.
    const layout = await http.request("GET", `/events/${eventId}/layout`);
    const initial = await http.request("GET", `/events/${eventId}/tickets?format=compact`);
    const mirror = SeatMirror.fromCompact(layout.body, initial.body);
    // The server's own word that every seat is booked (only deltas and refetches mark "booked"): the
    // sale is over even when a shopper never saw its 201 (e.g. its confirm answer timed out).
    let soldOutOnMap = false;
    const checkSoldOut = () => {
      if (soldOutOnMap || !mirror.soldOut()) return;
      soldOutOnMap = true;
      sellOutSeconds ??= recorder.elapsedSeconds() - options.presaleSeconds;
    };
    // The typed client keeps the mirror current: one refetch of the compact map at a time on a gap.
    const sync = new SeatSync<CompactSnapshot, SeatsFrame>({
      board: mirror,
      fetchSnapshot: async () => {
        const fresh = await http.request("GET", `/events/${eventId}/tickets?format=compact`);
        if (fresh.status !== 200) throw new Error(`compact map: ${fresh.status}`);
        return fresh.body;
      },
      onChange: checkSoldOut,
    });
    observer = connectRealtime(cluster.baseUrl, { transports: ["websocket"] });
    followSeats(observer, eventId, sync);

    const over = () =>
      sold >= options.seats || soldOutOnMap || recorder.elapsedSeconds() > options.durationMaxSeconds;
    const shoppers = new Set<Promise<void>>();
    const line = new WaitingRoomCrowd(
      {
        http,
        baseUrl: cluster.baseUrl,
        eventId,
        recorder,
        pollsPerSecondMax: options.pollsPerSecondMax,
        socketsMax: options.waitingSocketsMax,
        inFlightMax: options.inFlightMax,
        isOver: over,
        onAdmitted: (user: WaitingUser, admissionToken: string) => {
          shopping++;
          const run = shop(user.userId, user.token, admissionToken, {
            http,
            baseUrl: cluster.baseUrl,
            eventId,
            mirror,
            recorder,
            behaviour,
            random,
            connectSockets: true,
            onSold: (count) => {
              sold += count;
              if (sold >= options.seats && sellOutSeconds === null)
                sellOutSeconds = recorder.elapsedSeconds() - options.presaleSeconds;
            },
          })
            .then((outcome) => {
              outcomes[outcome]++;
            })
            .finally(() => {
              shopping--;
              shoppers.delete(run);
            });
          shoppers.add(run);
        },
      },
      random,
    );

    // Arrivals: early joiners over the presale window (the lottery), the rest after the sale opens.
    const arrivals = (async () => {
      const early = Math.round(options.users * options.earlyShare);
      const joins = new Set<Promise<void>>();
      for (let index = 0; index < options.users && !over(); index++) {
        const atMs =
          index < early
            ? (index / Math.max(1, early)) * (options.presaleSeconds - 2) * 1_000
            : options.presaleSeconds * 1_000 +
              ((index - early) / Math.max(1, options.users - early)) * options.arrivalSeconds * 1_000;
        const waitMs = atMs - recorder.elapsedSeconds() * 1_000;
        if (waitMs > 5) await sleep(waitMs);
        const userId = `fan-${index}`;
        const user: WaitingUser = {
          userId,
          token: await tokens.issue({ id: userId, role: "user" }, 3_600),
          joinAttempts: 0,
        };
        const join = line.join(user).finally(() => joins.delete(join));
        joins.add(join);
        while (joins.size >= options.inFlightMax) await Promise.race(joins);
      }
      await Promise.all(joins);
    })();
    let arrivalsDone = false;
    void arrivals.then(() => (arrivalsDone = true));
    const polling = line.run();

    // Live progress, once a second.
    const progress = setInterval(() => {
      const errors = Object.entries(recorder.statuses)
        .filter(([key]) => /\s(0|5\d\d)$/.test(key))
        .reduce((sum, [, count]) => sum + count, 0);
      recorder.setGauges({ sold, waiting: line.waiting, admitted: line.admitted, shopping });
      const text = `t=${recorder.elapsedSeconds().toFixed(0)}s joined=${line.joined} waiting=${line.waiting} admitted=${line.admitted} sockets=${line.socketsOpen} shopping=${shopping} sold=${sold}/${options.seats} reserve p99=${recorder.recentP99("reserve") ?? "-"}ms confirm p99=${recorder.recentP99("confirm") ?? "-"}ms errors=${errors}`;
      if (!options.quiet) process.stdout.write(process.stdout.isTTY ? `\r${text}\x1b[K` : `${text}\n`);
    }, 1_000);

    while (!over() && !(arrivalsDone && line.waiting === 0 && shopping === 0)) await sleep(250);
    await Promise.race([Promise.all([...shoppers]), sleep(30_000)]);
    await Promise.race([arrivals, sleep(5_000)]);
    await Promise.race([polling, sleep(1_000)]);
    line.close();
    clearInterval(progress);
    recorder.setGauges({ sold, waiting: line.waiting, admitted: line.admitted, shopping });
    if (!options.quiet) process.stdout.write("\n");
    const waitlist =
      !classic && (options.waitlistWaiters ?? 0) > 0 && sold >= options.seats
        ? await runSoldOutWaitlist({
            baseUrl: cluster.baseUrl,
            eventId,
            request: (method, path, body, headers) => http.request(method, path, body, headers),
            issueToken: (userId, role) => tokens.issue({ id: userId, role }),
            waiters: options.waitlistWaiters!,
            cancellations: options.waitlistCancellations ?? 1,
            seed: options.seed,
          })
        : undefined;
    if (waitlist) log(`rush: sold-out phase with a waiting list: ${JSON.stringify(waitlist)}`);

    // The audit, after every hold has been given time to settle (abandoned holds may still be live).
    const client = new pg.Client({ connectionString: databaseUrl, statement_timeout: 120_000 });
    await client.connect();
    const audit = await auditDatabase(client, eventId).finally(() => client.end());
    const auditText = formatAudit(audit);
    log(auditText);

    const summary: RunSummary = {
      label: classic ? "Classic baseline" : "Marquee",
      system: classic
        ? "1 gateway + 2 classic booking nodes (a Postgres transaction per request, Redis SET NX EX hold locks) + indexer over NATS; groups pick seats (no best available)"
        : "1 gateway + 2 actor nodes + indexer over NATS",
      seats: options.seats,
      users: options.users,
      sold,
      sellOutSeconds,
      durationSeconds: recorder.elapsedSeconds(),
      onSaleSecond: options.presaleSeconds,
      reserve: recorder.latency("reserve"),
      confirm: recorder.latency("confirm"),
      join: recorder.latency("join"),
      waitingRoom: {
        joined: line.joined,
        admitted: line.admitted,
        admittedByPush: line.admittedByPush,
        socketsPeak: line.socketsMaxSeen,
      },
      outcomes,
      statuses: recorder.statuses,
      audit: { ok: audit.ok, text: auditText },
      timeline: recorder.timeline(),
      ...(waitlist ? { waitlist } : {}),
    };
    return { summary, ok: audit.ok };
  } finally {
    observer?.disconnect();
    http.close();
    await cluster.stop();
    if (!options.keepDatabase) await dropDatabase(databaseUrl).catch(() => {});
  }
}

async function dropDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = url.pathname.slice(1);
  url.pathname = "/postgres";
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

export async function writeResults(
  name: string,
  runs: RunSummary[],
): Promise<{ jsonPath: string; htmlPath: string }> {
  const directory = fileURLToPath(new URL("../results/", import.meta.url));
  await mkdir(directory, { recursive: true });
  const jsonPath = `${directory}${name}.json`;
  const htmlPath = `${directory}${name}.html`;
  const generatedAt = new Date().toISOString();
  await writeFile(jsonPath, JSON.stringify({ generatedAt, runs }, null, 2));
  await writeFile(htmlPath, renderReport(runs, generatedAt));
  return { jsonPath, htmlPath };
}

// CLI
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  let parsed: RushArguments;
  try {
    parsed = parseRushArguments(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof ArgumentError)) throw error;
    console.error(`rush: ${error.message}`);
    process.exit(2);
  }
  const { options, baseline } = parsed;
  // Marquee first, then the classic baseline with the same options and seed (--no-baseline skips it).
  const runs: RunSummary[] = [];
  let ok = true;
  const engines: RushOptions["engine"][] = baseline ? ["actors", "classic"] : ["actors"];
  for (const engine of engines) {
    const run = await runRush({
      ...options,
      engine,
      resultsName: engine === "classic" ? "rush_classic" : "rush",
    });
    runs.push(run.summary);
    ok &&= run.ok;
  }
  const { htmlPath } = await writeResults("rush", runs);
  for (const summary of runs)
    console.log(
      `rush ${summary.label}: sold ${summary.sold}/${summary.seats} in ${summary.sellOutSeconds?.toFixed(1) ?? "-"} s; reserve p50 ${summary.reserve.p50Ms} ms p99 ${summary.reserve.p99Ms} ms; confirm p99 ${summary.confirm.p99Ms} ms; audit ${summary.audit.ok ? "clean" : "VIOLATIONS"}`,
    );
  console.log(`rush: report ${htmlPath}`);
  process.exit(ok ? 0 : 1);
}
