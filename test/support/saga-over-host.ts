// What the actor tests that drive the confirm saga straight on an ActorHost share: a four-seat event
// inserted by SQL, and a saga context whose actor calls go to the host (a refused command thrown as
// the MarqueeError it carries, as the booking service does).
import { ActorHost } from "../../actors/booking/actor-host.ts";
import type { Reply } from "../../actors/booking/protocol.ts";
import type { SagaContext } from "../../actors/payments/confirm-saga.ts";
import type { PaymentProvider } from "../../actors/payments/provider.ts";
import { MarqueeError } from "../../domain/errors.ts";
import type { Command } from "../../domain/seat-state.ts";
import type { Database } from "../../platform/database.ts";

/** A concert of one row of four seats at 10.00, on sale, its venue `venueId` made if missing. */
export async function insertFourSeatEvent(db: Database, eventId: string, venueId: string): Promise<void> {
  await db.query(
    `INSERT INTO venues (id, name, city, country) VALUES ($1, 'Hall', 'Lisbon', 'Portugal')
     ON CONFLICT (id) DO NOTHING`,
    [venueId],
  );
  await db.query(
    `INSERT INTO events (id, name, description, type, venue_id, starts_at, on_sale_at, sections, waiting_room,
       tickets_per_user_max, ticket_count)
     VALUES ($1, $1, '', 'concert', $2, now() + interval '30 days', now() - interval '1 day',
       '[{"name": "Stalls", "priceCents": 1000, "rows": [{"label": "A", "seats": 4}]}]', '{"enabled": false}', 4, 4)`,
    [eventId, venueId],
  );
  await db.query(
    `INSERT INTO tickets (event_id, ordinal, section_index, section, row_index, row_label, seat, price_cents)
     SELECT $1, ordinal, 0, 'Stalls', 0, 'A', ordinal + 1, 1000 FROM generate_series(0, 3) AS ordinal`,
    [eventId],
  );
}

/** A saga context on `db` whose actor is `send` (one command to the host, its reply). */
export const sagaOverHost = (
  db: Database,
  provider: PaymentProvider,
  send: (eventId: string, command: Command) => Promise<Reply>,
): SagaContext => ({
  db,
  provider,
  actor: async (eventId, command) => {
    const reply = await send(eventId, command);
    if (reply.ok) return reply.value;
    throw MarqueeError.from(reply.error);
  },
  pauseAfterCaptureMs: 0,
  log: () => {},
});

export interface HostWithReplies {
  host: ActorHost;
  /** Commands submitted together (one turn of the host), answered with their replies in order. */
  send(commands: { eventId: string; command: Command }[]): Promise<Reply[]>;
}

/** A paranoid ActorHost on `db`, owner `owner`, outside a worker thread; a fatal error is thrown. */
export function hostWithReplies(db: Database, owner: string): HostWithReplies {
  const replies = new Map<number, (reply: Reply) => void>();
  let nextId = 1;
  const host = new ActorHost({
    db,
    owner,
    holdTtlMs: 600_000,
    paranoid: true,
    output: (output) => {
      for (const reply of output.replies) replies.get(reply.id)?.(reply);
    },
    fatal: (error) => {
      throw error;
    },
    log: () => {},
  });
  return {
    host,
    send(commands) {
      const ids = commands.map(() => nextId++);
      const answered = ids.map((id) => new Promise<Reply>((resolve) => replies.set(id, resolve)));
      host.submit(
        commands.map(({ eventId, command }, index) => ({
          kind: "command",
          id: ids[index],
          eventId,
          command,
        })),
        Date.now(),
      );
      return Promise.all(answered);
    },
  };
}
