// Draining the gateway's HTTP server when its node stops: no new connections, idle keep-alive ones
// closed, the requests in flight answered (each then closes its connection), and whatever is still
// running after the drain timeout cut. A request the node took is answered; a client that comes after
// gets a refused connection and tries another node.
import type { Server, ServerResponse } from "node:http";

export interface HttpDrain {
  /** Requests being answered now. */
  readonly inFlight: number;
  /**
   * Stops accepting and waits up to `timeoutMs` for the requests in flight (long-lived streams must
   * be ended by their owner meanwhile), then closes every connection. Resolves with how many
   * requests were cut.
   */
  drain(timeoutMs: number, beforeWaiting?: () => Promise<void>): Promise<number>;
}

/** Counts the server's requests from now on (call it before the server listens). */
export function trackRequests(server: Server): HttpDrain {
  const active = new Set<ServerResponse>();
  let draining = false;
  let settle: (() => void) | null = null;

  server.on("request", (_request, response: ServerResponse) => {
    active.add(response);
    // Answered during the drain: `Connection: close`, so the client does not send another request here.
    if (draining) response.shouldKeepAlive = false;
    response.once("close", () => {
      active.delete(response);
      if (!draining) return;
      server.closeIdleConnections();
      if (active.size === 0) settle?.();
    });
  });

  return {
    get inFlight() {
      return active.size;
    },
    async drain(timeoutMs, beforeWaiting) {
      draining = true;
      for (const response of active) response.shouldKeepAlive = false;
      // Stops listening at once (not awaited: its callback waits for every connection, upgraded
      // ones included, which their owners close) and closes the idle keep-alive connections.
      if (server.listening) server.close();
      server.closeIdleConnections();
      await beforeWaiting?.();
      let timer: NodeJS.Timeout | undefined;
      if (active.size > 0)
        await new Promise<void>((resolve) => {
          settle = resolve;
          timer = setTimeout(resolve, timeoutMs);
        });
      clearTimeout(timer);
      const cut = active.size;
      server.closeAllConnections();
      return cut;
    },
  };
}
