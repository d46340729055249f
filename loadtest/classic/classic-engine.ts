// The classic design Marquee is compared with, built the textbook way and writing the SAME tables as
// the actors (holds, bookings, booking_tickets, payments, tickets.status), so loadtest/audit.ts
// audits it: every command is ONE Postgres transaction of its own with row locks (ticket rows locked
// FOR UPDATE in ordinal order, then the event's version row), a Redis `SET NX EX` hold lock per seat
// in front of reserve, and holds expired lazily (a hold past its expiry counts as free to every
// reader and writer; a periodic sweep deletes them and tells clients).
// It implements the BookingEngine interface with the actor's command protocol (domain/seat-state.ts
// Command), so the real `booking` service, confirm saga and payment recovery run on it unchanged:
// `classicServices` is the service set a node is started with (classic-node.ts, the tests).
import type { ServiceSchema } from "moleculer";
import type { Runtime } from "../../platform/runtime.ts";
import { repeatEvery, type Repeating } from "../../platform/repeat.ts";
import { MarqueeError } from "../../domain/errors.ts";
import type { Command } from "../../domain/seat-state.ts";
import type { BookingEngine, CommittedSeatMap, EngineHost } from "../../actors/booking/booking-engine.ts";
import { createBookingService } from "../../actors/booking/booking.service.ts";
import { confirmAbort, confirmComplete, confirmStart } from "./classic-confirm.ts";
import { release, reserve, sweepEvent, sweepExpired } from "./classic-holds.ts";
import { classicHoldSweepIntervalMs } from "./classic-limits.ts";
import type { ClassicContext } from "./classic-writes.ts";
import { HoldLocks } from "./hold-locks.ts";

export class ClassicEngine implements BookingEngine {
  /** No best-available search: reserve by ticket ids only (the form answers 400). */
  readonly bestAvailable = false;
  /** Any node runs any event's command: Postgres row locks arbitrate. */
  readonly routedByEvent = false;
  private context: ClassicContext | null = null;
  private sweep: Repeating | null = null;

  constructor(private readonly runtime: Runtime) {}

  async start(host: EngineHost): Promise<void> {
    const { db, redis, clock, config } = this.runtime;
    const holdTtlMs = config.holdTtlSeconds * 1_000;
    const locks = new HoldLocks(redis, Math.max(1, Math.ceil(holdTtlMs / 1_000)));
    const context: ClassicContext = { db, clock, holdTtlMs, locks, host };
    this.context = context;
    this.sweep = repeatEvery(
      async () => {
        await sweepExpired(context);
      },
      {
        intervalMs: classicHoldSweepIntervalMs,
        onError: (error) => host.log("warn", `hold sweep failed: ${error.message}`),
      },
    );
  }

  async stop(): Promise<void> {
    this.context = null;
    this.sweep?.stop();
    this.sweep = null;
  }

  /** Runs one actor-protocol command as its own transaction; throws MarqueeError for refusals. */
  async execute(eventId: string, command: Command): Promise<any> {
    const context = this.requireContext();
    switch (command.type) {
      case "reserve":
        return reserve(context, eventId, command.userId, command.ordinals);
      case "release":
        return release(context, eventId, command.userId, command.ordinals);
      case "confirmStart":
        return confirmStart(context, eventId, command);
      case "confirmComplete":
        return confirmComplete(context, eventId, command);
      case "confirmAbort":
        return confirmAbort(context, eventId, command);
      case "expire":
        return { lapsed: (await sweepEvent(context, eventId)) > 0 };
      case "updateSettings":
        return {}; // settings are read from the events row by every command
      default:
        throw new MarqueeError("VALIDATION_ERROR", "Unknown command");
    }
  }

  /** The live seat map: one statement (one snapshot) for the version and every seat's status. */
  async seatMap(eventId: string): Promise<CommittedSeatMap> {
    const { rows } = await this.runtime.db.query(
      `SELECT coalesce((SELECT seat_version FROM event_actors WHERE event_id = $1), 0)::int AS version,
              (SELECT string_agg(CASE WHEN t.status = 'booked' THEN '2'
                                      WHEN h.ordinal IS NOT NULL AND (h.status = 'confirming' OR h.expires_at > to_timestamp($2 / 1000.0)) THEN '1'
                                      ELSE '0' END, '' ORDER BY t.ordinal)
               FROM tickets t LEFT JOIN holds h ON h.event_id = t.event_id AND h.ordinal = t.ordinal
               WHERE t.event_id = $1) AS statuses,
              (SELECT status = 'active' FROM events WHERE id = $1) AS active`,
      [eventId, this.runtime.clock.now()],
    );
    if (!rows[0]?.active) throw new MarqueeError("NOT_FOUND", "Event not found");
    const text: string = rows[0].statuses ?? "";
    const statuses = new Uint8Array(text.length);
    for (let index = 0; index < text.length; index++) statuses[index] = text.charCodeAt(index) - 48;
    return { eventId, version: rows[0].version, statuses };
  }

  private requireContext(): ClassicContext {
    if (!this.context) throw new MarqueeError("UNAVAILABLE", "The booking engine is starting", undefined, 1);
    return this.context;
  }
}

/** The services a node runs the classic engine with: startNode(config, { services: classicServices }). */
export const classicServices: Record<string, (runtime: Runtime) => ServiceSchema> = {
  booking: (runtime) => createBookingService(runtime, (engineRuntime) => new ClassicEngine(engineRuntime)),
};
