// A Marquee node (main.ts) that also knows a service `stuck` whose start never ends: tests of the
// start's stage timeouts name it in SERVICES. `node --import tsx test/support/stuck-start-node.ts`
import { fileURLToPath } from "node:url";
import type { ServiceSchema } from "moleculer";
import { main } from "../../main.ts";
import type { ServiceFactory } from "../../services.ts";

export const stuckService: ServiceFactory = () =>
  ({ name: "stuck", started: () => new Promise<void>(() => {}) }) as ServiceSchema;

if (process.argv[1] === fileURLToPath(import.meta.url)) await main({ services: { stuck: stuckService } });
