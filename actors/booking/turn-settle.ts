// Phase 3 of a turn, once the group commit answered: the replies, the seat changes and hold ends to
// publish, and the fencing outcomes (a fenced-out actor stops; after a failed commit an actor
// forgets its state and reloads it from Postgres for what is still queued).
import type { HoldsEnded, SeatChange, SeatsChanged, ToUser } from "../../domain/messages.ts";
import { waitlistPushes } from "./waitlist-push.ts";
import { ticketId } from "../../domain/ids.ts";
import type { Command, PublicSeatStatus } from "../../domain/seat-state.ts";
import {
  expireRequestId,
  mailboxIds,
  refuse,
  staleOwnerError,
  unavailableError,
  type Actor,
} from "./actor.ts";
import type { ErrorFacts } from "../../domain/errors.ts";
import type { EventBatch, Refusal } from "./persistence/batch.ts";
import type { ActorRequest, Reply } from "./protocol.ts";
import type { Committed } from "./turn-commit.ts";
import type { ActorWork } from "./turn-decide.ts";

/** What settling asks of the host that owns the actors. */
export interface SettleHost {
  /** Drops the actor (its state can no longer be trusted). */
  forget(actor: Actor): void;
  /** Activates the event again for the requests still in `actor`'s mailbox. */
  reactivate(actor: Actor): void;
  log(level: "warn" | "error", message: string): void;
  /** An Idempotency-Key this commit claimed (a later confirm reusing it is refused as decided). */
  keyClaimed(eventId: string, userId: string, key: string): void;
}

export interface Settled {
  replies: Reply[];
  seatsChanged: SeatsChanged[];
  holdsEnded: HoldsEnded[];
  /** Messages to users' sockets (waiting-list offers: waitlist-push.ts). */
  userPushes: ToUser[];
}

/** `work` and `batches` pair up by index (toBatches); `replies` already holds the turn's reads. */
export function settleTurn(
  work: ActorWork[],
  batches: EventBatch[],
  committed: Committed,
  replies: Reply[],
  host: SettleHost,
): Settled {
  const settled: Settled = { replies, seatsChanged: [], holdsEnded: [], userPushes: [] };
  const committedAt = Date.now();
  work.forEach((item, index) => {
    const { actor, outcomes } = item;
    if (committed.stale.has(actor.eventId)) {
      // Fenced out: nothing of this turn was written; every command goes back to be re-routed.
      host.forget(actor);
      refuse([...outcomes.map(({ id }) => id), ...mailboxIds(actor.mailbox)], staleOwnerError, replies);
      host.log("warn", `actor of ${actor.eventId} was fenced out (epoch ${actor.epoch}); stopped`);
    } else if (committed.refusals.has(actor.eventId)) {
      resendRefused(item, committed.refusals.get(actor.eventId)!, replies, host);
    } else if (committed.failure) {
      // Nothing was written: forget this state, reload from Postgres for what is still queued.
      host.forget(actor);
      refuse(
        outcomes.map(({ id }) => id),
        unavailableError,
        replies,
      );
      if (actor.mailbox.length > 0) host.reactivate(actor);
    } else {
      settleCommitted(item, batches[index], committedAt, settled, committed);
      for (const effect of item.effects)
        if (effect.type === "paymentIntent" && effect.requestHash !== undefined)
          host.keyClaimed(actor.eventId, effect.userId, effect.idempotencyKey);
    }
  });
  return settled;
}

/**
 * The commit refused commands of this actor (nothing of its turn was written): each refused command is
 * answered with its refusal; the actor forgets its state (it decided them) and reloads from Postgres
 * for the others, sent again in their order ahead of what is queued (nothing of theirs was answered).
 */
