// Deterministic simulation of one event actor with its persistence (the real ActorHost and the real
// Postgres statements), driven by a seed: random commands (reserve, release, confirm start, payment
// captured or declined then booked or given back, expire), clock jumps (forward past hold expiries and
// small steps back), and faults at random points of the commit path (before or after any statement:
// BEGIN, the fence, each write, COMMIT; a crash of the process or a transient connection loss).
//
// A shadow seat state runs `decide` on the same commands at the same clock, and a model of the rows
// follows the effects. After every step:
// - without a fault, every reply equals the shadow's outcome and the database equals the model;
// - after a fault, the database equals the model either before or after the whole turn (the turn is
//   atomic), a crash restarts the host (it reloads from Postgres), money captured is finished the way
//   recovery does it, and the shadow continues from what the database says;
// - confirms follow the two-commit saga: confirmStart claims its Idempotency-Key in its commit (now and
//   then a key the user already used: the commit must refuse that command alone, reload the actor and
//   decide the turn's other commands again), the booking commit records the capture and stores the
//   201 on the key, a decline's commit the 402; a model of the provider (which outlives our crashes)
//   lets recovery book a payment charged before a crash of its booking commit, and decline one whose
//   process died between commit 1 and the charge. The keys and their stored answers are part of the
//   rows compared after every step (a replay answers what is stored: the payment's booking or decline);
// - the invariants hold: the shadow's (findInvariantViolations), the audit's on the database, the
//   host's seat map equals the shadow's, the seat version is the model's.
// - with `presale`, the event is not on sale yet: two presale codes of two uses each open it, most
//   reserves carry one (a grant, as the booking service sends it), and the uses bookings write
//   (presale_uses) are rows compared like the others; a reload must know them and the codes' holds.
// Everything that varies comes from the seed (ids included), so a failing seed replays exactly: the
// trace of a run is the same on every run of the seed.
import { createHash } from "node:crypto";
import { ActorHost } from "../../actors/booking/actor-host.ts";
import type { HostOutput, Reply, SeatMapSnapshot } from "../../actors/booking/protocol.ts";
import { auditDatabase, formatAudit } from "../../loadtest/audit.ts";
import { createPool, ensureDatabase, type Database } from "../../platform/database.ts";
import { migrate } from "../../platform/migrate.ts";
import { freshDatabaseUrl } from "./system.ts";
import { buildSeatLayout } from "../../domain/seat-layout.ts";
import type { SectionInput } from "../../domain/event.ts";
import {
  createSeatState,
  decide,
  findInvariantViolations,
  publicStatuses,
  type Command,
  type Effect,
  type SaleSettings,
  type Outcome,
  type SeatState,
} from "../../domain/seat-state.ts";
import { seededRandom } from "../../domain/random.ts";
import type { WaitlistRow } from "../../domain/seat-state/waitlist-types.ts";
import {
  createFaultyDatabase,
  type FaultPlan,
  type FaultyDatabase,
  type FiredFault,
} from "./faulty-database.ts";

export interface SimulationConfig {
  /** A migrated database (each run makes an event of its own in it). */
  databaseUrl: string;
  seed: number;
  steps: number;
  /** Chance that a step has a fault armed (default 0.25). */
  faultProbability?: number;
  /** Before the sale, with presale codes (see above). */
  presale?: boolean;
}

export interface SimulationResult {
  seed: number;
  steps: number;
  commands: number;
  faults: { crash: number; transient: number; armedNotReached: number; takeover: number };
  /** Where faults fired: "crash after COMMIT" -> count. */
  firedAt: Record<string, number>;
  clockJumps: number;
  restarts: number;
  bookings: number;
  /** One line per step; the same seed gives the same lines. */
  trace: string[];
  digest: string;
}

export class SimulationFailure extends Error {
  override name = "SimulationFailure";
  constructor(
    readonly seed: number,
    readonly step: number,
    problem: string,
    readonly trace: string[],
  ) {
    super(
      `seed ${seed}, step ${step}: ${problem}\n` +
        `replay: SIM_SEED=${seed} npx mocha test/integration/actors/simulation.test.ts\n` +
        `last steps:\n  ${trace.slice(-12).join("\n  ")}`,
    );
  }
}

const users = ["u0", "u1", "u2", "u3"];
const holdTtlMs = 60_000;
/**
 * How long the host may take to answer a submit or a seat map, or to stop (a step takes milliseconds):
 * past it the run fails with its seed and step, so a hang replays instead of timing out the suite.
 */
const hostAnswerBoundMs = 20_000;
const ticketsPerUserMax = 4;
const startOfTime = Date.parse("2031-03-01T10:00:00Z");
const sections: SectionInput[] = [
  { name: "Stalls", priceCents: 1_000, rows: [{ label: "A", seats: 6 }] },
  { name: "Circle", priceCents: 2_500, rows: [{ label: "B", seats: 6 }] },
];
const layout = buildSeatLayout(sections);
const seats = layout.total;

// --- the rows the database must hold -------------------------------------------------------------

interface PaymentRow {
  status: "pending" | "captured" | "declined" | "refunded";
  bookingId: string | null;
  refundRequested: boolean;
  amountCents: number;
  ordinals: number[];
}

/** An Idempotency-Key claimed in a commit: its payment and the answer stored (201 or 402). */
interface KeyRow {
  paymentId: string | null;
  statusCode: number | null;
  /** The booking a 201 names. */
  bookingId: string | null;
  /** The payment the stored answer names (booking.paymentId or error.details.paymentId). */
  answeredPayment: string | null;
}

interface Rows {
  /** By "user|key". */
  keys: Map<string, KeyRow>;
  holds: Map<
    number,
    { holdId: string; userId: string; status: string; expiresAt: number; paymentId: string | null }
  >;
  booked: Map<number, { bookingId: string; userId: string }>;
  payments: Map<string, PaymentRow>;
  /** Waiting-list entries by user (waitlist_entries), and the bookings cancelled. */
  waitlist: Map<string, WaitlistRow>;
  cancelled: Set<string>;
  /** presale_uses: booking id -> code id. */
  presaleUses: Map<string, string>;
  version: number;
}

