// The REST gateway (moleculer-web): the contract's routes (gateway/routes.ts), auth, bodies, errors,
// health, metrics, plus the realtime gateway and the web UI on the same HTTP server. This module
// puts the parts together; each lives in its own module.
import type { ServerResponse } from "node:http";
import ApiGateway from "moleculer-web";
import type { ServiceSchema } from "moleculer";
import type { Runtime } from "../platform/runtime.ts";
import { startMetricsServer } from "../platform/metrics-server.ts";
import { createTokenVerifier } from "./auth.ts";
import { assertNoNulInUrl } from "./body.ts";
import { parseTrustedProxies } from "./client-address.ts";
import { clientOf } from "./client-key.ts";
import { clientErrorMixin } from "./client-errors.ts";
import { createClientRateLimit, type ClientRateLimit } from "./client-rate-limit.ts";
import { createErrorAnswer } from "./error-answer.ts";
import { applyHttpServerLimits, httpServerSettings } from "./http-limits.ts";
import type { GatewayRequest } from "./http-message.ts";
import { apiActions } from "./api-actions.ts";
import { handleRawRoute } from "./raw-routes.ts";
import { createRealtimeGateway, type RealtimeGateway } from "./realtime/realtime.ts";
import { createRequestAuth } from "./request-auth.ts";
import { requestMetaHook } from "./request-meta.ts";
import { gatewayRoutes } from "./routes.ts";
import { createWebSite, type WebSite } from "./web/site.ts";

interface RequestSteps {
  runtime: Runtime;
  webSite: WebSite;
  enforceRateLimit: ClientRateLimit;
  realtime: RealtimeGateway;
}

/** The api service's `httpHandler`: the steps before moleculer-web routes a request to an action. */
function requestPipeline({ runtime, webSite, enforceRateLimit, realtime }: RequestSteps) {
  return async function httpHandler(this: any, req: GatewayRequest, res: ServerResponse, next?: unknown) {
    try {
      // Health and metrics are answered before the rate limit: probes are never throttled.
      if (await handleRawRoute(runtime, this.broker, req, res)) return;
      // The UI's files come from memory with long-lived caching: not counted against the API limit.
      if (await webSite.handle(req, res)) return;
      await enforceRateLimit(req, res);
      assertNoNulInUrl(req.url);
      if (await realtime.handleRequest(req, res)) return; // SSE updates (rate-limited like reads)
    } catch (error) {
      return this.settings.onError.call(this, req, res, error);
    }
    return (ApiGateway as any).methods.httpHandler.call(this, req, res, next);
  };
}

export function createApiService(runtime: Runtime): ServiceSchema {
  const { config } = runtime;
  const tokens = createTokenVerifier(config);
  const auth = createRequestAuth(tokens);
  const webSite = createWebSite();
  const trustedProxies = parseTrustedProxies(config.trustedProxy);
  // Socket.IO and SSE (gateway/realtime/): attached to this gateway's HTTP server; each connection
  // counts against its client as the rate limit does.
  const realtime = createRealtimeGateway(config, tokens, {
    clientOf: clientOf(auth.identify, trustedProxies),
    clock: runtime.clock,
  });
  const enforceRateLimit = createClientRateLimit(runtime, auth.identify, trustedProxies);

  return {
    name: "api",
    mixins: [ApiGateway as any, clientErrorMixin],
    // Runs after moleculer-web's `created`, which makes the HTTP server.
    created(this: any) {
      applyHttpServerLimits(this.server, config);
    },
    settings: {
      ...httpServerSettings(config),
      etag: false,
      log4XXResponses: false,
      logRequest: null,
      logResponse: null,
      routes: gatewayRoutes(requestMetaHook(trustedProxies)),
      onError: createErrorAnswer(),
    },
    events: realtime.events,
    async started(this: any) {
      this.realtime = realtime;
      realtime.attach(this.server, this.broker, this.logger);
      this.metricsServer = await startMetricsServer(config, this.broker); // null without METRICS_PORT
    },
    async stopped(this: any) {
      await this.metricsServer?.close();
      await realtime.close();
    },
    actions: apiActions(config, tokens),
    methods: {
      httpHandler: requestPipeline({ runtime, webSite, enforceRateLimit, realtime }),
      authenticate: auth.authenticate,
      authorize: auth.authorize,
    },
  } as ServiceSchema;
}
