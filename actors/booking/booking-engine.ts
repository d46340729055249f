// What the `booking` service needs of the engine that runs seat commands. Marquee's engine is the
// actor pool (actor-engine.ts); a benchmark peer can implement the same interface and be started
// with the same service (createBookingService(runtime, itsFactory)).
import type { ServiceBroker } from "moleculer";
import type { Runtime } from "../../platform/runtime.ts";
import type { HoldsEnded, SeatsChanged, ToUser } from "../../domain/messages.ts";
import type { Command } from "../../domain/seat-state.ts";

/** The committed seat map of an event (holds show as reserved). */
export interface CommittedSeatMap {
  eventId: string;
  version: number;
  /** One byte per seat: 0 available, 1 reserved, 2 booked. */
  statuses: Uint8Array;
}

/** What the service hands the engine at start: this node's broker and where seat news goes. */
export interface EngineHost {
  broker: ServiceBroker;
  /** Seats changed by a committed command: fanned out to clients. */
  onSeatsChanged(payload: SeatsChanged): void;
  /** A user's last hold in an event ended: the waiting room frees a shopping slot. */
  onHoldsEnded(payload: HoldsEnded): void;
  /** A message for a user's sockets (a waiting-list offer): to every gateway node. */
  onUserPush?(payload: ToUser): void;
  log(level: "info" | "warn" | "error", message: string): void;
}

export interface BookingEngine {
  /** Whether reserve takes the best-available form (`eventId` + `quantity`); without it, a 400. */
  readonly bestAvailable: boolean;
  /**
   * Whether an event's commands must run on the node that owns it (the Shard strategy's choice of
   * `booking.execute`); false when any node can run any event's command.
   */
  readonly routedByEvent: boolean;
  start(host: EngineHost): Promise<void>;
  stop(): Promise<void>;
  /** Runs one actor-protocol command for the event; refusals are MarqueeErrors. */
  execute(eventId: string, command: Command, ifActive?: boolean): Promise<any>;
  seatMap(eventId: string): Promise<CommittedSeatMap>;
}

export type BookingEngineFactory = (runtime: Runtime) => BookingEngine;
