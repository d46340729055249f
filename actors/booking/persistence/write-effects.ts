// The writes of a fenced transaction, table by table (writers/), in a fixed order: the Idempotency-
// Keys a turn's confirms claim, the payments its bookings settle (both may refuse single commands,
// then nothing is written: see Refusal), holds, used admissions, payment intents, bookings with their
// seats (and the presale uses they made), what given-back holds do to their payments, the answers
// stored on keys.
import type pg from "pg";
import { bookedFactsOf, bookingOf, bookedAnswer, declinedAnswer } from "../../payments/answers.ts";
import type { Refusal } from "./batch.ts";
import { bookedSeats, type Netted } from "./netting.ts";
import { statementRunner, type Written } from "./statements.ts";
import { writeAdmissions } from "./writers/admissions.ts";
import { insertBookings } from "./writers/bookings.ts";
import { writeHolds } from "./writers/holds.ts";
import { claimKeys, recordKeyPayments, storeAnswers, type StoredAnswer } from "./writers/idempotency-keys.ts";
import { abandonPayments, bookPayments, insertPaymentIntents } from "./writers/payments.ts";
import { insertPresaleUses } from "./writers/presale-uses.ts";
import { markTicketsBooked } from "./writers/tickets.ts";
import { cancelBookings, freeCancelledSeats, writeWaitlist } from "./writers/waitlist.ts";

/** What was written, or the commands refused (then the caller rolls the transaction back). */
export type EffectsWritten = Written & { refusals: Refusal[] };

export async function writeEffects(client: pg.PoolClient, netted: Netted): Promise<EffectsWritten> {
  const { run, query, written } = statementRunner(client);
  const refusals = await refusedCommands(query, netted);
  if (refusals.length > 0) return { ...written, refusals };
  await writeHolds(run, netted.deletes, netted.puts);
  await writeAdmissions(run, netted.admissions);
  await freeCancelledSeats(run, netted.waitlist);
  await writeWaitlist(run, netted.waitlist);
  if (netted.intents.length > 0) {
    await insertPaymentIntents(run, netted.intents);
    const claimedBefore = netted.intents.filter((item) => item.effect.requestHash === undefined);
    if (claimedBefore.length > 0) await recordKeyPayments(run, claimedBefore);
  }
  if (netted.bookings.length > 0) {
    const seats = bookedSeats(netted.bookings);
    await insertBookings(run, netted.bookings, seats);
    await markTicketsBooked(run, seats);
    await insertPresaleUses(run, netted.presaleUses);
  }
  const declined =
    netted.abandoned.length > 0 ? await abandonPayments(query, netted.abandoned) : new Set<string>();
  const answers = storedAnswers(netted, declined);
  if (answers.length > 0) await storeAnswers(run, answers);
  return { ...written, refusals };
}

/**
 * The statements that may refuse a single command: the keys claimed (taken: IDEMPOTENCY_KEY_TAKEN)
 * and the payments booked (no longer bookable: PAYMENT_SETTLED). Run first, so a refusal costs little.
 */
async function refusedCommands(query: Parameters<typeof claimKeys>[0], netted: Netted): Promise<Refusal[]> {
  const refusals: Refusal[] = [];
  const claims = netted.intents.filter((item) => item.effect.requestHash !== undefined);
  if (claims.length > 0) {
    const taken = new Set(await claimKeys(query, claims));
    for (const item of claims)
      if (taken.has(item.effect.paymentId))
        refusals.push({
          eventId: item.eventId,
          paymentId: item.effect.paymentId,
          code: "IDEMPOTENCY_KEY_TAKEN",
        });
  }
  if (netted.bookings.length > 0) {
    const unbookable = new Set(await bookPayments(query, netted.bookings));
    for (const item of netted.bookings)
      if (unbookable.has(item.effect.paymentId))
        refusals.push({ eventId: item.eventId, paymentId: item.effect.paymentId, code: "PAYMENT_SETTLED" });
  }
  for (const paymentId of await cancelBookings(query, netted.waitlist)) {
    const item = netted.waitlist.cancels.find((cancel) => cancel.paymentId === paymentId)!;
    refusals.push({ eventId: item.eventId, paymentId, code: "BOOKING_NOT_CANCELLABLE" });
  }
  return refusals;
}

/** The answers this commit settles: each booking's 201, the 402 of each payment it declined. */
function storedAnswers(netted: Netted, declined: Set<string>): StoredAnswer[] {
  const answers: StoredAnswer[] = [];
  for (const { eventId, effect } of netted.bookings) {
    const answer = bookedAnswer(bookingOf(bookedFactsOf(eventId, effect)));
    answers.push({
      eventId,
      paymentId: effect.paymentId,
      statusCode: answer.statusCode,
      response: answer.body,
    });
  }
  for (const { eventId, paymentId, declined: reason } of netted.abandoned) {
    if (reason === undefined || !declined.has(paymentId)) continue;
    const answer = declinedAnswer(paymentId, reason);
    answers.push({ eventId, paymentId, statusCode: answer.statusCode, response: answer.body });
  }
  return answers;
}