/** Bookings each presale code of a `presale` run may make. */
const presaleUsesPerCode = 2;

const cloneRows = (rows: Rows): Rows => ({
  keys: new Map([...rows.keys].map(([key, row]) => [key, { ...row }])),
  holds: new Map([...rows.holds].map(([ordinal, hold]) => [ordinal, { ...hold }])),
  booked: new Map([...rows.booked].map(([ordinal, booking]) => [ordinal, { ...booking }])),
  payments: new Map(
    [...rows.payments].map(([id, payment]) => [id, { ...payment, ordinals: [...payment.ordinals] }]),
  ),
  waitlist: new Map(
    [...rows.waitlist].map(([user, row]) => [user, { ...row, offer: row.offer && [...row.offer] }]),
  ),
  cancelled: new Set(rows.cancelled),
  presaleUses: new Map(rows.presaleUses),
  version: rows.version,
});

function canonical(rows: Rows): string {
  return JSON.stringify({
    keys: [...rows.keys].sort(([a], [b]) => a.localeCompare(b)),
    holds: [...rows.holds].sort(([a], [b]) => a - b),
    booked: [...rows.booked].sort(([a], [b]) => a - b),
    payments: [...rows.payments].sort(([a], [b]) => a.localeCompare(b)),
    waitlist: [...rows.waitlist].sort(([a], [b]) => a.localeCompare(b)),
    cancelled: [...rows.cancelled].sort(),
    presaleUses: [...rows.presaleUses].sort(([a], [b]) => a.localeCompare(b)),
    version: rows.version,
  });
}

/** What the effects of one turn do to the rows (the meaning of persistence/, stated again). */
function applyEffects(rows: Rows, effects: Effect[]): void {
  let changed = false;
  for (const effect of effects) {
    switch (effect.type) {
      case "holdsPut":
        for (const ordinal of effect.ordinals) rows.holds.set(ordinal, { ...effect.hold });
        break;
      case "holdsDeleted":
        for (const ordinal of effect.ordinals) rows.holds.delete(ordinal);
        break;
      case "paymentIntent":
        if (effect.requestHash !== undefined)
          rows.keys.set(`${effect.userId}|${effect.idempotencyKey}`, {
            paymentId: effect.paymentId,
            statusCode: null,
            bookingId: null,
            answeredPayment: null,
          });
        rows.payments.set(effect.paymentId, {
          status: "pending",
          bookingId: null,
          refundRequested: false,
          amountCents: effect.amountCents,
          ordinals: [...effect.ordinals].sort((a, b) => a - b),
        });
        break;
      case "booked": {
        for (const ordinal of effect.ordinals)
          rows.booked.set(ordinal, { bookingId: effect.bookingId, userId: effect.userId });
        const payment = rows.payments.get(effect.paymentId)!;
        if (effect.providerRef !== undefined) payment.status = "captured"; // the capture, in the same commit
        payment.bookingId = effect.bookingId;
        answer(rows, effect.paymentId, 201, effect.bookingId);
        break;
      }
      case "paymentAbandoned": {
        const payment = rows.payments.get(effect.paymentId);
        if (payment && payment.status === "captured" && payment.bookingId === null)
          payment.refundRequested = true;
        else if (payment && payment.status === "pending" && effect.declined !== undefined) {
          payment.status = "declined";
          answer(rows, effect.paymentId, 402, null);
        }
        break;
      }
      case "seatsChanged":
        changed = true;
        break;
      case "holdsEnded":
        break;
      case "presaleUsed":
        rows.presaleUses.set(effect.bookingId, effect.codeId);
        break;
      case "waitlistPut":
        rows.waitlist.set(effect.entry.userId, {
          ...effect.entry,
          offer: effect.entry.offer && [...effect.entry.offer],
        });
        break;
      case "waitlistDeleted":
        rows.waitlist.delete(effect.userId);
        break;
      case "bookingCancelled":
        for (const ordinal of effect.ordinals) rows.booked.delete(ordinal);
        rows.cancelled.add(effect.bookingId);
        break;
    }
  }
  if (changed) rows.version++;
}

/** The answer a commit stores on the key of a payment (first writer wins). */
function answer(rows: Rows, paymentId: string, statusCode: number, bookingId: string | null): void {
  for (const key of rows.keys.values())
    if (key.paymentId === paymentId && key.statusCode === null)
      Object.assign(key, { statusCode, bookingId, answeredPayment: paymentId });
}

/** About how many statements the commit of these effects sends (see persistence/group-commit.ts): where to aim a fault. */
function commitStatements(effects: Effect[]): number {
  const types = new Set(effects.map((effect) => effect.type));
  const transaction = [
    "paymentIntent",
    "booked",
    "paymentAbandoned",
    "waitlistPut",
    "waitlistDeleted",
    "bookingCancelled",
  ];
  if (!transaction.some((type) => types.has(type as Effect["type"]))) return 1;
  let count = 3; // BEGIN, the fence, COMMIT
  if (types.has("holdsDeleted")) count++;
  if (types.has("holdsPut")) count++;
  if (types.has("paymentIntent")) count += 2; // the intent, the key claimed (or recorded)
  if (types.has("booked")) count += 5; // payments first, bookings, booking_tickets, tickets, the answer
  if (types.has("presaleUsed")) count++;
  if (types.has("paymentAbandoned")) count += 2; // payments, the answer of a decline
  if (types.has("bookingCancelled")) count += 3; // bookings, booking_tickets moved, tickets
  if (types.has("waitlistPut") || types.has("waitlistDeleted")) count += 1;
  if (types.has("waitlistOffered")) count += 1; // webhook_emit
  return count;
}

