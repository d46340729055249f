// The load client of `npm run profile:gateway`, run as its own process so the profiled node's CPU
// (process.cpuUsage, the CPU profile) is the server's alone. GETs by autocannon (raw keep-alive
// sockets: the client is cheap enough for the server to be the bottleneck, as under real load);
// reserve + release by `concurrency` keep-alive workers each looping over its own ticket and token
// until `requests` answers; waiting-room joins by autocannon, a fresh user (token signed here with
// PROFILE_CLIENT_AUTH_SECRET) per join. Prints one JSON line.
import autocannon from "autocannon";
import { createAgent, request } from "./seat-map/http-load.ts";
import { createSigner } from "./http/tokens.ts";

export interface ClientJob {
  baseUrl: string;
  kind: "bare" | "live" | "event" | "reserve-release" | "join";
  requests: number;
  concurrency: number;
  eventId?: string;
  /** The event whose waiting room is on (join). */
  queueEventId?: string;
  /** One per worker (reserve-release): worker i holds and drops ticketIds[i] with tokens[i]. */
  ticketIds?: string[];
  tokens?: string[];
}

export interface ClientResult {
  answers: number;
  elapsedMs: number;
  statuses: Record<string, number>;
}

type Step = () => Promise<number>;

function workerSteps(job: ClientJob, worker: number, agent: ReturnType<typeof createAgent>): Step[] {
  const get = (path: string) => async () => (await request(agent, job.baseUrl + path)).status;
  if (job.kind === "bare" || job.kind === "live") return [get(job.kind === "bare" ? "/" : "/health/live")];
  if (job.kind === "event") return [get(`/events/${job.eventId}`)];
  const headers = { authorization: `Bearer ${job.tokens![worker]}` };
  const body = { ticketIds: [job.ticketIds![worker]] };
  const post = (path: string) => async () =>
    (await request(agent, job.baseUrl + path, { method: "POST", headers, body })).status;
  return [post("/booking/reserve"), post("/booking/release")];
}

/** A POST /events/:id/queue by a user never seen before, each time. */
function joinRequests(job: ClientJob): autocannon.Request[] {
  const sign = createSigner(process.env.PROFILE_CLIENT_AUTH_SECRET ?? "");
  const run = Date.now().toString(36);
  let joiner = 0;
  return [
    {
      method: "POST",
      path: `/events/${job.queueEventId}/queue`,
      setupRequest: (request) => ({
        ...request,
        headers: { ...request.headers, authorization: sign(`profile-joiner-${run}-${joiner++}`) },
      }),
    },
  ];
}

async function runCannon(job: ClientJob): Promise<ClientResult> {
  const path = job.kind === "bare" ? "/" : job.kind === "live" ? "/health/live" : `/events/${job.eventId}`;
  const result = await autocannon({
    url: job.baseUrl + path,
    connections: job.concurrency,
    amount: job.requests,
    timeout: 30,
    requests: job.kind === "join" ? joinRequests(job) : undefined,
  });
  const statuses: Record<string, number> = { "2xx": result["2xx"], other: result.non2xx + result.errors };
  return { answers: result["2xx"] + result.non2xx, elapsedMs: result.duration * 1_000, statuses };
}

export async function runClient(job: ClientJob): Promise<ClientResult> {
  if (job.kind !== "reserve-release") return runCannon(job);
  const agent = createAgent(job.concurrency);
  const statuses: Record<string, number> = {};
  let started = 0;
  const started_at = performance.now();
  const worker = async (index: number) => {
    const steps = workerSteps(job, index, agent);
    for (let step = 0; started < job.requests; step = (step + 1) % steps.length) {
      started += 1;
      const status = await steps[step]();
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, (_, index) => worker(index)));
  agent.destroy();
  return { answers: started, elapsedMs: performance.now() - started_at, statuses };
}

if (process.argv[2]) {
  const result = await runClient(JSON.parse(process.argv[2]) as ClientJob);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
