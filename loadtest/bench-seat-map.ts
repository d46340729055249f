// `npm run bench:seatmap`: what a full seat map read costs on a 100,000-seat event (10.8 MB of JSON),
// the read every shopper makes when the sale opens. One Marquee process on a database of its own.
//   1. render in process: the Ticket objects + JSON.stringify (the path before domain/seat-map-json.ts)
//      against SeatMapJson.render, one seat changed between renders;
//   2. GET /events/:id/tickets over HTTP: after a seat change, unchanged, and conditional (304);
//   3. 16 concurrent readers for 5 s while a writer reserves 50 seats a second.
// Prints the figures and writes loadtest/results/seat-map.json.
import { mkdir, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { loadConfig } from "../platform/config.ts";
import { startNode } from "../node.ts";
import { createTokenVerifier } from "../gateway/auth.ts";
import { buildSeatLayout, ticketsFromStatuses } from "../domain/seat-layout.ts";
import { SeatMapJson } from "../domain/seat-map-json.ts";

const runId = Date.now().toString(36);
const databaseUrl = `postgres://postgres@127.0.0.1:5432/marquee_bench_seatmap_${runId}`;
const sections = Array.from({ length: 20 }, (_, index) => ({
  name: `Section ${101 + index}`,
  priceCents: 9_900 + 1_000 * (index % 5),
  rows: Array.from({ length: 50 }, (_, row) => ({ label: String(row + 1), seats: 100 })),
}));

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return Number(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))].toFixed(1));
};
const summary = (values: number[]) => ({
  count: values.length,
  p50Ms: percentile(values, 50),
  p99Ms: percentile(values, 99),
});

function renderInProcess() {
  const layout = buildSeatLayout(sections);
  const statuses = new Uint8Array(layout.total);
  const objects: number[] = [];
  const text: number[] = [];
  const map = new SeatMapJson("ev_bench", layout);
  map.render(statuses); // the first render of an event makes every chunk
  for (let round = 0; round < 20; round++) {
    statuses[(round * 7_919) % layout.total] = 1 + (round % 2);
    let started = performance.now();
    JSON.stringify(ticketsFromStatuses("ev_bench", layout, statuses));
    objects.push(performance.now() - started);
    started = performance.now();
    map.render(statuses);
    text.push(performance.now() - started);
  }
  return { objectsAndStringify: summary(objects), seatMapJson: summary(text) };
}

async function main() {
  console.log("seat map: rendering in process (20 rounds)...");
  const inProcess = renderInProcess();
  console.log(
    `  objects + JSON.stringify p50 ${inProcess.objectsAndStringify.p50Ms} ms; SeatMapJson p50 ${inProcess.seatMapJson.p50Ms} ms`,
  );

  const config = loadConfig({
    ...process.env,
    DATABASE_URL: databaseUrl,
    PORT: "0",
    NAMESPACE: `bench_seatmap_${runId}`,
    REDIS_KEY_PREFIX: `bench:seatmap:${runId}:`,
    LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
    DEMO_DATA: "false",
    RATE_LIMIT_PER_WINDOW: "100000000",
  });
  const node = await startNode(config);
  try {
    const port = (node.broker.getLocalService("api") as any).server.address().port;
    const baseUrl = `http://127.0.0.1:${port}`;
    const tokens = createTokenVerifier(config);
    const admin = `Bearer ${await tokens.issue({ id: "bench-admin", role: "admin" })}`;
    const post = async (path: string, body: unknown, authorization: string) => {
      const answer = await fetch(baseUrl + path, {
        method: "POST",
        headers: { "content-type": "application/json", authorization },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      });
      return { status: answer.status, body: (await answer.json()) as any };
    };
    const venue = await post(
      "/admin/venues",
      { name: "Bench Arena", city: "Lisbon", country: "Portugal" },
      admin,
    );
    const performer = await post("/admin/performers", { name: "Bench Band" }, admin);
    const created = await post(
      "/admin/events",
      {
        name: "Seat map bench",
        type: "concert",
        venueId: venue.body.id,
        performerIds: [performer.body.id],
        startsAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
        onSaleAt: new Date(Date.now() - 60_000).toISOString(),
        sections,
      },
      admin,
    );
    if (created.status !== 201) throw new Error(`creating the event: ${created.status}`);
    const eventId: string = created.body.event.id;
    const url = `${baseUrl}/events/${eventId}/tickets`;
    const read = async (headers: Record<string, string> = {}) => {
      const started = performance.now();
      const answer = await fetch(url, { headers, signal: AbortSignal.timeout(60_000) });
      const text = await answer.text();
      return {
        ms: performance.now() - started,
        status: answer.status,
        bytes: text.length,
        etag: answer.headers.get("etag"),
      };
    };
    let nextSeat = 0;
    const reserveOne = async (user: string) =>
      post("/booking/reserve", { ticketId: `${eventId}.${nextSeat++ * 13}` }, user);
    const users = await Promise.all(
      Array.from(
        { length: 400 },
        async (_, index) => `Bearer ${await tokens.issue({ id: `reader-${index}`, role: "user" })}`,
      ),
    );

    await read(); // activates the actor and builds the renderer
    const afterChange: number[] = [];
    for (let round = 0; round < 30; round++) {
      await reserveOne(users[round]);
      afterChange.push((await read()).ms);
    }
    const unchanged: number[] = [];
    for (let round = 0; round < 30; round++) unchanged.push((await read()).ms);
    const { etag, bytes } = await read();
    const conditional: number[] = [];
    for (let round = 0; round < 30; round++) {
      const answer = await read({ "if-none-match": etag! });
      if (answer.status !== 304) throw new Error(`conditional read answered ${answer.status}`);
      conditional.push(answer.ms);
    }
    console.log(
      `  GET after a change p50 ${percentile(afterChange, 50)} ms, unchanged ${percentile(unchanged, 50)} ms, 304 ${percentile(conditional, 50)} ms (${bytes} bytes)`,
    );

    // 16 readers for 5 s while a writer reserves ~50 seats a second.
    const concurrent: number[] = [];
    const until = Date.now() + 5_000;
    let writes = 0;
    const writer = (async () => {
      for (let index = 30; Date.now() < until && index < users.length; index++, writes++) {
        await reserveOne(users[index]);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (Date.now() < until) concurrent.push((await read()).ms);
      }),
    );
    await writer;
    const underLoad = {
      ...summary(concurrent),
      readsPerSecond: Number((concurrent.length / 5).toFixed(1)),
      writes,
    };
    console.log(
      `  16 readers + ${writes} reserves in 5 s: ${underLoad.readsPerSecond} reads/s, p50 ${underLoad.p50Ms} ms, p99 ${underLoad.p99Ms} ms`,
    );

    const results = {
      generatedAt: new Date().toISOString(),
      seats: 100_000,
      bytes,
      inProcess,
      http: {
        afterChange: summary(afterChange),
        unchanged: summary(unchanged),
        conditional: summary(conditional),
        underLoad,
      },
    };
    const directory = fileURLToPath(new URL("./results/", import.meta.url));
    await mkdir(directory, { recursive: true });
    await writeFile(`${directory}seat-map.json`, JSON.stringify(results, null, 2) + "\n");
    console.log("seat map: loadtest/results/seat-map.json");
  } finally {
    await node.stop();
    const admin = new pg.Client({ connectionString: databaseUrl.replace(/\/[^/]+$/, "/postgres") });
    await admin.connect();
    await admin
      .query(`DROP DATABASE IF EXISTS "marquee_bench_seatmap_${runId}" WITH (FORCE)`)
      .finally(() => admin.end());
  }
}

await main();
process.exit(0);
