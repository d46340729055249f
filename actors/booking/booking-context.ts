// What the booking actions share: the node's engine, the payment provider, and how a command reaches
// the engine of its event (here, or on the owning node).
import type { ServiceBroker } from "moleculer";
import type { Runtime } from "../../platform/runtime.ts";
import type { Command } from "../../domain/seat-state.ts";
import type { SagaContext } from "../payments/confirm-saga.ts";
import type { PaymentProvider } from "../payments/provider.ts";
import type { BookingEngine } from "./booking-engine.ts";
import { runCommand, type Caller, type LocalEngine } from "./command-routing.ts";

type Logger = Record<"info" | "warn" | "error", (message: string) => void>;

export interface BookingContext extends LocalEngine {
  runtime: Runtime;
  provider: PaymentProvider;
  /** Runs a command on the engine of its event, from a request (`ctx`) or the service (`broker`). */
  run(caller: Caller, eventId: string, command: Command): Promise<any>;
  /** The confirm saga's dependencies, its commands sent through `caller`. */
  saga(caller: Caller, logger: Logger): SagaContext;
}

export function createBookingContext(
  runtime: Runtime,
  engine: BookingEngine,
  provider: PaymentProvider,
): BookingContext {
  const context: BookingContext = {
    runtime,
    engine,
    provider,
    broker: null as ServiceBroker | null,
    run: (caller, eventId, command) => runCommand(caller, eventId, command, context),
    saga: (caller, logger) => ({
      db: runtime.db,
      provider,
      actor: (eventId, command) => context.run(caller, eventId, command),
      pauseAfterCaptureMs: runtime.config.testPauseAfterCaptureMs,
      log: (level, message) => logger[level](message),
    }),
  };
  return context;
}
