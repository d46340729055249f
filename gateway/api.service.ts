// The REST gateway (moleculer-web): the contract's routes, auth, bodies, errors, health, metrics.
// Every route maps to a service action; the action's params schema validates strictly.
import type { IncomingMessage, ServerResponse } from "node:http";
import ApiGateway from "moleculer-web";
import type { Context, ServiceSchema } from "moleculer";
import type { Runtime } from "../platform/runtime.ts";
import { createTokenVerifier } from "./auth.ts";
import type { GatewayMeta, User } from "../domain/request.ts";
import { assertNoNulInUrl, jsonBody } from "./body.ts";
import { toHttpError } from "./errors.ts";
import { addressBucket, clientAddress, parseTrustedProxies } from "./client-address.ts";
import { RateLimiter } from "./rate-limit.ts";
import { buildOpenApiDocument } from "./openapi/document.ts";
import { clientErrorMixin } from "./client-errors.ts";
import { applyHttpServerLimits } from "./http-limits.ts";
import { MarqueeError } from "../domain/errors.ts";
import { httpRequestReceiveTimeoutMs } from "../domain/limits.ts";
import { renderMetrics } from "../platform/prometheus.ts";
import { createRealtimeGateway } from "./realtime/realtime.ts";
import { nodeReadiness } from "../platform/health-server.ts";
import { createWebSite } from "./web/site.ts";

type Request = IncomingMessage & { $ctx?: Context<any, any>; $action?: any; body?: unknown };

const headerValue = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", ...headers });
  res.end(JSON.stringify(body));
}

