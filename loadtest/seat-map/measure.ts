// The seat-map benchmark's measurements of one event size against a running Marquee node (over
// HTTP): bytes per answer, 100 readers flat out on the compact map and on the full list with gzip
// (a booker changing a seat meanwhile, so versions move and renders happen), and reserve+release
// pairs alone, with readers polling the compact map at a steady rate, and with them flat out.
// Renders are counted from the node's /metrics.
import type http from "node:http";
import { answerBytes } from "./answer-bytes.ts";
import { createBenchEvent } from "./bench-event.ts";
import { PhaseRecorder, request, runReaders, type LoadSummary } from "./http-load.ts";
import { runPairs, type PairsSummary } from "./pairs.ts";

export interface MeasureContext {
  agent: http.Agent;
  baseUrl: string;
  adminAuthorization: string;
  /** `Bearer <token>` of the bookers (the first one is the readers' background writer). */
  bookers: string[];
  readers: number;
  phaseMs: number;
  /** The poll interval of each reader in the steady phase (100 readers every 100 ms = 1,000 maps/s). */
  pollIntervalMs: number;
  log(message: string): void;
}

export interface ReadPhase extends LoadSummary {
  /** Renders of the form read, per second (one per published snapshot at most). */
  rendersPerSecond: number;
  writerPairs: number;
}

export interface PairsPhase extends PairsSummary {
  readers?: LoadSummary;
}

/** A browser's Accept-Encoding. */
export const browserEncodings = "gzip, deflate, br";

/** Renders counted by the node so far, by form (Prometheus text of GET /metrics). */
async function renderCounts(context: MeasureContext): Promise<Record<string, number>> {
  const answer = await request(context.agent, `${context.baseUrl}/metrics`);
  const counts: Record<string, number> = {};
  for (const match of answer.body.toString().matchAll(/^marquee_seatmap_renders_total\{([^}]*)\} (\d+)/gm)) {
    const form = /form="([a-z]+)"/.exec(match[1])?.[1];
    if (form) counts[form] = (counts[form] ?? 0) + Number(match[2]);
  }
  return counts;
}

async function readPhase(
  context: MeasureContext,
  eventId: string,
  form: { url: string; encodings: string; metric: string },
  seats: number,
): Promise<ReadPhase> {
  const rendersBefore = (await renderCounts(context))[form.metric] ?? 0;
  const startedAt = Date.now();
  const until = startedAt + context.phaseMs;
  const recorder = new PhaseRecorder();
  const [, writer] = await Promise.all([
    runReaders(
      {
        agent: context.agent,
        url: form.url,
        headers: { "accept-encoding": form.encodings },
        readers: context.readers,
        until,
      },
      recorder,
    ),
    runPairs(
      {
        agent: context.agent,
        baseUrl: context.baseUrl,
        eventId,
        bookers: context.bookers.slice(0, 1),
        seats,
        until,
        pauseMs: 50,
      },
      startedAt,
    ),
  ]);
  const durationMs = Date.now() - startedAt;
  const renders = ((await renderCounts(context))[form.metric] ?? 0) - rendersBefore;
  return {
    ...recorder.summary(durationMs),
    rendersPerSecond: Number(((renders * 1000) / durationMs).toFixed(1)),
    writerPairs: writer.pairs,
  };
}

async function pairsPhase(
  context: MeasureContext,
  eventId: string,
  seats: number,
  readers?: { url: string; intervalMs?: number },
): Promise<PairsPhase> {
  const startedAt = Date.now();
  const until = startedAt + context.phaseMs;
  const recorder = new PhaseRecorder();
  const [pairs] = await Promise.all([
    runPairs(
      { agent: context.agent, baseUrl: context.baseUrl, eventId, bookers: context.bookers, seats, until },
      startedAt,
    ),
    readers
      ? runReaders(
          {
            agent: context.agent,
            url: readers.url,
            headers: { "accept-encoding": browserEncodings },
            readers: context.readers,
            intervalMs: readers.intervalMs,
            until,
          },
          recorder,
        )
      : Promise.resolve(),
  ]);
  return readers ? { ...pairs, readers: recorder.summary(Date.now() - startedAt) } : pairs;
}

export async function measureSize(context: MeasureContext, seats: number) {
  const { eventId, createMs } = await createBenchEvent(
    context.agent,
    context.baseUrl,
    context.adminAuthorization,
    seats,
  );
  context.log(`${seats} seats: event created in ${createMs} ms`);
  const eventUrl = `${context.baseUrl}/events/${eventId}`;
  const compactUrl = `${eventUrl}/tickets?format=compact`;
  const bytes = await answerBytes(context.agent, eventUrl);
  context.log(`  bytes: ${JSON.stringify(bytes)}`);
  const compact = await readPhase(
    context,
    eventId,
    { url: compactUrl, encodings: browserEncodings, metric: "compact" },
    seats,
  );
  context.log(
    `  compact, ${context.readers} readers: ${compact.perSecond} reads/s, p50 ${compact.p50Ms} ms, p99 ${compact.p99Ms} ms, ${compact.rendersPerSecond} renders/s`,
  );
  const fullGzip = await readPhase(
    context,
    eventId,
    { url: `${eventUrl}/tickets`, encodings: "gzip", metric: "full" },
    seats,
  );
  context.log(
    `  full list (gzip), ${context.readers} readers: ${fullGzip.perSecond} reads/s, p50 ${fullGzip.p50Ms} ms, p99 ${fullGzip.p99Ms} ms, ${fullGzip.rendersPerSecond} renders/s`,
  );
  const pairsAlone = await pairsPhase(context, eventId, seats);
  context.log(
    `  ${context.bookers.length} bookers alone: ${pairsAlone.pairsPerSecond} pairs/s, p50 ${pairsAlone.p50Ms} ms`,
  );
  const pairsPolled = await pairsPhase(context, eventId, seats, {
    url: compactUrl,
    intervalMs: context.pollIntervalMs,
  });
  context.log(
    `  with ${context.readers} readers polling every ${context.pollIntervalMs} ms: ${pairsPolled.pairsPerSecond} pairs/s (${pairsPolled.readers?.perSecond} maps/s)`,
  );
  const pairsFlatOut = await pairsPhase(context, eventId, seats, { url: compactUrl });
  context.log(
    `  with ${context.readers} readers flat out: ${pairsFlatOut.pairsPerSecond} pairs/s (${pairsFlatOut.readers?.perSecond} maps/s)`,
  );
  const ratio = (phase: PairsPhase) =>
    Number((phase.pairsPerSecond / Math.max(pairsAlone.pairsPerSecond, 1e-9)).toFixed(2));
  return {
    seats,
    eventId,
    createMs,
    bytes,
    compact,
    fullGzip,
    pairsAlone,
    pairsWithPolledReaders: { ...pairsPolled, ratioToAlone: ratio(pairsPolled) },
    pairsWithFlatOutReaders: { ...pairsFlatOut, ratioToAlone: ratio(pairsFlatOut) },
  };
}

export type SizeResult = Awaited<ReturnType<typeof measureSize>>;
