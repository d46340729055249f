// The planner's data questions: how many bytes the tickets take, one Postgres or several, and how
// many booking nodes the hot events need. Every constant is a measured figure (measurements.ts).
import type { PlanInputs } from "./plan-arguments.ts";
import { firstMeasured, isMeasured, type Measurements } from "./measurements.ts";
import { formatBytes, formatNumber as n, formatSeconds, present, Work, type Answer } from "./work.ts";

export interface StorageAnswer extends Answer {
  bytesPerTicket: number | null;
}

export function ticketStorage(inputs: PlanInputs, measurements: Measurements): StorageAnswer {
  const work = new Work("Ticket storage: how many ticket rows, how many bytes");
  const ticketRows = work.figure("ticketRows", inputs.events * inputs.ticketsPerEvent)!;
  work.step(
    `ticket rows: ${n(inputs.events)} events x ${n(inputs.ticketsPerEvent)} tickets = ${n(ticketRows)}`,
  );
  const rows = measurements.rowBytes;
  const measured = present(
    work.measured("a tickets row", rows.tickets, " B"),
    work.measured("a booking_tickets row (one per ticket sold)", rows.booking_tickets, " B"),
    work.measured("a bookings row", rows.bookings, " B"),
    work.measured("a payments row", rows.payments, " B"),
    work.measured("an idempotency_keys row (one per booking)", rows.idempotency_keys, " B"),
    work.measured(
      "an idempotency_user_keys row (one per booking: the key's user-wide slot)",
      rows.idempotency_user_keys,
      " B",
    ),
  );
  if (!measured) return { ...work.answer(null), bytesPerTicket: null };
  const [ticket, bookingTicket, booking, payment, key, userKey] = measured;
  const perTicket = (sold: number, perBooking: number) =>
    ticket + sold * (bookingTicket + (booking + payment + key + userKey) / perBooking);
  const bytesPerTicket = work.figure(
    "bytesPerTicket",
    perTicket(inputs.soldFraction, inputs.ticketsPerBooking),
  )!;
  work.step(
    `a ticket: ${n(ticket)} + ${n(inputs.soldFraction)} sold x (${n(bookingTicket)} + (${n(booking)} + ${n(payment)} + ${n(key)} + ${n(userKey)}) / ${n(inputs.ticketsPerBooking)} seats a booking) = ${n(bytesPerTicket)} B`,
  );
  const total = work.figure("totalBytes", ticketRows * bytesPerTicket)!;
  work.figure("ticketsTableBytes", ticketRows * ticket);
  work.step(
    `storage: ${n(ticketRows)} x ${n(bytesPerTicket)} B = ${formatBytes(total)} (the tickets table alone ${formatBytes(ticketRows * ticket)})`,
  );
  // Cross-check against the disk bench:scale measured, at the mix it loaded.
  const { bytesPerMillionTickets, sampleSoldFraction, sampleTicketsPerBooking } = measurements.scale;
  if (
    isMeasured(bytesPerMillionTickets) &&
    isMeasured(sampleSoldFraction) &&
    isMeasured(sampleTicketsPerBooking)
  ) {
    const [sold, perBooking] = [sampleSoldFraction.value, sampleTicketsPerBooking.value];
    work.step(
      `cross-check: the same rows at bench:scale's mix (${n(sold)} sold, ${n(perBooking)} a booking) = ${n(perTicket(sold, perBooking))} B a ticket; bench:scale measured ${n(bytesPerMillionTickets.value / 1e6)} B  [${bytesPerMillionTickets.source}]`,
    );
  }
  return {
    ...work.answer(
      `${formatBytes(total)} on disk for ${n(ticketRows)} ticket rows (${n(bytesPerTicket)} B a ticket), before replicas, WAL and backups`,
    ),
    bytesPerTicket,
  };
}

