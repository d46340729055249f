// The stages of `npm run profile:gateway`: a V8 CPU profile's samples summed by the stage of the
// request path they ran in. A sample belongs to its innermost frame that names a stage (a gateway
// module, a library, JSON); frames that name none (Node's internals, V8 builtins) count for the
// stage that called them, and those under no stage at all for Node's HTTP server and event loop.
import type { Profiler } from "node:inspector";

/** [stage, URL fragments of its code] in the order they are tried. */
const stagesByUrl: [string, string[]][] = [
  [
    "auth (token verify)",
    ["/gateway/request-auth.ts", "/gateway/auth.ts", "/gateway/hs256-fast-path.ts", "/node_modules/jose/"],
  ],
  [
    "rate limit",
    [
      "/gateway/client-rate-limit.ts",
      "/gateway/rate-limit.ts",
      "/gateway/client-key.ts",
      "/gateway/client-address.ts",
    ],
  ],
  ["redis client", ["/node_modules/ioredis/", "/node_modules/redis-parser/", "/node_modules/denque/"]],
  ["request meta + body", ["/gateway/request-meta.ts", "/gateway/body.ts", "/gateway/unsafe-text.ts"]],
  ["validation", ["/node_modules/fastest-validator/", "/moleculer/src/validators/"]],
  [
    "http metrics",
    ["/gateway/http-metrics.ts", "/platform/labelled-histogram.ts", "/gateway/route-templates.ts"],
  ],
  ["moleculer metrics", ["/moleculer/src/metrics/"]],
  ["request id", ["/gateway/request-id.ts"]],
  ["answer encoding", ["/gateway/answer-encoding.ts", "/domain/content-encoding.ts"]],
  ["drain tracking", ["/gateway/http-drain.ts"]],
  ["errors", ["/gateway/error-answer.ts", "/gateway/errors.ts", "/platform/moleculer-errors.ts"]],
  ["raw routes (health)", ["/gateway/raw-routes.ts", "/platform/health-server.ts"]],
  ["realtime + web UI checks", ["/gateway/realtime/", "/gateway/web/"]],
  ["request logging", ["/gateway/request-log"]],
  ["routing (owner pick)", ["/gateway/event-routing.ts", "/domain/ids.ts"]],
  ["gateway other", ["/gateway/"]],
  ["moleculer-web", ["/node_modules/moleculer-web/"]],
  ["broker call (moleculer)", ["/node_modules/moleculer/"]],
  ["logging", ["/node_modules/pino", "/node_modules/sonic-boom/", "/platform/logger.ts"]],
  ["postgres client", ["/node_modules/pg", "/platform/database.ts"]],
  ["waiting room (line, tokens)", ["/actors/waiting-room/"]],
  ["engine (actors, catalog)", ["/actors/", "/domain/", "/catalog/", "/platform/", "/services.ts"]],
  ["other libraries", ["/node_modules/"]],
];

const nodeHttp = "node http + event loop";
const socketWrites = new Set([
  "writev",
  "writeUtf8String",
  "writeBuffer",
  "writeLatin1String",
  "writeAsciiString",
]);

function stageOf(frame: Profiler.ProfileNode["callFrame"]): string | null {
  if (frame.functionName === "(garbage collector)") return "gc";
  if (frame.functionName === "(program)") return "v8 (program)";
  // The write system calls of answers (and of Redis and Postgres commands): the floor every server pays.
  if (frame.url === "" && socketWrites.has(frame.functionName)) return "socket writes (syscalls)";
  if (frame.url === "" && (frame.functionName === "stringify" || frame.functionName === "parse"))
    return "JSON";
  for (const [stage, fragments] of stagesByUrl)
    if (fragments.some((fragment) => frame.url.includes(fragment))) return stage;
  return null;
}

/** Busy microseconds by stage (idle time left out). */
export function stageTimes(profile: Profiler.Profile): Map<string, number> {
  const parents = new Map<number, number>();
  const frames = new Map<number, Profiler.ProfileNode>();
  for (const node of profile.nodes) {
    frames.set(node.id, node);
    for (const child of node.children ?? []) parents.set(child, node.id);
  }
  const stages = new Map<number, string>();
  const resolve = (id: number): string => {
    const known = stages.get(id);
    if (known !== undefined) return known;
    const node = frames.get(id)!;
    const parent = parents.get(id);
    const stage =
      node.callFrame.functionName === "(idle)"
        ? "(idle)"
        : (stageOf(node.callFrame) ?? (parent === undefined ? nodeHttp : resolve(parent)));
    stages.set(id, stage);
    return stage;
  };
  const times = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let index = 0; index < samples.length; index++) {
    const stage = resolve(samples[index]);
    // timeDeltas[i] is the time before sample i: sample i ran until sample i + 1.
    const micros = deltas[index + 1] ?? 0;
    if (stage !== "(idle)") times.set(stage, (times.get(stage) ?? 0) + micros);
  }
  return times;
}

/** The hottest functions by self time (for finding what to cut within a stage). */
export function topFunctions(profile: Profiler.Profile, count: number): { name: string; micros: number }[] {
  const self = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let index = 0; index < samples.length; index++)
    self.set(samples[index], (self.get(samples[index]) ?? 0) + (deltas[index + 1] ?? 0));
  const byName = new Map<string, number>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === "(idle)") continue;
    const file = url.split("/").slice(-2).join("/");
    const name = `${functionName || "(anonymous)"} ${file}:${lineNumber + 1}`;
    byName.set(name, (byName.get(name) ?? 0) + (self.get(node.id) ?? 0));
  }
  return [...byName]
    .map(([name, micros]) => ({ name, micros }))
    .sort((a, b) => b.micros - a.micros)
    .slice(0, count);
}
