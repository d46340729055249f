// The document of a node running every service, built in this process without starting anything:
// the service factories are called for their action definitions only (on connections that never
// connect) and the aliases come from gateway/routes.ts. What `npm run client:types` writes, what the
// tests validate answers against; a test checks it equals `GET /openapi.json` of a running node.
import pg from "pg";
import { Redis } from "ioredis";
import { loadConfig } from "../../platform/config.ts";
import type { Runtime } from "../../platform/runtime.ts";
import { serviceFactories } from "../../services.ts";
import { systemClock } from "../../domain/clock.ts";
import { gatewayRoutes } from "../routes.ts";
import { buildOpenApiDocument } from "./document.ts";
import type { ActionDefinition, RouteAlias } from "./operations.ts";

/** moleculer-web's aliases of the gateway's routes, as its `this.aliases` lists them. */
export function gatewayAliases(): RouteAlias[] {
  return gatewayRoutes(() => {}).flatMap((route: Record<string, any>) =>
    Object.entries(route.aliases as Record<string, string>).map(([key, action]) => {
      const [method, path] = key.split(" ");
      const fullPath = `/${route.path}/${path}`.replace(/\/+/g, "/");
      return { method, fullPath, action, route: { opts: route } };
    }),
  );
}

/** Every action definition of every service, by `service.action`. */
async function allActionDefinitions(): Promise<Map<string, ActionDefinition>> {
  const config = loadConfig({});
  const db = new pg.Pool({ connectionString: config.databaseUrl });
  const redis = new Redis(config.redisUrl, { lazyConnect: true });
  const runtime = { config, db, redis, clock: systemClock } as unknown as Runtime;
  const definitions = new Map<string, ActionDefinition>();
  try {
    for (const factory of Object.values(serviceFactories)) {
      const schema = factory(runtime);
      for (const [name, action] of Object.entries(schema.actions ?? {}))
        if (action && typeof action === "object")
          definitions.set(`${schema.name}.${name}`, action as ActionDefinition);
    }
  } finally {
    redis.disconnect();
    await db.end();
  }
  return definitions;
}

export async function buildStandaloneDocument(): Promise<Record<string, any>> {
  const definitions = await allActionDefinitions();
  return buildOpenApiDocument({
    aliases: gatewayAliases(),
    actionDefinition: (name) => definitions.get(name) ?? null,
  });
}