async function readRows(db: Database, eventId: string): Promise<Rows> {
  const [keys, holds, booked, payments, actor, waitlist, cancelled, uses] = await Promise.all([
    db.query(
      `SELECT user_id || '|' || key AS id, payment_id, status_code, response->'booking'->>'id' AS booking_id,
              coalesce(response->'booking'->>'paymentId', response->'error'->'details'->>'paymentId') AS answered
       FROM idempotency_keys WHERE event_id = $1`,
      [eventId],
    ),
    db.query(
      `SELECT ordinal, hold_id, user_id, status, round(extract(epoch FROM expires_at) * 1000)::float8 AS expires_ms,
              payment_id FROM holds WHERE event_id = $1 ORDER BY ordinal`,
      [eventId],
    ),
    db.query(
      `SELECT bt.ordinal, bt.booking_id, b.user_id FROM booking_tickets bt
       JOIN bookings b ON b.event_id = bt.event_id AND b.id = bt.booking_id WHERE bt.event_id = $1 ORDER BY bt.ordinal`,
      [eventId],
    ),
    db.query(
      `SELECT id, status, booking_id, refund_requested_at IS NOT NULL AS refund_requested, amount_cents, ordinals
       FROM payments WHERE event_id = $1 ORDER BY id`,
      [eventId],
    ),
    db.query("SELECT seat_version FROM event_actors WHERE event_id = $1", [eventId]),
    db.query(
      `SELECT user_id, seq::float8 AS seq, quantity, status, hold_id, offer_ordinals,
              round(extract(epoch FROM offer_expires_at) * 1000)::float8 AS offer_expires_ms
       FROM waitlist_entries WHERE event_id = $1`,
      [eventId],
    ),
    db.query("SELECT id FROM bookings WHERE event_id = $1 AND status = 'cancelled'", [eventId]),
    db.query("SELECT booking_id, code_id FROM presale_uses WHERE event_id = $1", [eventId]),
  ]);
  return {
    keys: new Map(
      keys.rows.map((row) => [
        row.id,
        {
          paymentId: row.payment_id,
          statusCode: row.status_code,
          bookingId: row.booking_id,
          answeredPayment: row.answered,
        },
      ]),
    ),
    holds: new Map(
      holds.rows.map((row) => [
        row.ordinal,
        {
          holdId: row.hold_id,
          userId: row.user_id,
          status: row.status,
          expiresAt: row.expires_ms,
          paymentId: row.payment_id,
        },
      ]),
    ),
    booked: new Map(
      booked.rows.map((row) => [row.ordinal, { bookingId: row.booking_id, userId: row.user_id }]),
    ),
    payments: new Map(
      payments.rows.map((row) => [
        row.id,
        {
          status: row.status,
          bookingId: row.booking_id,
          refundRequested: row.refund_requested,
          amountCents: row.amount_cents,
          ordinals: [...row.ordinals].sort((a: number, b: number) => a - b),
        },
      ]),
    ),
    waitlist: new Map(
      waitlist.rows.map((row) => [
        row.user_id,
        {
          userId: row.user_id,
          seq: row.seq,
          quantity: row.quantity,
          status: row.status,
          holdId: row.hold_id,
          offer: row.offer_ordinals,
          offerExpiresAt: row.offer_expires_ms,
        },
      ]),
    ),
    cancelled: new Set(cancelled.rows.map((row) => row.id)),
    presaleUses: new Map(uses.rows.map((row) => [row.booking_id, row.code_id])),
    version: actor.rows[0]?.seat_version ?? 0,
  };
}

function shadowFrom(eventId: string, rows: Rows, settings: SaleSettings): SeatState {
  const bookedOrdinals = [...rows.booked.keys()];
  return createSeatState(eventId, layout, settings, {
    bookedOrdinals,
    bookedUserIds: bookedOrdinals.map((ordinal) => rows.booked.get(ordinal)!.userId),
    holds: [...rows.holds].map(([ordinal, hold]) => ({
      ordinal,
      holdId: hold.holdId,
      userId: hold.userId,
      status: hold.status as "held" | "confirming",
      expiresAt: hold.expiresAt,
      paymentId: hold.paymentId,
    })),
    version: rows.version,
    presaleCodes: presaleCodesOf(rows),
    waitlist: {
      entries: [...rows.waitlist.values()],
      maxSeq: Math.max(0, ...[...rows.waitlist.values()].map((row) => row.seq)),
    },
  });
}

// --- one incarnation of the actor host (a process, as far as the actor knows) ---------------------

interface Incarnation {
  faulty: FaultyDatabase;
  host: ActorHost;
  replies: Map<number, Reply>;
  waiters: Map<number, () => void>;
  fatal: Error[];
  crashed: Promise<void>;
  /** Resolves with the first fatal error: a stopped host answers nothing more. */
  stopped: Promise<Error>;
}

function startIncarnation(databaseUrl: string, number: number): Incarnation {
  const faulty = createFaultyDatabase(databaseUrl);
  const replies = new Map<number, Reply>();
  const waiters = new Map<number, () => void>();
  const fatal: Error[] = [];
  let stop!: (error: Error) => void;
  const stopped = new Promise<Error>((resolve) => (stop = resolve));
  let alive = true;
  const crashed = new Promise<void>((resolve) =>
    faulty.onCrash(() => {
      alive = false;
      resolve();
    }),
  );
  const host = new ActorHost({
    db: faulty.db,
    owner: `simulation/${number}`,
    holdTtlMs,
    paranoid: true,
    output(output: HostOutput) {
      if (!alive) return; // a crashed process says nothing more
      for (const reply of output.replies) {
        replies.set(reply.id, reply);
        waiters.get(reply.id)?.();
      }
    },
    fatal: (error) => {
      if (!alive) return;
      fatal.push(error);
      stop(error);
    },
    log: () => {},
  });
  return { faulty, host, replies, waiters, fatal, crashed, stopped };
}

/** Rejects with `problem()`'s error when `promise` has not settled within hostAnswerBoundMs. */
async function bounded<T>(promise: Promise<T>, problem: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(problem()), hostAnswerBoundMs);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function stopIncarnation(incarnation: Incarnation): Promise<void> {
  const late = (what: string) => () => new Error(`${what} did not end in ${hostAnswerBoundMs} ms`);
  await bounded(incarnation.host.stop(), late("the host's stop")).catch(() => {});
  await bounded(incarnation.faulty.end(), late("the pool's end")).catch(() => {});
}

// --- the run ---------------------------------------------------------------------------------------

