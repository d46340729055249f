// The writes of a fenced transaction, table by table (writers/), in a fixed order: holds, used
// admissions, payment intents and their idempotency keys, bookings with their seats, the payments
// they settle, refunds.
import type pg from "pg";
import { bookedSeats, type Netted } from "./netting.ts";
import { statementRunner, type Written } from "./statements.ts";
import { writeAdmissions } from "./writers/admissions.ts";
import { insertBookings } from "./writers/bookings.ts";
import { writeHolds } from "./writers/holds.ts";
import { recordKeyPayments } from "./writers/idempotency-keys.ts";
import { insertPaymentIntents, linkPaymentsToBookings, requestRefunds } from "./writers/payments.ts";
import { markTicketsBooked } from "./writers/tickets.ts";

export async function writeEffects(client: pg.PoolClient, netted: Netted): Promise<Written> {
  const { run, written } = statementRunner(client);
  await writeHolds(run, netted.deletes, netted.puts);
  await writeAdmissions(run, netted.admissions);
  if (netted.intents.length > 0) {
    await insertPaymentIntents(run, netted.intents);
    await recordKeyPayments(run, netted.intents);
  }
  if (netted.bookings.length > 0) {
    const seats = bookedSeats(netted.bookings);
    await insertBookings(run, netted.bookings, seats);
    await markTicketsBooked(run, seats);
    await linkPaymentsToBookings(run, netted.bookings);
  }
  if (netted.abandoned.length > 0) await requestRefunds(run, netted.abandoned);
  return written;
}
