// One hop from the gateway to the node that owns an event. moleculer-web picks an action's endpoint
// with its own request context, whose params are `{req, res}`: the Shard strategy (moleculer.config.ts)
// finds no event there and picks any booking node, which would forward the command to the owner. So a
// booking call's endpoint is picked again by the request's params: its `eventId`, or the event of its
// ticket ids (`requestEventId`, the strategy's key). Other actions keep moleculer-web's choice.
import type { ServiceBroker } from "moleculer";
import { requestEventId } from "../domain/ids.ts";

/** The parts of moleculer-web's request this reads and sets (before the call, in `onBeforeCall`). */
export interface RoutedRequest {
  $action?: { name?: string };
  $params?: unknown;
  $endpoint?: unknown;
}

export function routeToEventOwner(broker: ServiceBroker, req: RoutedRequest): void {
  const action = req.$action?.name;
  if (action === undefined || !action.startsWith("booking.")) return;
  if (requestEventId(req.$params) === null) return;
  const endpoint = broker.findNextActionEndpoint(action, undefined, { params: req.$params } as any);
  // An Error (no node serves it now): moleculer-web's choice stands, and answers as before.
  if (endpoint && !(endpoint instanceof Error)) req.$endpoint = endpoint;
}
