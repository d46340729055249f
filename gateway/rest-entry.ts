// moleculer-web's entry action (`api.rest`: match the route, run its hooks, call the route's action)
// called without the broker's action middlewares. Every HTTP request was two Moleculer calls: this
// one, which the gateway's own steps already cover, and the route's action. The first paid a
// context plus metrics, bulkhead, timeout, context tracking and error wrapping on every request
// (~10 µs of a waiting-room join's ~110 µs of CPU, where 10,000 joins a second leave ~100 µs). What
// each of those gave is kept where it matters:
// - the route's action is still called through the whole chain (its own bulkhead answers 503
//   OVERLOADED, its timeout 503, its metrics `moleculer_request_*{action}`);
// - each request is timed by `marquee_http_request_duration_seconds` (gateway/http-metrics.ts);
// - a stopping node answers the requests in flight before its services stop (gateway/http-drain.ts);
// - `api.rest` never had a timeout (moleculer-web sets 0).
import type { ServiceBroker } from "moleculer";

interface RestAction {
  /** The handler as Moleculer made it from the schema: bound to the service, answering a promise. */
  handler: (ctx: unknown) => Promise<unknown>;
}

interface GatewayService {
  fullName: string;
  broker: ServiceBroker;
  actions: Record<string, (params: unknown, options?: Record<string, unknown>) => Promise<unknown>>;
  /** What Moleculer registers for the service (moleculer 0.14 `Service#_serviceSpecification`). */
  _serviceSpecification?: { actions?: Record<string, RestAction> };
}

/**
 * Replaces the service's `this.actions.rest` (what moleculer-web's httpHandler calls) by a direct
 * call of its handler with a context of its own, as Moleculer's wrapper makes it. Call it from the
 * service's `created` hook. Throws when Moleculer no longer exposes the action as expected, so a
 * dependency update cannot silently drop the gateway's routes.
 */
export function callRestDirectly(service: GatewayService): void {
  const action = service._serviceSpecification?.actions?.[`${service.fullName}.rest`];
  if (typeof action?.handler !== "function" || typeof service.actions.rest !== "function")
    throw new Error(`${service.fullName}.rest is not where moleculer-web and Moleculer 0.14 put it`);
  const { broker } = service;
  const registry = broker.registry as unknown as { createPrivateActionEndpoint(action: RestAction): unknown };
  const endpoint = registry.createPrivateActionEndpoint(action);
  const contexts = broker.ContextFactory as unknown as {
    create(broker: ServiceBroker, endpoint: unknown, params: unknown, options: object): unknown;
  };
  service.actions.rest = (params, options) =>
    action.handler(contexts.create(broker, endpoint, params, options ?? {}));
}
