// Starts one Marquee node: database created and migrated, broker with the chosen services. Each stage
// has a timeout and logs `start stage <name>` (platform/start-stages.ts): a start that cannot finish
// rejects with a StartStageError naming the stage, after closing what it opened.
import type { Server } from "node:http";
import Moleculer from "moleculer";
import { brokerOptions } from "./moleculer.config.ts";
import type { Config } from "./platform/config.ts";
import { ensureDatabase } from "./platform/database.ts";
import { migrate } from "./platform/migrate.ts";
import { closeRuntime, createRuntime, type Runtime } from "./platform/runtime.ts";
import { selectServices, serviceFactories, type ServiceFactory } from "./services.ts";
import { startHealthServer } from "./platform/health-server.ts";
import { StartStages } from "./platform/start-stages.ts";
import { installMetricLabelKeys } from "./platform/metric-label-keys.ts";
import { startAbandonTimeoutMs, stopDrainTimeoutMs } from "./domain/limits.ts";
import type { Clock } from "./domain/clock.ts";

export interface MarqueeNode {
  broker: Moleculer.ServiceBroker;
  runtime: Runtime;
  /**
   * Stops the node, draining: the gateway stops accepting and lets its requests in flight finish,
   * then the services stop (each after the actions it is running, actor turns and their commits
   * included), then the pools close. `phase` hears each step's name. Once: later calls await the first.
   */
  stop(phase?: (name: string) => void): Promise<void>;
}

/** What node.ts needs of the api service to drain it (gateway/api.service.ts). */
interface DrainableGateway {
  drain(timeoutMs: number): Promise<number>;
}

export interface NodeOptions {
  /** The node's clock (tests move time); the system clock by default. */
  clock?: Clock;
  /**
   * Service factories by name, added to or replacing those of services.ts (e.g. a `booking` on another
   * engine, as loadtest/classic/classic-node.ts does); SERVICES still chooses which ones run.
   */
  services?: Record<string, ServiceFactory>;
}

export async function startNode(config: Config, options: NodeOptions = {}): Promise<MarqueeNode> {
  const timeouts = config.startTimeouts;
  installMetricLabelKeys(); // each metric's label-set keys remembered, not rebuilt per use
  const broker = new Moleculer.ServiceBroker(brokerOptions(config));
  const stages = new StartStages(broker.getLogger("start"));
  // Before any service is created: the transporter's connection and each service's start are stages.
  broker.middlewares.add(stages.middleware(timeouts));
  let runtime: Runtime | null = null;
  try {
    await stages.run("database", timeouts.databaseMs, () => ensureDatabase(config.databaseUrl));
    runtime = createRuntime(config, options.clock);
    const db = runtime.db;
    await stages.run("migrations", timeouts.migrationsMs, () =>
      migrate(db, { timeoutMs: timeouts.migrationsMs }),
    );
    const factories = { ...serviceFactories, ...options.services };
    for (const factory of selectServices(config.services, factories)) broker.createService(factory(runtime));
    await stages.watch(broker.start());
  } catch (error) {
    stages.clear();
    await abandon(broker, runtime);
    throw error;
  }
  return nodeOf(config, broker, runtime);
}

/** Closes what a failed start opened, in a bounded time (whatever hung may still hang). */
async function abandon(broker: Moleculer.ServiceBroker, runtime: Runtime | null): Promise<void> {
  const closing = (async () => {
    await broker.stop().catch(() => {});
    if (runtime) await closeRuntime(runtime).catch(() => {});
  })();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    closing,
    new Promise((resolve) => (timer = setTimeout(resolve, startAbandonTimeoutMs))),
  ]);
  clearTimeout(timer);
}

async function nodeOf(
  config: Config,
  broker: Moleculer.ServiceBroker,
  runtime: Runtime,
): Promise<MarqueeNode> {
  const healthServer =
    config.healthPort !== null && !broker.getLocalService("api")
      ? await startHealthServer(config.healthPort, runtime, broker)
      : null;
  let stopping: Promise<void> | null = null;
  return {
    broker,
    runtime,
    stop(phase = () => {}) {
      stopping ??= stopNode(broker, runtime, healthServer, phase);
      return stopping;
    },
  };
}

async function stopNode(
  broker: Moleculer.ServiceBroker,
  runtime: Runtime,
  healthServer: Server | null,
  phase: (name: string) => void,
): Promise<void> {
  const logger = broker.getLogger("stop");
  const step = (name: string) => {
    logger.info(name);
    phase(name);
  };
  const gateway = broker.getLocalService("api") as unknown as Partial<DrainableGateway> | undefined;
  if (gateway?.drain) {
    step(`draining the gateway (requests in flight, up to ${stopDrainTimeoutMs} ms)`);
    const cut = await gateway.drain(stopDrainTimeoutMs);
    if (cut > 0) logger.warn(`${cut} request(s) still running after ${stopDrainTimeoutMs} ms were cut`);
  }
  if (healthServer) {
    step("closing the health server");
    const closed = new Promise((resolve) => healthServer.close(resolve));
    healthServer.closeAllConnections();
    await closed;
  }
  step("stopping the services (actions in flight, actor turns and their commits)");
  await broker.stop();
  step("closing the database and Redis connections");
  await closeRuntime(runtime);
}