export async function runSimulation(config: SimulationConfig): Promise<SimulationResult> {
  const random = seededRandom(config.seed);
  const chance = (p: number) => random() < p;
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
  const faultProbability = config.faultProbability ?? 0.25;
  const observer = createPool(config.databaseUrl, { max: 2, applicationName: "marquee-simulation-observer" });
  const eventId = `ev_sim${config.seed.toString(36)}_${Date.now().toString(36)}`;
  const settings: SaleSettings = {
    active: true,
    // A presale run never reaches the sale: only codes open it.
    onSaleAt: config.presale ? startOfTime + 30 * 86_400_000 : startOfTime - 86_400_000,
    startsAt: startOfTime + 365 * 86_400_000,
    ticketsPerUserMax,
    holdTtlMs,
  };
  const result: SimulationResult = {
    seed: config.seed,
    steps: 0,
    commands: 0,
    faults: { crash: 0, transient: 0, armedNotReached: 0, takeover: 0 },
    firedAt: {},
    clockJumps: 0,
    restarts: 0,
    bookings: 0,
    trace: [],
    digest: "",
  };
  let step = 0;
  let current = "";
  const failure = (problem: string) =>
    new SimulationFailure(config.seed, step, `${problem}\n  in step ${step}: ${current}`, result.trace);
  const fail = (problem: string): never => {
    throw failure(problem);
  };
  /** Fails the run once the host stops (a fatal error): it answers nothing more. */
  const hostStopped = (of: Incarnation) =>
    of.stopped.then((error) => fail(`the host stopped: ${error.message}`));

  await observer.query(
    `INSERT INTO venues (id, name, city, country) VALUES ($1, 'Simulation Hall', 'Lisbon', 'Portugal')
     ON CONFLICT (id) DO NOTHING`,
    ["vn_simulation"],
  );
  await observer.query(
    `INSERT INTO events (id, name, description, type, venue_id, starts_at, on_sale_at, sections, waiting_room,
       tickets_per_user_max, ticket_count)
     VALUES ($1, 'Simulation', '', 'concert', 'vn_simulation', $2, $3, $4, '{"enabled": false}', $5, $6)`,
    [
      eventId,
      new Date(settings.startsAt).toISOString(),
      new Date(settings.onSaleAt).toISOString(),
      JSON.stringify(sections),
      ticketsPerUserMax,
      seats,
    ],
  );
  await observer.query(
    `INSERT INTO tickets (event_id, ordinal, section_index, section, row_index, row_label, seat, price_cents)
     SELECT $1, ordinal, ordinal / 6, CASE WHEN ordinal < 6 THEN 'Stalls' ELSE 'Circle' END, 0,
            CASE WHEN ordinal < 6 THEN 'A' ELSE 'B' END, ordinal % 6 + 1, CASE WHEN ordinal < 6 THEN 1000 ELSE 2500 END
     FROM generate_series(0, $2 - 1) AS ordinal`,
    [eventId, seats],
  );

  let now = startOfTime;
  const presaleCodes = [`pc_${eventId}_a`, `pc_${eventId}_b`];
  if (config.presale) await insertPresale(observer, eventId, presaleCodes, settings.onSaleAt);
  /** The grant a presale run's reserve comes with (most of the time), as the booking service sends it. */
  const presaleGrant = () =>
    config.presale && chance(0.9)
      ? {
          presale: {
            codeId: pick(presaleCodes),
            startsAtMs: startOfTime - 3_600_000,
            endsAtMs: settings.onSaleAt,
            usesPerCode: presaleUsesPerCode,
          },
        }
      : {};
  let rows: Rows = {
    keys: new Map(),
    holds: new Map(),
    booked: new Map(),
    payments: new Map(),
    waitlist: new Map(),
    cancelled: new Set(),
    presaleUses: new Map(),
    version: 0,
  };
  /** What the payment provider knows (it outlives any crash of ours, as a real provider's records do). */
  const provider = new Map<string, "captured" | "declined">();
  let shadow = shadowFrom(eventId, rows, settings);
  let incarnation = startIncarnation(config.databaseUrl, 0);
  /**
   * The keys the current incarnation's commits claimed or refused: it refuses a confirm reusing one as it decides
   * it (no commit, no reload; actor-host.ts claimedKeys). A new incarnation knows none.
   */
  let hostKeys = new Set<string>();
  const remembered = (command: Command): command is Extract<Command, { type: "confirmStart" }> =>
    command.type === "confirmStart" &&
    command.requestHash !== undefined &&
    !shadow.holdsByPayment.has(command.paymentId) &&
    hostKeys.has(`${command.userId}|${command.idempotencyKey}`);
  let nextRequestId = 1;
  let counter = 0;
  /** Whether the host has the event's actor in memory (else the next command activates it). */
  let activeInHost = false;
  const nextId = (prefix: string) => `${prefix}_s${config.seed}_${++counter}`;

  /** Sends commands in one submit (one turn); resolves with the replies, or null if the host crashed. */
  const submit = (commands: Command[]) => submitTo(incarnation, commands);
  async function submitTo(incarnation: Incarnation, commands: Command[]): Promise<Reply[] | null> {
    const ids = commands.map(() => nextRequestId++);
    const answered = Promise.all(
      ids.map(
        (id) =>
          new Promise<void>((resolve) => {
            if (incarnation.replies.has(id)) resolve();
            else incarnation.waiters.set(id, resolve);
          }),
      ),
    );
    incarnation.host.submit(
      commands.map((command, index) => ({
        kind: "command",
        id: ids[index],
        eventId,
        command: structuredClone(command),
      })),
      now,
    );
    const crashed = await bounded(
      Promise.race([
        answered.then(() => false),
        incarnation.crashed.then(() => true),
        hostStopped(incarnation),
      ]),
      () => failure(`the host did not answer ${commands.length} commands in ${hostAnswerBoundMs} ms`),
    );
    if (crashed) return null;
    return ids.map((id) => incarnation.replies.get(id)!);
  }

  async function seatMap(): Promise<SeatMapSnapshot> {
    const id = nextRequestId++;
    const reply = await bounded(
      Promise.race([
        new Promise<Reply>((resolve) => {
          incarnation.waiters.set(id, () => resolve(incarnation.replies.get(id)!));
          incarnation.host.submit([{ kind: "seatMap", id, eventId }], now);
        }),
        hostStopped(incarnation),
      ]),
      () => failure(`the host did not answer a seat map in ${hostAnswerBoundMs} ms`),
    );
    if (!reply.ok) fail(`seat map refused: ${JSON.stringify(reply.error)}`);
    return (reply as { value: SeatMapSnapshot }).value;
  }

  async function restart(): Promise<void> {
    await stopIncarnation(incarnation);
    result.restarts++;
    incarnation = startIncarnation(config.databaseUrl, result.restarts);
    hostKeys = new Set();
  }

  /** Runs commands with no fault and requires them to do exactly what the shadow does. */
  async function runClean(commands: Command[]): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    const effects: Effect[] = [];
    for (const command of commands) {
      const decision = decide(shadow, structuredClone(command), now);
      outcomes.push(decision.outcome);
      effects.push(...decision.effects);
    }
    applyEffects(rows, effects);
    const replies = await submit(commands);
    if (!replies) fail("the host crashed with no fault armed");
    compareReplies(replies!, outcomes);
    return outcomes;
  }

  function compareReplies(replies: Reply[], outcomes: Outcome[]): void {
    replies.forEach((reply, index) => {
      const outcome = outcomes[index];
      const got = reply.ok
        ? { ok: true, value: reply.value }
        : { ok: false, code: reply.error.code, details: reply.error.details };
      const want = outcome.ok
        ? { ok: true, value: outcome.value }
        : { ok: false, code: outcome.error.code, details: outcome.error.details };
      if (JSON.stringify(got) !== JSON.stringify(want))
        fail(`reply ${index} is ${JSON.stringify(got)}, the shadow says ${JSON.stringify(want)}`);
    });
  }

  /**
   * What recovery does after a crash: money captured is booked (also a payment still pending whose
   * charge the provider took: a saga that died between the charge and its booking commit); a declined
   * payment's hold given back (also a pending one the provider declined). After a crash the sagas of
   * that process are gone: a pending payment the provider never saw (died between commit 1 and the
   * charge) is declined as abandoned, its hold given back.
   */
  async function recover(crashed: boolean): Promise<string[]> {
    const done: string[] = await refundCancelled();
    for (const [paymentId, payment] of [...rows.payments].sort(([a], [b]) => a.localeCompare(b))) {
      const word = provider.get(paymentId);
      if (payment.status === "captured" && payment.bookingId === null && !payment.refundRequested) {
        const [outcome] = await runClean([{ type: "confirmComplete", paymentId, bookingId: nextId("bk") }]);
        if (!outcome.ok || !outcome.value.booked)
          fail(`recovery could not book captured payment ${paymentId}`);
        done.push(`booked ${paymentId}`);
      } else if (payment.status === "pending" && word === "captured") {
        const [outcome] = await runClean([
          { type: "confirmComplete", paymentId, bookingId: nextId("bk"), providerRef: `ref-${paymentId}` },
        ]);
        if (!outcome.ok || !outcome.value.booked)
          fail(`recovery could not book charged payment ${paymentId}`);
        done.push(`booked charged ${paymentId}`);
      } else if (payment.status === "pending" && (word === "declined" || (crashed && word === undefined))) {
        provider.set(paymentId, "declined");
        await runClean([{ type: "confirmAbort", paymentId, declined: word ? "simulated" : "abandoned" }]);
        done.push(`declined ${paymentId}`);
      } else if (payment.status === "declined" && shadow.holdsByPayment.has(paymentId)) {
        await runClean([{ type: "confirmAbort", paymentId }]);
        done.push(`gave back ${paymentId}`);
      }
    }
    return done;
  }

  /**
   * The cancellation saga's step 2 (and recovery's): a cancelled booking's captured payment refunded
   * (actors/payments/cancellation.ts).
   */
  async function refundCancelled(): Promise<string[]> {
    const done: string[] = [];
    for (const [paymentId, payment] of [...rows.payments].sort(([a], [b]) => a.localeCompare(b))) {
      if (
        payment.status !== "captured" ||
        payment.bookingId === null ||
        !rows.cancelled.has(payment.bookingId)
      )
        continue;
      await observer.query(
        "UPDATE payments SET status = 'refunded', updated_at = now() WHERE event_id = $1 AND id = $2 AND status = 'captured'",
        [eventId, paymentId],
      );
      payment.status = "refunded";
      done.push(`refunded ${paymentId}`);
    }
    return done;
  }

  /** A waiting-list command or a cancellation of a booking that stands. */
  function waitlistOrCancel(user: string): Command {
    const roll = random();
    // Large quantities too: with 12 seats, an entry for 8 or 10 can join once a few seats are taken.
    if (roll < 0.45) return { type: "waitlistJoin", userId: user, quantity: pick([1, 2, 3, 5, 8, 10]) };
    if (roll < 0.6) return { type: "waitlistLeave", userId: user };
    const bookings = new Map<string, { userId: string; ordinals: number[] }>();
    for (const [ordinal, booking] of [...rows.booked].sort(([a], [b]) => a - b)) {
      const entry = bookings.get(booking.bookingId) ?? { userId: booking.userId, ordinals: [] };
      entry.ordinals.push(ordinal);
      bookings.set(booking.bookingId, entry);
    }
    const standing = [...bookings.keys()].sort();
    if (standing.length === 0) return { type: "waitlistJoin", userId: user, quantity: 1 };
    const bookingId = pick(standing);
    const booking = bookings.get(bookingId)!;
    const paymentId = [...rows.payments].find(([, payment]) => payment.bookingId === bookingId)![0];
    return {
      type: "cancelBooking",
      bookingId,
      userId: booking.userId,
      paymentId,
      ordinals: booking.ordinals,
      reason: "simulated",
    };
  }

  /** One random command that makes sense in the shadow's state (or a reserve). */
  async function randomCommand(): Promise<Command> {
    const user = pick(users);
    const heldBy = (userId: string) =>
      shadow.holds.filter(
        (hold) => hold?.live && hold.userId === userId && hold.status === "held" && hold.expiresAt > now,
      );
    if (chance(0.15)) return waitlistOrCancel(user);
    const roll = random();
    if (roll < 0.42) {
      const count = 1 + Math.floor(random() * 3);
      const ordinals = new Set<number>();
      while (ordinals.size < count) ordinals.add(Math.floor(random() * seats));
      return {
        type: "reserve",
        userId: user,
        ordinals: [...ordinals],
        holdId: nextId("hd"),
        ...presaleGrant(),
      };
    }
    if (roll < 0.55) {
      const mine = heldBy(user).flatMap((hold) => hold!.ordinals);
      const ordinals =
        mine.length > 0 && chance(0.8)
          ? mine.slice(0, 1 + Math.floor(random() * mine.length))
          : [Math.floor(random() * seats)];
      return { type: "release", userId: user, ordinals };
    }
    if (roll < 0.75) {
      const holders = users.filter((candidate) => heldBy(candidate).length > 0);
      if (holders.length > 0) {
        const holder = pick(holders);
        const mine = heldBy(holder).flatMap((hold) => hold!.ordinals);
        const ordinals = mine.slice(0, 1 + Math.floor(random() * mine.length));
        const paymentId = nextId("pay");
        if (chance(0.2))
          return {
            type: "confirmStart",
            userId: holder,
            ordinals,
            paymentId,
            idempotencyKey: `key-${paymentId}`,
          };
        // The key claimed in the commit; now and then one the holder used before (a retry of another
        // purchase's key, or the same key on another event): the commit must refuse this command alone.
        const used = [...rows.keys.keys()].filter((key) => key.startsWith(`${holder}|`)).sort();
        // (Keys are the user's across events, and runs share users: each run's keys name its event.)
        const key =
          used.length > 0 && chance(0.15) ? pick(used).split("|")[1] : `key-${paymentId}-${eventId}`;
        return {
          type: "confirmStart",
          userId: holder,
          ordinals,
          paymentId,
          idempotencyKey: key,
          requestHash: `hash-${paymentId}`,
        };
      }
    }
    const pending = [...shadow.holdsByPayment.keys()]
      // The provider answers a payment once: one it answered (this step or before) is not charged again.
      .filter((id) => rows.payments.get(id)?.status === "pending" && !provider.has(id))
      .sort();
    if (roll < 0.92 && pending.length > 0) {
      const paymentId = pick(pending);
      const payment = rows.payments.get(paymentId)!;
      const providerRef = `ref-${paymentId}`;
      const setStatus = (status: PaymentRow["status"]) =>
        observer.query(
          `UPDATE payments SET status = $3, updated_at = now(),
             provider_ref = CASE WHEN $3 = 'captured' THEN $4 ELSE provider_ref END WHERE event_id = $1 AND id = $2`,
          [eventId, paymentId, status, providerRef],
        );
      if (chance(0.75)) {
        provider.set(paymentId, "captured");
        if (chance(0.06)) {
          // Declared lost outside the actor while the charge went through (the race of an old
          // recovery): the booking commit must refuse this booking alone (PAYMENT_SETTLED).
          await setStatus("declined");
          payment.status = "declined";
          return { type: "confirmComplete", paymentId, bookingId: nextId("bk"), providerRef };
        }
        // The capture recorded in the booking commit, or (as before) on its own first.
        if (chance(0.6)) return { type: "confirmComplete", paymentId, bookingId: nextId("bk"), providerRef };
        await setStatus("captured");
        payment.status = "captured";
        return { type: "confirmComplete", paymentId, bookingId: nextId("bk") };
      }
      provider.set(paymentId, "declined");
      if (chance(0.6)) return { type: "confirmAbort", paymentId, declined: "simulated" };
      await setStatus("declined");
      payment.status = "declined";
      return { type: "confirmAbort", paymentId };
    }
    return { type: "expire" };
  }

  try {
    for (step = 1; step <= config.steps; step++) {
      result.steps = step;
      // The clock: mostly small steps, now and then past every hold's expiry, rarely back a little.
      const clockRoll = random();
      const before = now;
      if (clockRoll < 0.1) now += Math.floor(random() * holdTtlMs * 1.5);
      else if (clockRoll < 0.14) now -= Math.floor(random() * 2_000);
      else now += Math.floor(random() * 3_000);
      if (Math.abs(now - before) > 3_000) result.clockJumps++;

      const commands: Command[] = [];
      const count = chance(0.25) ? 2 + Math.floor(random() * 3) : 1;
      for (let index = 0; index < count; index++) commands.push(await randomCommand());
      result.commands += commands.length;

      let note = "";
      let answered = "";
      /** Whether the shadow decided a command at `now` since it was last reloaded (lapses are done). */
      let decidedNow = true;
      if (chance(0.03)) {
        // A takeover while the old owner still runs (a paused process, a partition): the new host takes
        // the epoch; the old one must refuse everything (STALE_OWNER) and write nothing.
        current = `t+${now - startOfTime} ${commands.map(describe).join(" | ")} to a fenced-out owner`;
        if (!activeInHost) await seatMap(); // the old owner holds the actor (else it would just take it back)
        const old = incarnation;
        result.restarts++;
        incarnation = startIncarnation(config.databaseUrl, result.restarts);
        hostKeys = new Set();
        await seatMap(); // activates: the new epoch
        activeInHost = true;
        const replies = await submitTo(old, commands);
        if (!replies) fail("the old owner crashed");
        for (const reply of replies!)
          if (reply.ok || reply.error.code !== "STALE_OWNER")
            fail(`a fenced-out owner answered ${JSON.stringify(reply)}`);
        if (canonical(await readRows(observer, eventId)) !== canonical(rows))
          fail("a fenced-out owner wrote");
        await stopIncarnation(old);
        result.faults.takeover++;
        result.firedAt.takeover = (result.firedAt.takeover ?? 0) + 1;
        answered = replies!.map(describeReply).join(" | ");
        note = " (taken over while running)";
        shadow = shadowFrom(eventId, rows, settings);
        decidedNow = false;
        const recovered = await recover(true);
        if (recovered.length > 0) {
          note += ` recovery: ${recovered.join(", ")}`;
          decidedNow = true;
        }
      } else {
        // The shadow decides the turn; the model of the rows before and after it.
        const rowsBefore = cloneRows(rows);
        // A command the commit refuses alone (its key taken, its payment settled outside the actor):
        // nothing of the turn is written, the actor reloads and decides the others again, in order.
        const refused = new Map<number, Outcome>();
        let outcomes: Outcome[] = [];
        let effects: Effect[] = [];
        for (;;) {
          outcomes = [];
          effects = [];
          const claimed = new Set<string>();
          let more = false;
          // A confirm refused undecided (its key remembered) lapses nothing, as in the host.
          decidedNow = false;
          commands.forEach((command, index) => {
            const known = refused.get(index);
            if (known) return void outcomes.push(known);
            if (remembered(command)) return void outcomes.push(keyTaken(command.paymentId));
            decidedNow = true;
            const decision = decide(shadow, structuredClone(command), now);
            const refusal = refusalInCommit(rowsBefore, command, decision.effects, claimed);
            if (refusal) {
              refused.set(index, refusal);
              more = true;
            }
            outcomes.push(decision.outcome);
            effects.push(...decision.effects);
          });
          if (!more) break;
          shadow = shadowFrom(eventId, rowsBefore, settings);
        }
        applyEffects(rows, effects);
        const rowsAfter = rows;

        // A fault aimed at any statement of this turn: the actor's activation (two, when it is not
        // active), then its commit (one on the hot path, up to a dozen for a booking).
        const statements = (activeInHost ? 0 : 2) + commitStatements(effects);
        const plan: FaultPlan | null =
          refused.size === 0 && chance(faultProbability)
            ? {
                kind: chance(0.6) ? "crash" : "transient",
                when: chance(0.5) ? "before" : "after",
                statement: 1 + Math.floor(random() * statements),
              }
            : null;
        if (refused.size > 0) {
          note = ` refused in the commit: ${[...refused.keys()].join(", ")} (the actor reloaded)`;
          if (refused.size === commands.length) [activeInHost, decidedNow] = [false, false];
        }

        current = `t+${now - startOfTime} ${commands.map(describe).join(" | ")}${plan ? ` with ${JSON.stringify(plan)}` : ""}`;
        if (plan) incarnation.faulty.arm(plan);
        const replies = await submit(commands);
        const fired: FiredFault | null = incarnation.faulty.disarm();
        if (plan && !fired) result.faults.armedNotReached++;
        if (incarnation.fatal.length > 0) fail(`the host stopped: ${incarnation.fatal[0].message}`);
        answered = replies === null ? "(no answer)" : replies.map(describeReply).join(" | ");

        if (fired) {
          result.faults[fired.kind]++;
          const where = `${fired.kind} ${fired.when} ${fired.text.split(" ").slice(0, 2).join(" ")}`;
          result.firedAt[where] = (result.firedAt[where] ?? 0) + 1;
          note = ` ${fired.kind} ${fired.when} "${fired.text}"`;
          if (fired.kind === "transient") {
            // Every command of the failed turn is answered UNAVAILABLE (retry): nothing acknowledged.
            for (const reply of replies ?? [])
              if (reply.ok || reply.error.code !== "UNAVAILABLE")
                fail(`after a transient fault, a reply was ${JSON.stringify(reply)}`);
          } else if (replies) fail("the host answered after it crashed");
          // Atomic: the database holds the whole turn or none of it.
          const found = await readRows(observer, eventId);
          const state = canonical(found);
          const committed = state === canonical(rowsAfter);
          if (!committed && state !== canonical(rowsBefore))
            fail(
              `after ${note.trim()} the database is neither before nor after the turn:\n` +
                `    found  ${state}\n    before ${canonical(rowsBefore)}\n    after  ${canonical(rowsAfter)}`,
            );
          note += committed ? " (committed)" : " (not committed)";
          rows = found;
          // The host reloads from Postgres (a crash: a new process; a failure: the actor is dropped).
          shadow = shadowFrom(eventId, rows, settings);
          decidedNow = false;
          activeInHost = false;
          if (fired.kind === "crash") await restart();
          const recovered = await recover(fired.kind === "crash");
          if (recovered.length > 0) {
            note += ` recovery: ${recovered.join(", ")}`;
            decidedNow = true;
            activeInHost = true;
          }
        } else {
          if (!replies) fail("no replies and no fault");
          compareReplies(replies!, outcomes);
          // A cancellation's saga refunds once its commit is in (its step 2).
          const refunded = await refundCancelled();
          if (refunded.length > 0) note += ` then: ${refunded.join(", ")}`;
          for (const effect of effects)
            if (effect.type === "paymentIntent" && effect.requestHash !== undefined)
              hostKeys.add(`${effect.userId}|${effect.idempotencyKey}`);
          for (const index of refused.keys()) {
            const command = commands[index];
            if (command.type === "confirmStart") hostKeys.add(`${command.userId}|${command.idempotencyKey}`);
          }
          if (refused.size < commands.length) activeInHost = true;
          if (
            [...refused.values()].some((outcome) => !outcome.ok && outcome.error.code === "PAYMENT_SETTLED")
          ) {
            // The saga, told its booking was refused, gives the hold back (and refunds the charge).
            const recovered = await recover(false);
            if (recovered.length > 0) [note, decidedNow] = [`${note} then: ${recovered.join(", ")}`, true];
          }
        }
      }

      // The invariants, after every step.
      const problems = findInvariantViolations(shadow, decidedNow ? now : undefined);
      if (problems.length > 0) fail(`shadow invariants: ${problems.join("; ")}`);
      const found = await readRows(observer, eventId);
      if (canonical(found) !== canonical(rows))
        fail(`database differs from the model:\n    found ${canonical(found)}\n    model ${canonical(rows)}`);
      const audit = await auditDatabase(observer, eventId);
      if (!audit.ok) fail(formatAudit(audit));
      // The host's memory equals the shadow (asking activates the actor: half the time after a reload
      // the next step's command does it instead, so faults hit activations too).
      const expected = publicStatuses(shadow, now);
      if (activeInHost || chance(0.5)) {
        const snapshot = await seatMap();
        activeInHost = true;
        if (Buffer.compare(Buffer.from(snapshot.statuses), Buffer.from(expected)) !== 0)
          fail(
            `host seat map ${[...snapshot.statuses].join("")} differs from the shadow's ${[...expected].join("")}`,
          );
        if (snapshot.version !== rows.version)
          fail(`host version ${snapshot.version}, model ${rows.version}`);
      }
      result.bookings = new Set([...rows.booked.values()].map((booking) => booking.bookingId)).size;

      result.trace.push(
        `${step} t+${now - startOfTime} ${commands.map(describe).join(" | ")} -> ${answered}${note} :: ${[...expected].join("")} v${rows.version}`,
      );
    }
  } finally {
    await stopIncarnation(incarnation);
    await observer.end();
  }
  result.digest = createHash("sha256").update(result.trace.join("\n")).digest("hex").slice(0, 16);
  return result;
}

