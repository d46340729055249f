// The load drivers stand for thousands of clients but connect from one address (127.0.0.1), which
// the gateway's per-client caps (domain/limits.ts) would count as one client. The nodes they start
// raise those caps to the node's own bounds, as they raise RATE_LIMIT_PER_WINDOW; the node-wide
// bounds stay as in production.
import { socketConnectionsPerNodeMax, sseClientsPerNodeMax } from "../domain/limits.ts";

export const oneAddressManyClientsEnv: Record<string, string> = {
  SOCKET_CONNECTIONS_PER_CLIENT_MAX: String(socketConnectionsPerNodeMax),
  // A node takes no more connections than this in all; as many a second is no limit at all.
  SOCKET_HANDSHAKES_PER_CLIENT_PER_SECOND: String(socketConnectionsPerNodeMax),
  SSE_STREAMS_PER_CLIENT_MAX: String(sseClientsPerNodeMax),
};
