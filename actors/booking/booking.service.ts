// The Moleculer `booking` service: owns the actor worker pool of this node and exposes the booking
// actions. Gateway-facing actions (reserve, release, confirm...) run on any node; they derive the
// event from the tickets and call the internal `booking.execute` / `booking.seatMap`, which carry
// `eventId` in their params so the Shard strategy routes them to the node that owns the event.
import { createHash } from "node:crypto";
import type { ActionSchema, Context, ServiceBroker, ServiceSchema } from "moleculer";
import type { Runtime } from "../../platform/runtime.ts";
import { repeatEvery, type Repeating } from "../../platform/repeat.ts";
import { MarqueeError, notFound, validationError } from "../../domain/errors.ts";
import { holdsEndedEvent, seatsChangedEvent } from "../../domain/messages.ts";
import type { GatewayMeta, User } from "../../domain/request.ts";
import {
  idempotencyKeyLengthMax,
  idempotencyKeyLengthMin,
  nameLengthMax,
  paymentTokenLengthMax,
  recoveryIntervalMs,
  staleRetriesMax,
  ticketsPerRequestMax,
} from "../../domain/limits.ts";
import type { Command, SaleSettings } from "../../domain/seat-state.ts";
import { ActorPool, isStaleOwner } from "./actor-pool.ts";
import { createBookingMetrics, type BookingMetrics } from "./metrics.ts";
import { reserveCommand, selectTickets, type ReserveParams } from "./ticket-selection.ts";
import { answerResult, confirm, type SagaContext } from "../payments/confirm-saga.ts";
import { findUserBooking, findUserPayment, listUserBookings } from "../payments/payments.repository.ts";
import { recoverPayments } from "../payments/recovery.ts";
import { SimulatedPaymentProvider } from "../payments/simulated-provider.ts";
import type { PaymentProvider } from "../payments/provider.ts";
import { createAdmissionGuard, type AdmissionGuard } from "../waiting-room/admission-guard.ts";

export const ticketIdSchema = { type: "string", min: 1, max: 120 };
export const ticketSelectionSchema = {
  ticketId: { ...ticketIdSchema, optional: true },
  ticketIds: { type: "array", min: 1, max: ticketsPerRequestMax, items: ticketIdSchema, optional: true },
};
export const eventIdSchema = { type: "string", pattern: /^[A-Za-z0-9_.-]{1,100}$/ };
/** Best available: `eventId` + `quantity` (and filters) instead of ticket ids. */
const bestAvailableSchema = {
  eventId: { ...eventIdSchema, optional: true },
  quantity: { type: "number", integer: true, min: 1, max: ticketsPerRequestMax, optional: true },
  section: { type: "string", min: 1, max: nameLengthMax, optional: true },
  maxPriceCents: { type: "number", integer: true, min: 0, max: Number.MAX_SAFE_INTEGER, optional: true },
  adjacent: { type: "boolean", optional: true },
};
/**
 * Seat commands are bounded by the actors' mailboxes (actorMailboxMax per event, 503 beyond), not by
 * the default bulkhead: a group commit needs the next batch to gather while the current one commits.
 */
export const internalBulkhead = { enabled: true, concurrency: 50_000, maxQueueSize: 0 };

export function requireUser(ctx: Context<unknown, { user?: User }>): User {
  const user = ctx.meta.user;
  if (!user) throw new MarqueeError("UNAUTHENTICATED", "A bearer token is required");
  return user;
}

type Caller = { call(action: string, params: unknown): Promise<unknown> };

/**
 * Sends a command to the event's actor, wherever it lives. The Shard strategy picks the owning node;
 * when that is this node, the command goes straight to the local pool (no second Moleculer call on
 * the hot path). A fenced-out (stale) actor wrote nothing, so the command is simply sent again:
 * re-routed to the current owner, or re-activated here.
 */