const keyTaken = (paymentId: string): Outcome => ({
  ok: false,
  error: { code: "IDEMPOTENCY_KEY_TAKEN", message: "taken", details: { paymentId } },
});

/**
 * Whether the group commit refuses this command alone (persistence/write-effects.ts): a confirmStart
 * whose key (claimed in the commit) is taken already, by an earlier turn or an earlier command of
 * this one; a booking whose payment is not bookable (settled outside the actor).
 */
function refusalInCommit(
  before: Rows,
  command: Command,
  effects: Effect[],
  claimed: Set<string>,
): Outcome | null {
  if (command.type === "confirmStart" && command.requestHash !== undefined) {
    if (!effects.some((effect) => effect.type === "paymentIntent")) return null;
    const key = `${command.userId}|${command.idempotencyKey}`;
    if (before.keys.has(key) || claimed.has(key)) return keyTaken(command.paymentId);
    claimed.add(key);
  }
  if (command.type === "cancelBooking" && effects.some((effect) => effect.type === "bookingCancelled")) {
    if (before.cancelled.has(command.bookingId) || claimed.has(`cancel|${command.bookingId}`))
      return {
        ok: false,
        error: {
          code: "BOOKING_NOT_CANCELLABLE",
          message: "cancelled",
          details: { paymentId: command.paymentId },
        },
      };
    claimed.add(`cancel|${command.bookingId}`);
  }
  if (command.type === "confirmComplete" && effects.some((effect) => effect.type === "booked")) {
    const payment = before.payments.get(command.paymentId)!;
    const bookable =
      payment.bookingId === null &&
      !payment.refundRequested &&
      (payment.status === "captured" || (payment.status === "pending" && command.providerRef !== undefined));
    if (!bookable)
      return {
        ok: false,
        error: { code: "PAYMENT_SETTLED", message: "settled", details: { paymentId: command.paymentId } },
      };
  }
  return null;
}

