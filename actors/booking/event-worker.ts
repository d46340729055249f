// Worker-thread entry: one ActorHost with its own small Postgres pool. Messages in and out are
// batches (see protocol.ts). A throw while deciding one command fails that command and reloads its
// event only (turn-faults.ts); a database that disagrees with memory stops this worker loudly, and
// the pool restarts it and its actors reload from Postgres. The command being decided is kept in
// shared memory (the deciding ledger): should the thread die there anyway, the pool knows which it was.
import { parentPort, workerData } from "node:worker_threads";
import { createPool } from "../../platform/database.ts";
import { workerDatabaseConnectionsMax } from "../../domain/limits.ts";
import { ActorHost } from "./actor-host.ts";
import type { ActorRequest, FromWorker, ToWorker, WorkerOptions } from "./protocol.ts";

const port = parentPort;
if (!port) throw new Error("event-worker.ts runs in a worker thread");
const options = workerData as WorkerOptions;
const db = createPool(options.databaseUrl, {
  max: workerDatabaseConnectionsMax,
  applicationName: `marquee-actors-${options.owner}`.slice(0, 63),
});

const post = (message: FromWorker) => port.postMessage(message);

const decidingLedger = options.decidingLedger ? new Int32Array(options.decidingLedger) : null;
const testFault = options.testFaultInDecide;

/** ActorHostOptions.deciding: the ledger, and the tests' fault when one is asked for. */
function deciding(request: ActorRequest | null): void {
  if (decidingLedger) Atomics.store(decidingLedger, 0, request?.id ?? 0);
  if (!testFault || request?.kind !== "command") return;
  if ((request.command as { userId?: unknown } | null)?.userId !== testFault.userId) return;
  if (testFault.fault === "exit") process.exit(70); // like running out of memory: nothing to catch
  throw new Error(`test fault while deciding a command of ${testFault.userId}`);
}

function fatal(error: Error): never {
  post({ type: "fatal", message: `${error.name}: ${error.message}` });
  // Exit without flushing anything else: the state of this worker can no longer be trusted.
  process.exit(70);
}

const host = new ActorHost({
  db,
  owner: options.owner,
  holdTtlMs: options.holdTtlMs,
  paranoid: options.paranoid,
  output: (output) => post({ type: "output", ...output }),
  fatal,
  log: (level, message) => post({ type: "log", level, message }),
  deciding: decidingLedger || testFault ? deciding : undefined,
});

port.on("message", (message: ToWorker) => {
  switch (message.type) {
    case "requests":
      host.submit(message.requests, message.now);
      break;
    case "tick":
      host.tick(message.now);
      break;
    case "ringChanged":
      host.ringChanged();
      break;
    case "stop":
      void host
        .stop()
        .then(() => db.end())
        .finally(() => post({ type: "stopped" }));
      break;
  }
});

process.on("uncaughtException", (error) => fatal(error));
process.on("unhandledRejection", (error) => fatal(error instanceof Error ? error : new Error(String(error))));

post({ type: "ready" });
