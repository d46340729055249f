// The REST gateway (moleculer-web): the contract's routes (gateway/routes.ts), auth, bodies, errors,
// health, metrics, plus the realtime gateway and the web UI on the same HTTP server. This module
// puts the parts together; each lives in its own module.
import type { ServerResponse } from "node:http";
import ApiGateway from "moleculer-web";
import type { ServiceSchema } from "moleculer";
import type { Runtime } from "../platform/runtime.ts";
import { startMetricsServer } from "../platform/metrics-server.ts";
import { addMetricsCollector } from "../platform/prometheus.ts";
import { createTokenVerifier } from "./auth.ts";
import { assertNoNulInUrl } from "./body.ts";
import { parseTrustedProxies } from "./client-address.ts";
import { clientOf } from "./client-key.ts";
import { clientErrorMixin } from "./client-errors.ts";
import { createClientRateLimit, type ClientRateLimit } from "./client-rate-limit.ts";
import { createErrorAnswer } from "./error-answer.ts";
import { createHttpRequestMetrics, type HttpRequestMetrics } from "./http-metrics.ts";
import { trackRequests } from "./http-drain.ts";
import { applyHttpServerLimits, httpServerSettings } from "./http-limits.ts";
import type { GatewayRequest } from "./http-message.ts";
import { apiActions } from "./api-actions.ts";
import { handleRawRoute } from "./raw-routes.ts";
import { createRealtimeGateway, type RealtimeGateway } from "./realtime/realtime.ts";
import { createRequestAuth } from "./request-auth.ts";
import { assignRequestId } from "./request-id.ts";
import { callRestDirectly } from "./rest-entry.ts";
import { requestMetaHook } from "./request-meta.ts";
import { aliasTemplates, rawRouteTemplates } from "./route-templates.ts";
import { gatewayRoutes } from "./routes.ts";
import { createWebSite, type WebSite } from "./web/site.ts";

interface RequestSteps {
  runtime: Runtime;
  webSite: WebSite;
  enforceRateLimit: ClientRateLimit;
  realtime: RealtimeGateway;
  httpMetrics: HttpRequestMetrics;
}

/** The api service's `httpHandler`: the steps before moleculer-web routes a request to an action. */
function requestPipeline({ runtime, webSite, enforceRateLimit, realtime, httpMetrics }: RequestSteps) {
  return async function httpHandler(this: any, req: GatewayRequest, res: ServerResponse, next?: unknown) {
    httpMetrics.observe(req, res);
    assignRequestId(req, res);
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
  const routes = gatewayRoutes(requestMetaHook(trustedProxies));
  const httpMetrics = createHttpRequestMetrics([...aliasTemplates(routes), ...rawRouteTemplates]);

  return {
    name: "api",
    mixins: [ApiGateway as any, clientErrorMixin],
    // Runs after moleculer-web's `created`, which makes the HTTP server.
    created(this: any) {
      applyHttpServerLimits(this.server, config);
      this.httpDrain = trackRequests(this.server);
      callRestDirectly(this);
    },
    settings: {
      ...httpServerSettings(config),
      etag: false,
      log4XXResponses: false,
      logRequest: null,
      logResponse: null,
      routes,
      onError: createErrorAnswer(),
    },
    events: realtime.events,
    async started(this: any) {
      this.realtime = realtime;
      realtime.attach(this.server, this.broker, this.logger);
      this.removeHttpMetrics = addMetricsCollector(this.broker, httpMetrics.collect);
      this.metricsServer = await startMetricsServer(config, this.broker); // null without METRICS_PORT
    },
    async stopped(this: any) {
      this.removeHttpMetrics?.();
      await this.metricsServer?.close();
      await realtime.close();
    },
    actions: apiActions(config, tokens),
    methods: {
      httpHandler: requestPipeline({ runtime, webSite, enforceRateLimit, realtime, httpMetrics }),
      authenticate: auth.authenticate,
      authorize: auth.authorize,
      // moleculer-web's default logs "Request error!" (no code, route or id) for every error whose
      // code is not a number, refusals included, before onError; onError logs each one properly.
      errorHandler(this: any, req: GatewayRequest, res: ServerResponse, error: unknown) {
        this.sendError(req, res, error);
      },
      /**
       * The node is stopping (node.ts): stop accepting, end the Socket.IO and SSE connections, let
       * the requests in flight finish within `timeoutMs`; resolves with how many were cut.
       */
      drain(this: any, timeoutMs: number): Promise<number> {
        return this.httpDrain.drain(timeoutMs, () => realtime.close());
      },
    },
  } as ServiceSchema;
}