function describe(command: Command): string {
  switch (command.type) {
    case "reserve":
      return `reserve ${command.userId} [${command.ordinals}]${command.presale ? ` ${command.presale.codeId}` : ""}`;
    case "release":
      return `${command.type} ${command.userId} [${command.ordinals}]`;
    case "confirmStart":
      return `confirmStart ${command.userId} [${command.ordinals}] ${command.paymentId}`;
    case "confirmComplete":
    case "confirmAbort":
      return `${command.type} ${command.paymentId}`;
    default:
      return command.type;
  }
}

const describeReply = (reply: Reply) => (reply.ok ? "ok" : reply.error.code);

/** A presale run's presale: open from before the run to the sale, two codes (ids, not secrets here). */
async function insertPresale(
  db: Database,
  eventId: string,
  codes: string[],
  onSaleAt: number,
): Promise<void> {
  await db.query(
    `INSERT INTO presales (id, event_id, name, starts_at, ends_at, uses_per_code) VALUES ($1, $2, 'Sim', $3, $4, $5)`,
    [`ps_${eventId}`, eventId, new Date(startOfTime - 3_600_000), new Date(onSaleAt), presaleUsesPerCode],
  );
  await db.query(
    `INSERT INTO presale_codes (code_hash, id, presale_id, event_id, hint)
     SELECT 'hash-' || x, x, $2, $3, 'SIM…' FROM unnest($1::text[]) AS x`,
    [codes, `ps_${eventId}`, eventId],
  );
}