export async function callActor(
  caller: Caller,
  eventId: string,
  command: Command,
  local?: { broker: ServiceBroker; pool: ActorPool | null },
): Promise<any> {
  for (let attempt = 1; ; attempt++) {
    try {
      if (local?.pool && ownedHere(local.broker, eventId)) return await local.pool.command(eventId, command);
      return await caller.call("booking.execute", { eventId, command });
    } catch (error) {
      if (!isStaleOwner(error)) throw error;
      if (attempt >= staleRetriesMax)
        throw new MarqueeError(
          "UNAVAILABLE",
          "The event is moving between nodes; retry shortly",
          undefined,
          1,
        );
    }
  }
}

/** Whether the Shard strategy sends this event's commands to this node. */
function ownedHere(broker: ServiceBroker, eventId: string): boolean {
  const endpoints = (broker.registry as any).getActionEndpoints("booking.execute");
  const endpoint = endpoints?.next({ params: { eventId } });
  return endpoint?.local === true;
}

const idempotencyKeyPattern = new RegExp(
  `^[\\x21-\\x7e]{${idempotencyKeyLengthMin},${idempotencyKeyLengthMax}}$`,
);

export function requireIdempotencyKey(key: string | undefined): string {
  if (key === undefined || !idempotencyKeyPattern.test(key))
    throw validationError(
      "Idempotency-Key",
      `The Idempotency-Key header is required: ${idempotencyKeyLengthMin} to ${idempotencyKeyLengthMax} visible ASCII characters`,
    );
  return key;
}

/** Same key + same (normalized) body = same request; ticketId and ticketIds of one seat are alike. */
export const requestHash = (eventId: string, ordinals: number[], token: string): string =>
  createHash("sha256")
    .update(JSON.stringify({ eventId, ordinals: [...ordinals].sort((a, b) => a - b), token }))
    .digest("hex");

const paymentView = (payment: {
  id: string;
  status: string;
  amountCents: number;
  eventId: string;
  bookingId: string | null;
}) => ({
  id: payment.id,
  status: payment.status,
  amountCents: payment.amountCents,
  eventId: payment.eventId,
  bookingId: payment.bookingId,
});

/** Local (this node only) event with each actor turn's CommitStats. */
export const bookingTurnLocalEvent = "$booking.turn";

