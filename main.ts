// Entry point: `npm start`. Starts a node with the services in SERVICES (all by default) and,
// with DEMO_DATA=true on an empty database, seeds the demo catalog. Other launchers (such as
// loadtest/classic/classic-node.ts) call `main` with their own node options.
import { fileURLToPath } from "node:url";
import { loadConfig } from "./platform/config.ts";
import { startNode, type MarqueeNode, type NodeOptions } from "./node.ts";
import { seedDemoData } from "./catalog/demo-data.ts";
import { createTokenVerifier } from "./gateway/auth.ts";
import { StartStageError, StartStages } from "./platform/start-stages.ts";
import { handleStopSignals } from "./platform/stop-signals.ts";
import { serviceFactories } from "./services.ts";
import type { Config } from "./platform/config.ts";

export async function main(options: NodeOptions = {}): Promise<MarqueeNode> {
  let node: MarqueeNode;
  let config: Config | null = null;
  try {
    const serviceNames = Object.keys({ ...serviceFactories, ...options.services });
    config = loadConfig(process.env, { serviceNames });
    node = await startNode(config, options);
    if (config.demoData) await seedDemo(node, config);
    await announce(node, config, node.broker.getLogger("main"));
  } catch (error) {
    // A node that cannot start says why (every refused setting, or the stage and its variable) and
    // exits non-zero, so a supervisor restarts it; it never hangs half-started, and prints no stack.
    process.stderr.write(`Marquee cannot start: ${startFailure(error, config)}\n`);
    process.exit(1);
  }
  // SIGTERM/SIGINT: drain, stop, close the pools, exit 0 (platform/stop-signals.ts).
  handleStopSignals({ stop: (phase) => node.stop(phase), logger: node.broker.getLogger("main") });
  return node;
}

/** The variable behind a start stage that reaches something outside the node, and its value. */
const stageVariables: Record<string, [string, (config: Config) => string | null]> = {
  database: ["DATABASE_URL", (config) => config.databaseUrl],
  migrations: ["DATABASE_URL", (config) => config.databaseUrl],
  transporter: ["TRANSPORTER", (config) => config.transporter],
};

/** One line (a ConfigError: one per problem) saying why the start failed, naming the variable. */
function startFailure(error: unknown, config: Config | null): string {
  const message = error instanceof Error ? error.message : String(error);
  if (!(error instanceof StartStageError) || config === null) return message;
  const [name, valueOf] = stageVariables[error.stage] ?? [];
  const value = valueOf?.(config);
  return value ? `${message} (${name}=${withoutPassword(value)})` : message;
}

function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(not a URL)";
  }
}

type Logger = ReturnType<MarqueeNode["broker"]["getLogger"]>;

/** The demo catalog, a start stage of its own (seeded once, under its lock, by the first node). */
async function seedDemo(node: MarqueeNode, config: Config): Promise<void> {
  const logger = node.broker.getLogger("main");
  const stages = new StartStages(node.broker.getLogger("start"));
  const result = await stages
    .run("demo seed", config.startTimeouts.demoSeedMs, () =>
      seedDemoData(node.runtime.db, node.runtime.clock.now()),
    )
    .finally(() => stages.clear());
  if (result.seeded) {
    logger.info(
      `demo catalog seeded in ${result.durationMs} ms: ${result.venues} venues, ${result.performers} performers, ` +
        `${result.events} events, ${result.tickets} tickets; the 50,000-seat stadium show is ${result.headlineEventId}`,
    );
  } else {
    logger.info("demo data: the database already has events, nothing seeded");
  }
}

/** Where the gateway serves (and dev tokens to try it), when this node runs it. */
async function announce(node: MarqueeNode, config: Config, logger: Logger): Promise<void> {
  const server = (node.broker.getLocalService("api") as any)?.server;
  if (!server) return;
  const url = `http://127.0.0.1:${server.address().port}`;
  logger.info(`Marquee is serving on ${url} (API description: ${url}/openapi.json)`);
  if (!config.authDevTokens) return;
  const tokens = createTokenVerifier(config);
  logger.info(`dev user token:  ${await tokens.issue({ id: "demo-user", role: "user" })}`);
  logger.info(`dev admin token: ${await tokens.issue({ id: "demo-admin", role: "admin" })}`);
  logger.info(
    `dev scanner token (check-in only): ${await tokens.issue({ id: "demo-door", role: "scanner" })}`,
  );
  // Shell lines to paste, with the variables docs/api.md's examples use.
  logger.info(
    `try: BASE=${url}; curl -s "$BASE/events/search?term=aurora"  (docs/api.md: a booking step by step)`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
