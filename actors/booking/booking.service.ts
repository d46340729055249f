// The Moleculer `booking` service: owns this node's booking engine (the actor pool by default; any
// BookingEngine, e.g. a benchmark peer) and exposes the booking actions. Gateway-facing actions
// (reserve, release, confirm...) run on any node; for an engine routed by event they reach the
// internal `booking.execute`, which carries `eventId` in its params so the Shard strategy routes it
// to the node that owns the event.
import type { ServiceSchema } from "moleculer";
import type { Runtime } from "../../platform/runtime.ts";
import type { Repeating } from "../../platform/repeat.ts";
import { holdsEndedEvent, seatsChangedEvent, toUserEvent } from "../../domain/messages.ts";
import { createPaymentProvider } from "../payments/providers.ts";
import { createPaymentRecoveryMetrics } from "../payments/metrics.ts";
import { recoverPayments, repeatPaymentRecovery } from "../payments/recovery.ts";
import { cancelAction } from "../orders/cancel-action.ts";
import { orderActions } from "../orders/order-actions.ts";
import { createCheckinMetrics, type CheckinOutcome } from "../tickets/metrics.ts";
import { ticketActions } from "../tickets/ticket-actions.ts";
import { createTicketKeyStore } from "../tickets/ticket-keys.ts";
import { accountActions } from "./account-actions.ts";
import { createActorEngine } from "./actor-engine.ts";
import { createBookingContext } from "./booking-context.ts";
import type { BookingEngineFactory, EngineHost } from "./booking-engine.ts";
import { confirmAction } from "./confirm-action.ts";
import { engineActions, engineEvents } from "./engine-actions.ts";
import { holdActions } from "./hold-actions.ts";
import { waitlistActions } from "./waitlist-actions.ts";

export function createBookingService(
  runtime: Runtime,
  engineFactory: BookingEngineFactory = createActorEngine,
): ServiceSchema {
  const booking = createBookingContext(
    runtime,
    engineFactory(runtime),
    createPaymentProvider(runtime.config.paymentProvider, {
      simulatedLedger: runtime.config.simulatedProviderLedger,
    }),
  );
  let recovery: Repeating | null = null;
  const ticketKeys = createTicketKeyStore(runtime.db, runtime.config.ticketKeySecret);
  let countCheckin: ((outcome: CheckinOutcome) => void) | null = null;

  return {
    name: "booking",
    actions: {
      ...holdActions(booking),
      ...waitlistActions(booking),
      confirm: confirmAction(booking),
      ...accountActions(runtime.db, ticketKeys),
      ...ticketActions(runtime.db, ticketKeys, (outcome) => countCheckin?.(outcome)),
      ...orderActions(runtime.db),
      ...cancelAction(booking),
      ...engineActions(booking.engine),
    },

    events: engineEvents,

    created(this: any) {
      booking.broker = this.broker;
      countCheckin = createCheckinMetrics(this.broker);
      this.paymentProvider = booking.provider;
    },

    methods: {
      /** One recovery pass over payments without a final state (also run at start and periodically). */
      async recoverPayments(this: any, pendingOlderThanMs?: number) {
        return recoverPayments(booking.saga(this.broker, this.logger), pendingOlderThanMs);
      },
    },

    async started(this: any) {
      await booking.engine.start(engineHost(this.broker, this.logger));
      // Money taken before a crash ends as a booking or a refund: a pass now, then periodically.
      const metrics = createPaymentRecoveryMetrics(this.broker);
      recovery = repeatPaymentRecovery(() => this.recoverPayments(), this.logger, metrics);
    },

    async stopped() {
      recovery?.stop();
      recovery = null;
      await booking.engine.stop();
    },
  } as ServiceSchema;
}

/** Seat news from the engine goes to every node (clients' fan-out, the waiting room). */
function engineHost(broker: EngineHost["broker"], logger: any): EngineHost {
  return {
    broker,
    onSeatsChanged: (payload) => void broker.broadcast(seatsChangedEvent, payload),
    onHoldsEnded: (payload) => void broker.broadcast(holdsEndedEvent, payload),
    // Broadcast: every gateway node delivers to the sockets of that user it holds.
    onUserPush: (payload) => void broker.broadcast(toUserEvent, payload),
    log: (level, message) => logger[level](message),
  };
}
