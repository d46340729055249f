// The planner's traffic questions: search capacity and the cache hit ratio it needs, gateway nodes
// for the fan-out of seat deltas, and the waiting room's Redis throughput. Every constant is a
// measured figure (measurements.ts); a node of other cores than the measuring machine's is taken
// as linear in cores, and the output says so.
import type { PlanInputs } from "./plan-arguments.ts";
import type { Measurements } from "./measurements.ts";
import { formatNumber as n, formatSeconds, present, Work, type Answer } from "./work.ts";

/** A share in percent; past 99% with the digits that tell 99.95% from 100%. */
const percent = (fraction: number) =>
  fraction >= 0.99 && fraction < 1 ? `${Math.floor(fraction * 10_000) / 100}%` : `${n(fraction * 100)}%`;

/** A node of `nodeCores` against the measuring machine's `cores`, said in the steps when they differ. */
function coreScale(work: Work, inputs: PlanInputs, cores: number): number {
  const nodeCores = inputs.nodeCores ?? cores;
  if (nodeCores !== cores)
    work.step(
      `a ${n(nodeCores)}-core node = ${n(nodeCores / cores)}x the ${n(cores)}-core machine measured (taken as linear)`,
    );
  return nodeCores / cores;
}

export function searchCapacity(inputs: PlanInputs, measurements: Measurements): Answer {
  const work = new Work("Search capacity and the cache hit ratio needed");
  const demand = work.figure("searchesPerSec", inputs.peakUsers * inputs.searchesPerUserPerSec)!;
  work.step(`searches: ${n(inputs.peakUsers)} users x ${n(inputs.searchesPerUserPerSec)}/s = ${n(demand)}/s`);
  const search = measurements.search;
  const measured = present(
    work.measured("searches/s the index answers (one Postgres)", search.indexPerSec),
    work.measured("cached searches/s one node answers", search.cachedPerSec),
    work.measured("events in the catalog measured", search.events),
    work.measured("its machine's cores", search.cores),
  );
  work.measured("the index's p95", search.indexP95Ms, " ms");
  if (!measured) return work.answer(null);
  const [index, cached, events, cores] = measured;
  if (inputs.events > events)
    work.step(
      `the catalog: ${n(inputs.events)} events is ${n(inputs.events / events)}x the one measured: run bench:search with BENCH_EVENTS=${inputs.events} for the index at that size`,
    );
  const hitRatio = work.figure("cacheHitRatioNeeded", demand > 0 ? Math.max(0, 1 - index / demand) : 0)!;
  work.step(`cache hit ratio needed: 1 - ${n(index)} / ${n(demand)} = ${percent(hitRatio)}`);
  const nodes = work.figure(
    "searchNodes",
    Math.max(1, Math.ceil(demand / (cached * coreScale(work, inputs, cores)))),
  )!;
  work.step(`nodes answering searches: ceil(${n(demand)} / ${n(cached)} per node) = ${n(nodes)}`);
  if (hitRatio === 0)
    return work.answer(
      `no cache needed: ${n(demand)} searches/s fit the index's ${n(index)}/s; ${n(nodes)} node(s) answer them`,
    );
  return work.answer(
    `a cache is needed: at least ${percent(hitRatio)} of the ${n(demand)} searches/s must be cache hits (the index answers ${n(index)}/s), on ${n(nodes)} node(s)`,
  );
}