function resendRefused(item: ActorWork, refusals: Refusal[], replies: Reply[], host: SettleHost): void {
  const { actor, decided } = item;
  host.forget(actor);
  const again: typeof decided = [];
  for (const envelope of decided) {
    const refusal = refusalOf(envelope.request, refusals);
    if (!refusal) again.push(envelope);
    else if (envelope.request.id !== expireRequestId)
      replies.push({ id: envelope.request.id, ok: false, error: refusalError(refusal) });
    // A key another claim holds stays taken (a claim with a payment is never freed): remembered, so a
    // retry of that confirm is refused as it is decided, not by another commit and reload.
    const command = envelope.request.kind === "command" ? (envelope.request.command as Command | null) : null;
    if (refusal?.code === "IDEMPOTENCY_KEY_TAKEN" && command?.type === "confirmStart")
      host.keyClaimed(actor.eventId, command.userId, command.idempotencyKey);
  }
  actor.mailbox = [...again, ...actor.mailbox];
  if (actor.mailbox.length > 0) host.reactivate(actor);
}

/** The refusal that names this request's command: its confirmStart's or confirmComplete's payment. */
function refusalOf(request: ActorRequest, refusals: Refusal[]): Refusal | undefined {
  if (request.kind !== "command") return undefined;
  const command = request.command as Command | null;
  if (command?.type === "confirmStart")
    return refusals.find((r) => r.code === "IDEMPOTENCY_KEY_TAKEN" && r.paymentId === command.paymentId);
  if (command?.type === "confirmComplete")
    return refusals.find((r) => r.code === "PAYMENT_SETTLED" && r.paymentId === command.paymentId);
  if (command?.type === "cancelBooking")
    return refusals.find((r) => r.code === "BOOKING_NOT_CANCELLABLE" && r.paymentId === command.paymentId);
  return undefined;
}

const refusalError = (refusal: Refusal): ErrorFacts =>
  refusal.code === "BOOKING_NOT_CANCELLABLE"
    ? {
        code: refusal.code,
        message: "The booking is no longer confirmed",
        details: { paymentId: refusal.paymentId },
      }
    : refusal.code === "IDEMPOTENCY_KEY_TAKEN"
      ? {
          code: refusal.code,
          message: "This Idempotency-Key is already claimed",
          details: { paymentId: refusal.paymentId },
        }
      : {
          code: refusal.code,
          message: "This payment was settled elsewhere; it is no longer bookable",
          details: { paymentId: refusal.paymentId },
        };

function settleCommitted(
  { actor, effects, outcomes }: ActorWork,
  batch: EventBatch,
  committedAt: number,
  settled: Settled,
  committed: Committed,
): void {
  for (const { id, outcome } of outcomes) {
    if (id === expireRequestId) continue;
    settled.replies.push(
      outcome.ok ? { id, ok: true, value: outcome.value } : { id, ok: false, error: outcome.error },
    );
  }
  if (effects.length === 0) return;
  actor.state!.version = batch.toVersion;
  settled.userPushes.push(...waitlistPushes(actor.eventId, effects));
  const changes = new Map<number, PublicSeatStatus>();
  for (const effect of effects) {
    if (effect.type === "seatsChanged")
      for (const ordinal of effect.ordinals) changes.set(ordinal, effect.status);
    else if (effect.type === "holdsEnded") {
      const { userId, reason, admissionExpiresAtMs } = effect;
      const ended: HoldsEnded = { eventId: actor.eventId, userId, reason };
      if (admissionExpiresAtMs !== undefined) ended.admissionExpiresAtMs = admissionExpiresAtMs;
      settled.holdsEnded.push(ended);
    }
  }
  if (changes.size === 0) return;
  const list: SeatChange[] = [];
  for (const [ordinal, status] of changes) list.push({ ticketId: ticketId(actor.eventId, ordinal), status });
  settled.seatsChanged.push({
    eventId: actor.eventId,
    fromVersion: batch.fromVersion,
    toVersion: batch.toVersion,
    changes: list,
    committedAt,
  });
  if (committed.stats) committed.stats.seatChanges += list.length;
}
