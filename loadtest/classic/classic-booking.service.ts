// The `booking` service on the classic engine (BOOKING_ENGINE=classic): the same actions, events and
// answers as actors/booking/booking.service.ts, but every command is one Postgres transaction with row locks
// behind a Redis hold lock (classic-engine.ts) instead of an event actor. It exists to be measured
// against (`npm run rush` runs both); the confirm saga, payment recovery, admission guard, schemas and
// error catalogue are the real ones.
import type { Context, ServiceSchema } from "moleculer";
import type { Runtime } from "../../platform/runtime.ts";
import { repeatEvery, type Repeating } from "../../platform/repeat.ts";
import { validationError } from "../../domain/errors.ts";
import { holdsEndedEvent, seatsChangedEvent } from "../../domain/messages.ts";
import { classicHoldSweepIntervalMs } from "../../domain/limits.ts";
import type { Command } from "../../domain/seat-state.ts";
import type { User } from "../../domain/request.ts";
import {
  accountActions,
  confirmAction,
  eventIdSchema,
  internalBulkhead,
  releaseAction,
  repeatPaymentRecovery,
  requireUser,
  ticketSelectionSchema,
} from "../../actors/booking/booking.service.ts";
import { selectTickets } from "../../actors/booking/ticket-selection.ts";
import type { SagaContext } from "../../actors/payments/confirm-saga.ts";
import { recoverPayments } from "../../actors/payments/recovery.ts";
import { SimulatedPaymentProvider } from "../../actors/payments/simulated-provider.ts";
import type { PaymentProvider } from "../../actors/payments/provider.ts";
import { createAdmissionGuard, type AdmissionGuard } from "../../actors/waiting-room/admission-guard.ts";
import { ClassicEngine } from "./classic-engine.ts";

/** Best-available fields are accepted by the schema only to answer them with a clear 400. */
const bestAvailableSchema = {
  eventId: { type: "any", optional: true },
  quantity: { type: "any", optional: true },
  section: { type: "any", optional: true },
  maxPriceCents: { type: "any", optional: true },
  adjacent: { type: "any", optional: true },
};

export function createClassicBookingService(runtime: Runtime): ServiceSchema {
  const { config, clock, db, redis } = runtime;
  const provider: PaymentProvider = new SimulatedPaymentProvider();
  let engine: ClassicEngine | null = null;
  let admission: AdmissionGuard | null = null;
  let loops: Repeating[] = [];

  const requireEngine = (): ClassicEngine => {
    if (!engine) throw new Error("the classic booking engine is not started");
    return engine;
  };

  function sagaContext(logger: any): SagaContext {
    return {
      db,
      provider,
      actor: (eventId: string, command: Command) => requireEngine().execute(eventId, command),
      pauseAfterCaptureMs: config.testPauseAfterCaptureMs,
      log: (level, message) => logger[level](message),
    };
  }

  return {
    name: "booking",
    actions: {
      reserve: {
        params: { ...ticketSelectionSchema, ...bestAvailableSchema, $$strict: true },
        bulkhead: internalBulkhead,
        async handler(
          this: any,
          ctx: Context<
            { ticketId?: string; ticketIds?: string[]; quantity?: unknown },
            { user?: User; admissionToken?: string }
          >,
        ) {
          const user = requireUser(ctx);
          if (ctx.params.ticketId === undefined && ctx.params.ticketIds === undefined)
            throw validationError(
              "quantity",
              "Best available is not supported by the classic baseline engine: name ticketId or ticketIds",
            );
          const { ticketId, ticketIds } = ctx.params;
          const extra = Object.keys(ctx.params).filter((key) => key !== "ticketId" && key !== "ticketIds");
          if (extra.length > 0) throw validationError(extra[0], `Unexpected field ${extra[0]}`);
          const { eventId, ordinals } = selectTickets({ ticketId, ticketIds });
          admission ??= createAdmissionGuard(
            (action, params) => this.broker.call(action, params),
            config,
            clock,
          );
          await admission.requireAdmission(eventId, user.id, ctx.meta.admissionToken);
          return requireEngine().execute(eventId, { type: "reserve", userId: user.id, ordinals, holdId: "" });
        },
      },

      release: releaseAction((_ctx, eventId, command) => requireEngine().execute(eventId, command)),

      confirm: confirmAction((_ctx, logger) => sagaContext(logger)),

      ...accountActions(db),

      /** The live seat map, read from the tables (one byte a seat, base64, as the real engine). */
      seatMap: {
        visibility: "public",
        params: { eventId: eventIdSchema, $$strict: true },
        bulkhead: internalBulkhead,
        async handler(ctx: Context<{ eventId: string }>) {
          const snapshot = await requireEngine().seatMap(ctx.params.eventId);
          return {
            eventId: snapshot.eventId,
            version: snapshot.version,
            statuses: Buffer.from(snapshot.statuses).toString("base64"),
          };
        },
      },

      /** One command, as the actor protocol (readiness checks look for this action). */
      execute: {
        visibility: "public",
        params: {
          eventId: eventIdSchema,
          command: { type: "object" },
          ifActive: { type: "boolean", optional: true },
        },
        bulkhead: internalBulkhead,
        handler(ctx: Context<{ eventId: string; command: Command }>) {
          return requireEngine().execute(ctx.params.eventId, ctx.params.command);
        },
      },
    },

    created(this: any) {
      this.paymentProvider = provider;
    },

    methods: {
      async recoverPayments(this: any, pendingOlderThanMs?: number) {
        return recoverPayments(sagaContext(this.logger), pendingOlderThanMs);
      },
    },

    async started(this: any) {
      const logger = this.logger;
      const broker = this.broker;
      engine = new ClassicEngine({
        db,
        redis,
        clock,
        holdTtlMs: config.holdTtlSeconds * 1_000,
        onSeatsChanged: (payload) => void broker.broadcast(seatsChangedEvent, payload),
        onHoldsEnded: (payload) => void broker.broadcast(holdsEndedEvent, payload),
        log: (level, message) => logger[level](message),
      });
      loops = [
        repeatEvery(
          async () => {
            await engine?.sweepExpired();
          },
          {
            intervalMs: classicHoldSweepIntervalMs,
            onError: (error) => logger.warn({ error: error.message }, "hold sweep failed"),
          },
        ),
        repeatPaymentRecovery(() => this.recoverPayments(), logger),
      ];
    },

    async stopped() {
      engine = null;
      for (const loop of loops) loop.stop();
      loops = [];
    },
  } as ServiceSchema;
}