/** The codes activation loads (persistence/writers/presale-uses.ts): those with a booking or a live hold. */
function presaleCodesOf(rows: Rows) {
  const uses = new Map<string, number>();
  for (const codeId of rows.presaleUses.values()) uses.set(codeId, (uses.get(codeId) ?? 0) + 1);
  for (const hold of rows.holds.values()) {
    const at = hold.holdId.indexOf("~");
    if (at >= 0 && !uses.has(hold.holdId.slice(at + 1))) uses.set(hold.holdId.slice(at + 1), 0);
  }
  return [...uses].map(([codeId, count]) => ({ codeId, usesPerCode: presaleUsesPerCode, uses: count }));
}

/** A fresh, migrated database for simulation runs. */
export async function simulationDatabase(): Promise<string> {
  const databaseUrl = await freshDatabaseUrl();
  await ensureDatabase(databaseUrl);
  const pool = createPool(databaseUrl, { max: 1 });
  try {
    await migrate(pool);
  } finally {
    await pool.end();
  }
  return databaseUrl;
}

export function summarize(results: SimulationResult[]): Record<string, number> {
  const sum = (pick: (result: SimulationResult) => number) =>
    results.reduce((total, result) => total + pick(result), 0);
  return {
    seeds: results.length,
    steps: sum((result) => result.steps),
    commands: sum((result) => result.commands),
    crashes: sum((result) => result.faults.crash),
    transientFailures: sum((result) => result.faults.transient),
    faultsArmedNotReached: sum((result) => result.faults.armedNotReached),
    clockJumps: sum((result) => result.clockJumps),
    restarts: sum((result) => result.restarts),
    bookings: sum((result) => result.bookings),
  };
}
