// `npm run test:clusters`: runs mocha on the given test files against a Redis Cluster (three masters)
// and a NATS cluster (three servers) of local processes started here, then stops them, whatever mocha
// did. The tests find them through TEST_REDIS_CLUSTER_NODES (test/support/clusters.ts's
// clusterTestEnv and connectTestRedis) and TEST_NATS_URL (every NATS URL of the cluster).
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { startNatsCluster, startRedisCluster } from "./clusters.ts";

const mochaBin = createRequire(import.meta.url).resolve("mocha/bin/mocha.js");

async function main(args: string[]): Promise<number> {
  const startedAt = Date.now();
  const redis = await startRedisCluster({ masters: 3, replicas: 0 });
  let nats: Awaited<ReturnType<typeof startNatsCluster>> | null = null;
  try {
    nats = await startNatsCluster(3);
    console.log(
      `clusters up in ${Date.now() - startedAt} ms: Redis Cluster ${redis.seeds}; NATS ${nats.url}`,
    );
    const child = spawn(process.execPath, [mochaBin, ...args], {
      stdio: "inherit",
      env: { ...process.env, TEST_REDIS_CLUSTER_NODES: redis.seeds, TEST_NATS_URL: nats.url },
    });
    // Ctrl-C reaches mocha through the terminal; a signal sent to this process alone is passed on.
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on("SIGINT", forward).on("SIGTERM", forward);
    const code = await new Promise<number>((resolve) =>
      child.once("exit", (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0))),
    );
    // The tests passing says nothing if they ran on the shared Redis and NATS: the clusters must have
    // seen the waiting room's scripts and the nodes' messages.
    const [scripts, messages] = [await redis.scriptCalls(), await nats.messagesIn()];
    console.log(`clusters used: ${scripts} Lua script calls on the Redis Cluster, ${messages} NATS messages`);
    if (code === 0 && (scripts === 0 || messages === 0)) {
      console.error("the tests did not use the clusters (TEST_REDIS_CLUSTER_NODES, TEST_NATS_URL)");
      return 1;
    }
    return code;
  } finally {
    await Promise.all([redis.stop(), nats?.stop()]);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