export function fanoutGateways(inputs: PlanInputs, measurements: Measurements): Answer {
  const work = new Work("Gateway nodes for the fan-out of seat deltas");
  work.step(`watchers: every peak user follows a hot event's seat map: ${n(inputs.peakUsers)}`);
  const fanout = measurements.fanout;
  const measured = present(
    work.measured("clients one gateway served", fanout.clients),
    work.measured("frames per client per second", fanout.framesPerClientPerSec),
    work.measured("gateway CPU per socket frame", fanout.cpuMicrosPerSocketFrame, " µs"),
    work.measured("its machine's cores", fanout.cores),
  );
  work.measured("their p99, commit to client", fanout.p99Ms, " ms");
  if (!measured) return work.answer(null);
  const [clients, frames, micros, cores] = measured;
  const framesPerSec = work.figure("framesPerSec", inputs.peakUsers * frames)!;
  const coresNeeded = work.figure("gatewayCores", (framesPerSec * micros) / 1e6)!;
  work.step(
    `frames: ${n(inputs.peakUsers)} x ${n(frames)}/s = ${n(framesPerSec)}/s; CPU: x ${n(micros)} µs = ${n(coresNeeded)} cores`,
  );
  const nodeCores = inputs.nodeCores ?? cores;
  coreScale(work, inputs, cores);
  const byCpu = Math.ceil(coresNeeded / nodeCores);
  const byClients = Math.ceil(inputs.peakUsers / (clients * (nodeCores / cores)));
  work.step(
    `nodes: by CPU ceil(${n(coresNeeded)} / ${n(nodeCores)}) = ${n(byCpu)}; by clients measured on one, ceil(${n(inputs.peakUsers)} / ${n(clients * (nodeCores / cores))}) = ${n(byClients)}`,
  );
  const nodes = work.figure("gatewayNodes", Math.max(byCpu, byClients))!;
  return work.answer(
    `${n(nodes)} gateway node${nodes === 1 ? "" : "s"} of ${n(nodeCores)} cores for the deltas (the larger of the two counts)`,
  );
}

export function waitingRoomRedis(inputs: PlanInputs, measurements: Measurements): Answer {
  const work = new Work("Waiting-room Redis throughput");
  const joinRate = work.figure("joinsPerSec", inputs.peakUsers / inputs.arrivalSeconds)!;
  work.step(`joins: ${n(inputs.peakUsers)} users in ${n(inputs.arrivalSeconds)} s = ${n(joinRate)}/s`);
  const perEvent = work.figure("joinsPerSecHottestEvent", joinRate / inputs.hotEvents)!;
  work.step(
    `a hot event's queue (one Redis shard: its keys share a hash tag): ${n(joinRate)} / ${n(inputs.hotEvents)} = ${n(perEvent)}/s`,
  );
  const measured = present(
    work.measured("joins/s one Redis takes", measurements.waitingRoom.joinsPerSec),
    work.measured("joins/s one gateway node takes through HTTP", measurements.http.joinsPerSec),
    work.measured("its machine's cores", measurements.http.cores),
  );
  work.measured("position queries/s one Redis answers", measurements.waitingRoom.positionQueriesPerSec);
  if (!measured) return work.answer(null);
  const [redis, http, cores] = measured;
  const shards = work.figure("redisShards", Math.max(1, Math.ceil(joinRate / redis)))!;
  work.step(
    `Redis: ceil(${n(joinRate)} / ${n(redis)}) = ${n(shards)}; the whole crowd on one: ${formatSeconds(inputs.peakUsers / redis)}`,
  );
  const gateways = work.figure(
    "joinGatewayNodes",
    Math.ceil(joinRate / (http * coreScale(work, inputs, cores))),
  )!;
  work.step(`gateway nodes for the joins: ceil(${n(joinRate)} / ${n(http)}) = ${n(gateways)}`);
  if (perEvent > redis)
    return work.answer(
      `one event's queue needs ${n(perEvent)} joins/s, more than one Redis takes (${n(redis)}/s): the crowd waits ${formatSeconds(inputs.peakUsers / inputs.hotEvents / redis)} to join, or the queue is split`,
    );
  return work.answer(
    shards === 1
      ? `one Redis: ${n(joinRate)} joins/s within its ${n(redis)}/s; ${n(gateways)} gateway node(s) take the joins`
      : `Redis Cluster of ${n(shards)} masters (queues spread by event); ${n(gateways)} gateway node(s) take the joins`,
  );
}
