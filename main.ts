// Entry point: `npm start`. Starts a node with the services in SERVICES (all by default) and,
// with DEMO_DATA=true on an empty database, seeds the demo catalog.
import { loadConfig } from "./platform/config.ts";
import { startNode } from "./platform/node.ts";

const config = loadConfig();
const node = await startNode(config);
const logger = node.broker.getLogger("main");

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info(`${signal}: stopping`);
  await node.stop().catch((error) => logger.error(error));
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
