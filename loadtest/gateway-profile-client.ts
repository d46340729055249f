// The load client of `npm run profile:gateway`, run as its own process so the profiled node's CPU
// (process.cpuUsage, the CPU profile) is the server's alone. GETs by autocannon (raw keep-alive
// sockets: the client is cheap enough for the server to be the bottleneck, as under real load);
// reserve + release by `concurrency` keep-alive workers each looping over its own ticket and token
// until `requests` answers; waiting-room joins by autocannon, a fresh user (token signed here with
// PROFILE_CLIENT_AUTH_SECRET) per join; buys by `concurrency` workers, each buy a fresh user (signed
// likewise) reserving one best-available seat of `buyEventId` and confirming it with `tok_ok` (two
// requests). Prints one JSON line.
import autocannon from "autocannon";
import { createAgent, request } from "./seat-map/http-load.ts";
import { createSigner } from "./http/tokens.ts";

export interface ClientJob {
  baseUrl: string;
  kind: "bare" | "live" | "event" | "reserve-release" | "join" | "buy";
  requests: number;
  concurrency: number;
  eventId?: string;
  /** The event whose waiting room is on (join). */
  queueEventId?: string;
  /** The event buyers buy from (buy): a seat a buy, so at least half as many seats as requests. */
  buyEventId?: string;
  /** One per worker (reserve-release): worker i holds and drops ticketIds[i] with tokens[i]. */
  ticketIds?: string[];
  tokens?: string[];
}

export interface ClientResult {
  answers: number;
  elapsedMs: number;
  statuses: Record<string, number>;
}

/** A request's status; null when the step sent nothing (a confirm after a refused reserve). */
type Step = () => Promise<number | null>;

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

/** A buy: reserve one best-available seat, then confirm it, as a user never seen before. */
function buySteps(job: ClientJob, worker: number, agent: ReturnType<typeof createAgent>): Step[] {
  const sign = createSigner(process.env.PROFILE_CLIENT_AUTH_SECRET ?? "");
  // Unique per run, client process and worker: every buyer is a new user with a new key.
  const buyerOf = `${Date.now().toString(36)}-${process.pid}-${worker}`;
  let buyer = 0;
  let held: { authorization: string; ticketIds: string[] } | null = null;
  const post = (path: string, headers: Record<string, string>, body: unknown) =>
    request(agent, job.baseUrl + path, { method: "POST", headers, body });
  const reserve: Step = async () => {
    const authorization = sign(`profile-buyer-${buyerOf}-${++buyer}`);
    const answer = await post(
      "/booking/reserve",
      { authorization },
      { eventId: job.buyEventId, quantity: 1 },
    );
    held =
      answer.status === 200
        ? { authorization, ticketIds: JSON.parse(answer.body.toString()).ticketIds }
        : null;
    return answer.status;
  };
  const confirm: Step = async () => {
    if (!held) return null;
    const { authorization, ticketIds } = held;
    const headers = { authorization, "idempotency-key": `profile-buy-${buyerOf}-${buyer}` };
    return (await post("/booking/confirm", headers, { ticketIds, paymentDetails: { token: "tok_ok" } }))
      .status;
  };
  return [reserve, confirm];
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
  if (job.kind !== "reserve-release" && job.kind !== "buy") return runCannon(job);
  const agent = createAgent(job.concurrency);
  const statuses: Record<string, number> = {};
  let started = 0;
  const started_at = performance.now();
  const worker = async (index: number) => {
    const steps = job.kind === "buy" ? buySteps(job, index, agent) : workerSteps(job, index, agent);
    for (let step = 0; started < job.requests; step = (step + 1) % steps.length) {
      started += 1;
      const status = await steps[step]();
      if (status === null) started -= 1;
      else statuses[status] = (statuses[status] ?? 0) + 1;
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
