// Starts one Marquee node: database created and migrated, broker with the chosen services.
import Moleculer from "moleculer";
import { brokerOptions } from "./moleculer.config.ts";
import type { Config } from "./platform/config.ts";
import { ensureDatabase } from "./platform/database.ts";
import { migrate } from "./platform/migrate.ts";
import { closeRuntime, createRuntime, type Runtime } from "./platform/runtime.ts";
import { selectServices, serviceFactories, type ServiceFactory } from "./services.ts";
import { startHealthServer } from "./platform/health-server.ts";
import type { Clock } from "./domain/clock.ts";

export interface MarqueeNode {
  broker: Moleculer.ServiceBroker;
  runtime: Runtime;
  stop(): Promise<void>;
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
  await ensureDatabase(config.databaseUrl);
  const runtime = createRuntime(config, options.clock);
  await migrate(runtime.db);
  const broker = new Moleculer.ServiceBroker(brokerOptions(config));
  const factories = { ...serviceFactories, ...options.services };
  for (const factory of selectServices(config.services, factories)) broker.createService(factory(runtime));
  await broker.start();
  const healthServer =
    config.healthPort !== null && !broker.getLocalService("api")
      ? await startHealthServer(config.healthPort, runtime, broker)
      : null;
  return {
    broker,
    runtime,
    async stop() {
      if (healthServer) await new Promise((resolve) => healthServer.close(resolve));
      await broker.stop();
      await closeRuntime(runtime);
    },
  };
}
