// Starts one Marquee node: database created and migrated, broker with the chosen services.
import Moleculer from "moleculer";
import { brokerOptions } from "./moleculer.config.ts";
import type { Config } from "./platform/config.ts";
import { ensureDatabase } from "./platform/database.ts";
import { migrate } from "./platform/migrate.ts";
import { closeRuntime, createRuntime, type Runtime } from "./platform/runtime.ts";
import { selectServices } from "./services.ts";
import { startHealthServer } from "./platform/health-server.ts";
import type { Clock } from "./domain/clock.ts";

export interface MarqueeNode {
  broker: Moleculer.ServiceBroker;
  runtime: Runtime;
  stop(): Promise<void>;
}

export async function startNode(config: Config, clock?: Clock): Promise<MarqueeNode> {
  await ensureDatabase(config.databaseUrl);
  const runtime = createRuntime(config, clock);
  await migrate(runtime.db);
  const broker = new Moleculer.ServiceBroker(brokerOptions(config));
  for (const factory of selectServices(config.services)) broker.createService(factory(runtime));
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
