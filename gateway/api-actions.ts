// The api service's own actions: the OpenAPI document and the development token issuer.
import type { Context, ServiceActionsSchema } from "moleculer";
import type { Config } from "../platform/config.ts";
import { MarqueeError } from "../domain/errors.ts";
import { roles, type Role } from "../domain/request.ts";
import type { TokenVerifier } from "./auth.ts";
import { buildOpenApiDocument } from "./openapi/document.ts";

export function apiActions(config: Config, tokens: TokenVerifier): ServiceActionsSchema {
  return {
    openapi: {
      params: { $$strict: true },
      openapi: { summary: "This document: OpenAPI 3.1 of every route, from the validation schemas" },
      handler(this: any) {
        const registry = this.broker.registry;
        return buildOpenApiDocument({
          aliases: this.aliases,
          actionDefinition(name) {
            const endpoints = registry.getActionEndpoints(name)?.endpoints ?? [];
            return endpoints.length > 0 ? endpoints[0].action : null;
          },
        });
      },
    },
    issueDevToken: {
      openapi: { summary: "Development token issuer (AUTH_DEV_TOKENS); 404 when off" },
      params: {
        userId: { type: "string", pattern: /^[A-Za-z0-9_.@:-]{1,128}$/ },
        role: { type: "enum", values: roles, optional: true },
        $$strict: true,
      },
      async handler(ctx: Context<{ userId: string; role?: Role }>) {
        if (!config.authDevTokens) throw new MarqueeError("NOT_FOUND", "Not found");
        return { token: await tokens.issue({ id: ctx.params.userId, role: ctx.params.role ?? "user" }) };
      },
    },
  };
}