export function createApiService(runtime: Runtime): ServiceSchema {
  const { config } = runtime;
  const tokens = createTokenVerifier(config);
  const webSite = createWebSite();
  // Socket.IO and SSE (gateway/realtime/): attached to this gateway's HTTP server.
  const realtime = createRealtimeGateway(config, tokens);
  const trustedProxies = parseTrustedProxies(config.trustedProxy);
  const rateLimiter = new RateLimiter({
    redis: runtime.redis,
    clock: runtime.clock,
    limit: config.rateLimitPerWindow,
    windowMs: config.rateLimitWindowMs,
  });

  // The bearer token of a request is verified once: by the rate limiter (to count per user) and then
  // reused by `authenticate`. Rejects for a token that is sent but not valid.
  const identities = new WeakMap<IncomingMessage, Promise<User | null>>();
  function identify(req: IncomingMessage): Promise<User | null> {
    let identity = identities.get(req);
    if (identity === undefined) {
      identity = tokens.verify(headerValue(req.headers.authorization));
      identities.set(req, identity);
    }
    return identity;
  }

  /** Counts the request against its client (user id, else address); throws 429 past the limit. */
  async function enforceRateLimit(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const user = await identify(req).catch(() => null);
    const key = user ? `user:${user.id}` : `address:${addressBucket(clientAddress(req, trustedProxies))}`;
    const decision = await rateLimiter.hit(key);
    res.setHeader("RateLimit-Limit", String(decision.limit));
    res.setHeader("RateLimit-Remaining", String(decision.remaining));
    res.setHeader("RateLimit-Reset", String(Math.ceil(decision.resetMs / 1000)));
    if (!decision.allowed) {
      throw new MarqueeError(
        "RATE_LIMITED",
        "Too many requests from this client, retry later",
        { limit: decision.limit, windowMs: rateLimiter.windowMs },
        decision.retryAfterSeconds,
      );
    }
  }

  // Copies what actions need from the request into ctx.meta (headers never reach params).
  function onBeforeCall(this: any, ctx: Context<any, GatewayMeta>, _route: unknown, req: Request): void {
    ctx.meta.clientAddress = clientAddress(req, trustedProxies);
    const idempotencyKey = headerValue(req.headers["idempotency-key"]);
    if (idempotencyKey !== undefined) ctx.meta.idempotencyKey = idempotencyKey;
    const admissionToken = headerValue(req.headers["x-admission-token"]);
    if (admissionToken !== undefined) ctx.meta.admissionToken = admissionToken;
    // We are the origin: a conditional GET is validated here whatever the client's Cache-Control
    // says (`no-cache` asks caches to revalidate with the origin, which is what this is; RFC 9111
    // 5.2.1.4). moleculer-web's freshness check (the `fresh` package) would otherwise never answer
    // 304 to fetch() clients, which add `Cache-Control: no-cache` to every conditional request.
    if (req.headers["if-none-match"] !== undefined) delete req.headers["cache-control"];
  }

  // A 503 is load shedding or a dependency that is down, the system working as designed: a warning,
  // at most one a second (with how many were not logged), not an error per request in a rush.
  let unavailableLoggedAt = 0;
  let unavailableUnlogged = 0;
  function logUnavailable(logger: any, url: string | undefined, code: string): void {
    const now = Date.now();
    if (now - unavailableLoggedAt < 1_000) {
      unavailableUnlogged += 1;
      return;
    }
    logger.warn({ url, code, notLoggedSinceLast: unavailableUnlogged }, "request answered 503");
    unavailableLoggedAt = now;
    unavailableUnlogged = 0;
  }

  const common = {
    bodyParsers: false,
    use: [jsonBody],
    mappingPolicy: "restrict",
    mergeParams: true,
    autoAliases: false,
    logging: false,
    onBeforeCall,
  };

  return {
    name: "api",
    mixins: [ApiGateway as any, clientErrorMixin],
    // Runs after moleculer-web's `created`, which makes the HTTP server.
    created(this: any) {
      applyHttpServerLimits(this.server, config);
    },
    settings: {
      port: config.port,
      ip: "0.0.0.0",
      httpServerTimeout: 30_000,
      // A request (headers and body, at most 64 KiB) must arrive within this; Node's default is 300 s.
      requestTimeout: httpRequestReceiveTimeoutMs,
      etag: false,
      log4XXResponses: false,
      logRequest: null,
      logResponse: null,
      routes: [
        {
          ...common,
          name: "public",
          path: "/",
          authentication: false,
          etag: true,
          aliases: {
            "POST /auth/token": "api.issueDevToken",
            "GET /openapi.json": "api.openapi",
            "GET /events/search": "search.search",
            "GET /events/:eventId": "catalog.getEvent",
            "GET /events/:eventId/tickets": "catalog.getTickets",
          },
        },
        {
          ...common,
          name: "user",
          path: "/",
          authentication: true,
          aliases: {
            "POST /booking/reserve": "booking.reserve",
            "POST /booking/release": "booking.release",
            "POST /booking/confirm": "booking.confirm",
            "GET /bookings": "booking.listBookings",
            "GET /bookings/:bookingId": "booking.getBooking",
            "GET /payments/:paymentId": "booking.getPayment",
            "POST /events/:eventId/queue": "queue.join",
            "GET /events/:eventId/queue": "queue.status",
          },
        },
        {
          ...common,
          name: "admin",
          path: "/admin",
          authentication: true,
          authorization: true,
          aliases: {
            "POST /performers": "catalog.createPerformer",
            "POST /venues": "catalog.createVenue",
            "POST /events": "catalog.createEvent",
            "PATCH /events/:eventId": "catalog.updateEvent",
            "DELETE /events/:eventId": "catalog.deleteEvent",
          },
        },
      ],
      onError(this: any, req: Request, res: ServerResponse, error: unknown) {
        const mapped = toHttpError(error);
        if (mapped.status === 503) logUnavailable(this.logger, req.url, mapped.body.error.code);
        else if (mapped.status >= 500) this.logger.error({ url: req.url, err: error }, "request failed");
        const headers: Record<string, string> = {};
        if (mapped.retryAfterSeconds !== undefined) headers["Retry-After"] = String(mapped.retryAfterSeconds);
        sendJson(res, mapped.status, mapped.body, headers);
      },
    },

    events: realtime.events,

    started(this: any) {
      this.realtime = realtime;
      realtime.attach(this.server, this.broker, this.logger);
    },

    async stopped() {
      await realtime.close();
    },

    actions: {
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
          role: { type: "enum", values: ["user", "admin"], optional: true },
          $$strict: true,
        },
        async handler(ctx: Context<{ userId: string; role?: "user" | "admin" }>) {
          if (!config.authDevTokens) throw new MarqueeError("NOT_FOUND", "Not found");
          return { token: await tokens.issue({ id: ctx.params.userId, role: ctx.params.role ?? "user" }) };
        },
      },
    },

    methods: {
      /** Raw routes (health, metrics, the web UI) are answered before moleculer-web's routing. */
      async httpHandler(this: any, req: Request, res: ServerResponse, next?: unknown) {
        try {
          // Health and metrics are answered before the rate limit: probes are never throttled.
          if (await this.handleRawRoute(req, res)) return;
          // The UI's files come from memory with long-lived caching: not counted against the API limit.
          if (await webSite.handle(req, res)) return;
          await enforceRateLimit(req, res);
          assertNoNulInUrl(req.url);
          if (await realtime.handleRequest(req, res)) return; // SSE updates (rate-limited like reads)
        } catch (error) {
          return this.settings.onError.call(this, req, res, error);
        }
        return (ApiGateway as any).methods.httpHandler.call(this, req, res, next);
      },
      async authenticate(_ctx: Context, _route: unknown, req: Request): Promise<User | null> {
        const user = await identify(req);
        if (!user) throw new MarqueeError("UNAUTHENTICATED", "A bearer token is required");
        return user;
      },
      async authorize(ctx: Context<any, GatewayMeta>): Promise<void> {
        if (ctx.meta.user?.role !== "admin") throw new MarqueeError("FORBIDDEN", "Admin role required");
      },
      /** Routes outside moleculer-web's action mapping: health, metrics. */
      async handleRawRoute(req: Request, res: ServerResponse): Promise<boolean> {
        const url = req.url?.split("?")[0];
        if (req.method !== "GET") return false;
        if (url === "/health/live") {
          sendJson(res, 200, { status: "ok" });
          return true;
        }
        if (url === "/health/ready") {
          // As every node reports (platform/health-server.ts), plus: some node offers the booking actors.
          const { ready, body } = await nodeReadiness(runtime, (this as any).broker);
          const services = (this as any).availableServices() as string[];
          const checks = {
            ...(body.checks as Record<string, string>),
            // The booking actors (on this node or another) can take requests.
            booking: (this as any).broker.registry.getActionEndpoints("booking.execute")?.hasAvailable()
              ? "up"
              : "down",
          };
          const down = !ready || checks.booking === "down";
          sendJson(res, down ? 503 : 200, { ...body, status: down ? "down" : body.status, checks, services });
          return true;
        }
        if (url === "/metrics") {
          res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" });
          res.end(renderMetrics((this as any).broker));
          return true;
        }
        return false;
      },
      /** Services some node of the cluster offers right now. */
      availableServices(): string[] {
        const list = (this as any).broker.registry.getServiceList({ onlyAvailable: true }) as {
          name: string;
        }[];
        return [...new Set(list.map((service) => service.name))]
          .filter((name) => !name.startsWith("$"))
          .sort();
      },
    },
  } as ServiceSchema;
}