export function createBookingService(runtime: Runtime): ServiceSchema {
  const { config, clock, db } = runtime;
  let pool: ActorPool | null = null;
  let metrics: BookingMetrics | null = null;
  const provider: PaymentProvider = new SimulatedPaymentProvider();
  let recovery: Repeating | null = null;

  let broker: ServiceBroker;
  const local = () => ({ broker, pool });

  function sagaContext(caller: Caller, logger: any): SagaContext {
    return {
      db,
      provider,
      actor: (eventId, command) => callActor(caller, eventId, command, local()),
      pauseAfterCaptureMs: config.testPauseAfterCaptureMs,
      log: (level, message) => logger[level](message),
    };
  }
  let admission: AdmissionGuard | null = null;

  const requirePool = (): ActorPool => {
    if (!pool) throw new MarqueeError("UNAVAILABLE", "The booking engine is starting", undefined, 1);
    return pool;
  };

  return {
    name: "booking",
    actions: {
      reserve: {
        params: { ...ticketSelectionSchema, ...bestAvailableSchema, $$strict: true },
        bulkhead: internalBulkhead,
        openapi: {
          summary:
            "Hold tickets: by id ({ticketId} or {ticketIds}), or best available ({eventId, quantity, " +
            "section?, maxPriceCents?, adjacent?}: the engine picks the N best seats that fit)",
        },
        async handler(this: any, ctx: Context<ReserveParams, { user?: User; admissionToken?: string }>) {
          const user = requireUser(ctx);
          const { eventId, command } = reserveCommand(ctx.params, user.id);
          // Waiting-room events: 403 ADMISSION_REQUIRED without the caller's own valid token (no Redis);
          // by ticket ids and best available alike.
          admission ??= createAdmissionGuard(
            (action, params) => this.broker.call(action, params),
            config,
            clock,
          );
          await admission.requireAdmission(eventId, user.id, ctx.meta.admissionToken);
          return callActor(ctx, eventId, command, local());
        },
      },

      release: releaseAction((ctx, eventId, command) => callActor(ctx, eventId, command, local())),

      confirm: confirmAction(sagaContext),

      ...accountActions(db),

      /** The live seat map from the owning actor's memory (holds show as reserved). */
      seatMap: {
        visibility: "public",
        params: { eventId: eventIdSchema, $$strict: true },
        bulkhead: internalBulkhead,
        async handler(ctx: Context<{ eventId: string }>) {
          for (let attempt = 1; ; attempt++) {
            try {
              const snapshot = await requirePool().seatMap(ctx.params.eventId);
              // Compact (one byte a seat, base64): a 100,000-seat map as Ticket objects is ~10 MB,
              // over NATS's 1 MB payload limit. The catalog expands it with the event's layout.
              return {
                eventId: snapshot.eventId,
                version: snapshot.version,
                statuses: Buffer.from(
                  snapshot.statuses.buffer,
                  snapshot.statuses.byteOffset,
                  snapshot.statuses.length,
                ).toString("base64"),
              };
            } catch (error) {
              if (!isStaleOwner(error) || attempt >= staleRetriesMax) throw error;
            }
          }
        },
      },

      /** Runs one command on the event's actor on this node (routed here by the Shard strategy). */
      execute: {
        visibility: "public",
        params: {
          eventId: eventIdSchema,
          command: { type: "object" },
          ifActive: { type: "boolean", optional: true },
        },
        bulkhead: internalBulkhead,
        handler(ctx: Context<{ eventId: string; command: Command; ifActive?: boolean }>) {
          return requirePool().command(ctx.params.eventId, ctx.params.command, ctx.params.ifActive);
        },
      },
    },

    events: {
      /** An admin changed an event: the owning actor (if active) takes the new sale window and cap. */
      "catalog.eventChanged": {
        handler(this: any, ctx: Context<{ eventId: string; event: any }>) {
          const { eventId, event } = ctx.params;
          const settings: Partial<SaleSettings> = event
            ? {
                active: true,
                onSaleAt: Date.parse(event.onSaleAt),
                startsAt: Date.parse(event.startsAt),
                ticketsPerUserMax: event.ticketsPerUserMax,
              }
            : { active: false };
          return ctx
            .call("booking.execute", {
              eventId,
              command: { type: "updateSettings", settings },
              ifActive: true,
            })
            .catch((error: Error) =>
              this.logger.warn({ eventId, error: error.message }, "settings not applied"),
            );
        },
      },
    },

    created(this: any) {
      broker = this.broker;
      metrics = createBookingMetrics(this.broker);
      this.paymentProvider = provider;
    },

    methods: {
      /** One recovery pass over payments without a final state (also run at start and periodically). */
      async recoverPayments(this: any, pendingOlderThanMs?: number) {
        return recoverPayments(sagaContext(this.broker, this.logger), pendingOlderThanMs);
      },
    },

    async started(this: any) {
      const logger = this.logger;
      const broker = this.broker;
      pool = new ActorPool({
        size: config.workerPoolSize,
        clock,
        worker: {
          databaseUrl: config.databaseUrl,
          owner: broker.nodeID,
          holdTtlMs: config.holdTtlSeconds * 1_000,
          paranoid: config.actorParanoidChecks,
        },
        onSeatsChanged: (payload) => void broker.broadcast(seatsChangedEvent, payload),
        onHoldsEnded: (payload) => void broker.broadcast(holdsEndedEvent, payload),
        onCommit: (stats) => {
          metrics?.recordCommit(stats);
          // For in-process observers (the benchmarks): every turn's figures, unaggregated.
          broker.localBus.emit(bookingTurnLocalEvent, stats);
        },
        log: (level, message) => logger[level](message),
      });
      await pool.start();
      // Money taken before a crash ends as a booking or a refund: a pass now, then periodically.
      recovery = repeatPaymentRecovery(() => this.recoverPayments(), logger);
    },

    async stopped() {
      recovery?.stop();
      recovery = null;
      const stopping = pool;
      pool = null;
      metrics?.stop();
      await stopping?.stop();
    },
  } as ServiceSchema;
}

