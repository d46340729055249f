// An ActorHost outside a worker thread, with its own small pool, for tests that run two hosts side by
// side against one database (a split brain, a ring change): send a request, get its reply.
import { createPool, type Database } from "../../platform/database.ts";
import { ActorHost } from "../../actors/booking/actor-host.ts";
import type { ActorRequest, Reply } from "../../actors/booking/protocol.ts";
import type { Command } from "../../domain/seat-state.ts";

/** A request without its id (the test host numbers them). */
export type TestRequest =
  | Omit<Extract<ActorRequest, { kind: "command" }>, "id">
  | Omit<Extract<ActorRequest, { kind: "seatMap" }>, "id">;

export interface TestHost {
  name: string;
  host: ActorHost;
  db: Database;
  /** A command of the host's event. */
  send(command: Command): Promise<Reply>;
  request(request: TestRequest): Promise<Reply>;
  stop(): Promise<void>;
}

/**
 * A paranoid host named `name` (its event_actors owner); `fatal` collects what would stop a worker.
 * `db`: a pool of the caller's (a faulty one, say), ended by stop() like the host's own.
 */
export function startTestHost(
  name: string,
  databaseUrl: string,
  eventId: string,
  fatal: Error[],
  db: Database = createPool(databaseUrl, { max: 3 }),
): TestHost {
  const waiting = new Map<number, (reply: Reply) => void>();
  let nextId = 1;
  const host = new ActorHost({
    db,
    owner: name,
    holdTtlMs: 600_000,
    paranoid: true,
    output: (output) => {
      for (const reply of output.replies) waiting.get(reply.id)?.(reply);
    },
    fatal: (error) => fatal.push(error),
    log: () => {},
  });
  const request = (sent: TestRequest): Promise<Reply> => {
    const id = nextId++;
    return new Promise((resolve) => {
      waiting.set(id, (reply) => {
        waiting.delete(id);
        resolve(reply);
      });
      host.submit([{ ...structuredClone(sent), id } as ActorRequest], Date.now());
    });
  };
  return {
    name,
    host,
    db,
    request,
    send: (command) => request({ kind: "command", eventId, command }),
    async stop() {
      await host.stop();
      await db.end();
    },
  };
}