export function postgresNodes(
  inputs: PlanInputs,
  measurements: Measurements,
  bytesPerTicket: number | null,
): Answer {
  const work = new Work("One Postgres or several");
  const ticketRows = inputs.events * inputs.ticketsPerEvent;
  const measured = present(
    work.measured("ticket rows one Postgres held with a flat buy path", measurements.scale.flatTicketRows),
    work.measured("its machine's cores", measurements.scale.cores),
  );
  work.measured("p99 growth at the largest size", measurements.scale.growth, "x");
  if (!measured) return work.answer(null);
  const [flat, cores] = measured;
  const nodes = work.figure("postgresNodes", Math.ceil(ticketRows / flat))!;
  work.step(`nodes: ceil(${n(ticketRows)} ticket rows / ${n(flat)} measured flat on one) = ${n(nodes)}`);
  if (bytesPerTicket !== null) {
    const perNode = work.figure("bytesPerNode", (ticketRows / nodes) * bytesPerTicket)!;
    work.step(
      `each: ${n(Math.ceil(ticketRows / nodes))} ticket rows x ${n(bytesPerTicket)} B = ${formatBytes(perNode)}`,
    );
  }
  if (nodes <= 1)
    return work.answer(
      `one Postgres: ${n(ticketRows)} ticket rows are within the ${n(flat)} one node (${n(cores)} cores) held with its buy path flat`,
    );
  return work.answer(
    `several: ${n(nodes)} Postgres nodes (Citus, every booking table distributed by event_id and co-located), each within the ${n(flat)} ticket rows measured flat on one; fewer once bench:scale measures larger --sizes flat`,
  );
}

export function bookingNodes(inputs: PlanInputs, measurements: Measurements): Answer {
  const work = new Work("Booking nodes for the hot events");
  const fromHttp = isMeasured(measurements.http.reserveConfirmPerSec);
  const measured = present(
    work.measured(
      "buys/s of one hot event on one node",
      firstMeasured(measurements.http.reserveConfirmPerSec, measurements.scale.reserveConfirmPerSec),
    ),
    work.measured("its machine's cores", fromHttp ? measurements.http.cores : measurements.scale.cores),
  );
  const transactions = work.measured("Postgres transactions per buy", measurements.http.pgTransactionsPerBuy);
  // What a hot event moving to another node (a node lost, one added) costs: its activation.
  const { firstReserveMs, loadedActivationMs, activationGrowth, sampleSeatsPerEvent, sampleSoldFraction } =
    measurements.scale;
  if (isMeasured(firstReserveMs) && isMeasured(sampleSeatsPerEvent) && isMeasured(sampleSoldFraction)) {
    const seats = `${n(sampleSeatsPerEvent.value)}-seat event`;
    work.measured(`a fresh ${seats}'s first reserve (activation included)`, firstReserveMs, " ms");
    const loaded = `activation of a ${seats} ${n(sampleSoldFraction.value * 100)}% sold`;
    work.figure("activationMs", work.measured(loaded, loadedActivationMs, " ms"));
    work.measured("its growth from the smallest tables to the largest", activationGrowth, "x");
  }
  if (!measured) return work.answer(null);
  const [rate, cores] = measured;
  const nodeCores = inputs.nodeCores ?? cores;
  // One actor per event: an event's buys never spread over nodes; a bigger node hosts more hot events.
  const eventsPerNode = work.figure("hotEventsPerNode", Math.max(1, Math.floor(nodeCores / cores)))!;
  work.step(
    `hot events a node runs at the measured rate: floor(${n(nodeCores)} cores / ${n(cores)} measured) = ${n(eventsPerNode)} (cores taken as linear: measure bench:http on the target node to confirm)`,
  );
  const nodes = work.figure("bookingNodes", Math.ceil(inputs.hotEvents / eventsPerNode))!;
  work.step(
    `nodes: ceil(${n(inputs.hotEvents)} hot event${inputs.hotEvents === 1 ? "" : "s"} / ${n(eventsPerNode)}) = ${n(nodes)}`,
  );
  const sellOut = work.figure("sellOutSeconds", inputs.ticketsPerEvent / rate)!;
  work.step(
    `one event sells out: ${n(inputs.ticketsPerEvent)} seats / ${n(rate)} buys/s (a seat a buy, as measured) = ${formatSeconds(sellOut)}`,
  );
  const buysPerSec = work.figure("buysPerSec", inputs.hotEvents * rate)!;
  if (transactions !== null) {
    const perSec = work.figure("postgresTransactionsPerSec", buysPerSec * transactions)!;
    work.step(
      `Postgres: ${n(buysPerSec)} buys/s x ${n(transactions)} transactions = ${n(perSec)} transactions/s`,
    );
  }
  return work.answer(
    `${n(nodes)} booking node${nodes === 1 ? "" : "s"} of ${n(nodeCores)} cores: each hot event sells its ${n(inputs.ticketsPerEvent)} seats in ${formatSeconds(sellOut)} at ${n(rate)} buys/s (one actor per event: more nodes do not make one event faster)`,
  );
}