/** Money taken before a crash ends as a booking or a refund: a recovery pass now, then periodically. */
export function repeatPaymentRecovery(
  pass: () => Promise<{ examined: number }>,
  logger: { info(data: unknown, message: string): void; warn(data: unknown, message: string): void },
): Repeating {
  return repeatEvery(
    async () => {
      const report = await pass();
      if (report.examined > 0) logger.info(report, "payment recovery pass");
    },
    {
      firstDelayMs: 0,
      intervalMs: recoveryIntervalMs,
      onError: (error) => logger.warn({ error: error.message }, "payment recovery pass failed"),
    },
  );
}

/** `booking.release`: drops the caller's holds, through whatever runs the event's commands. */
export function releaseAction(
  run: (ctx: Context, eventId: string, command: Command) => Promise<unknown>,
): ActionSchema {
  return {
    params: { ...ticketSelectionSchema, $$strict: true },
    bulkhead: internalBulkhead,
    async handler(ctx: Context<{ ticketId?: string; ticketIds?: string[] }, { user?: User }>) {
      const user = requireUser(ctx);
      const { eventId, ordinals } = selectTickets(ctx.params);
      return run(ctx, eventId, { type: "release", userId: user.id, ordinals });
    },
  };
}

/** `booking.confirm`: the payment saga under the caller's Idempotency-Key (the same for every engine). */
export function confirmAction(sagaFor: (ctx: Context, logger: any) => SagaContext): ActionSchema {
  return {
    params: {
      ...ticketSelectionSchema,
      paymentDetails: {
        type: "object",
        strict: true,
        props: { token: { type: "string", min: 1, max: paymentTokenLengthMax } },
      },
      $$strict: true,
    },
    // tok_slow takes ~2 s, and a concurrent duplicate waits for the first request to finish.
    timeout: 30_000,
    async handler(
      this: any,
      ctx: Context<
        { ticketId?: string; ticketIds?: string[]; paymentDetails: { token: string } },
        GatewayMeta
      >,
    ) {
      const user = requireUser(ctx);
      const key = requireIdempotencyKey(ctx.meta.idempotencyKey);
      const { eventId, ordinals } = selectTickets(ctx.params);
      const token = ctx.params.paymentDetails.token;
      const answer = await confirm(sagaFor(ctx, this.logger), {
        eventId,
        userId: user.id,
        ordinals,
        token,
        idempotencyKey: key,
        requestHash: requestHash(eventId, ordinals, token),
      });
      const result = answerResult(answer);
      ctx.meta.$statusCode = answer.statusCode;
      (ctx.meta as any).$location = `/bookings/${result.booking.id}`;
      return result;
    },
  };
}

/** The caller's bookings and payments: the same for every booking engine (they read Postgres). */
export function accountActions(db: Runtime["db"]): ServiceSchema["actions"] {
  return {
    listBookings: {
      params: { $$strict: true },
      async handler(ctx: Context<unknown, GatewayMeta>) {
        const user = requireUser(ctx);
        return { bookings: await listUserBookings(db, user.id) };
      },
    },

    getBooking: {
      params: { bookingId: { type: "string", min: 1, max: 200 }, $$strict: true },
      async handler(ctx: Context<{ bookingId: string }, GatewayMeta>) {
        const user = requireUser(ctx);
        const booking = await findUserBooking(db, user.id, ctx.params.bookingId);
        if (!booking) throw notFound("Booking"); // also another user's: no existence leak
        return booking;
      },
    },

    getPayment: {
      params: { paymentId: { type: "string", min: 1, max: 200 }, $$strict: true },
      async handler(ctx: Context<{ paymentId: string }, GatewayMeta>) {
        const user = requireUser(ctx);
        const payment = await findUserPayment(db, user.id, ctx.params.paymentId);
        if (!payment) throw notFound("Payment");
        return paymentView(payment);
      },
    },
  };
}
