// A forced split brain: two actors for the same event, on two hosts, against one database. The
// fencing epoch must refuse the stale writer, and every ticket must end booked at most once.
import { expect } from "chai";
import { startSystem, dropDatabase } from "../../support/system.ts";
import { createEventFixture } from "../../support/catalog.ts";
import { findDatabaseViolations, queryDatabase } from "../../support/invariants.ts";
import { startTestHost as startHost, type TestHost } from "../../support/actor-hosts.ts";
import type { Reply } from "../../../actors/booking/protocol.ts";
import type { Command } from "../../../domain/seat-state.ts";
import { seededRandom } from "../../../domain/random.ts";

describe("actors: forced split brain (two actors, one event, one database)", function () {
  this.timeout(60_000);

  it("refuses the stale writer and never books a ticket twice", async () => {
    const system = await startSystem();
    const fixture = await createEventFixture(system, { seats: 40 });
    await system.stop(); // its own actor is out of the way; the database stays
    const fatal: Error[] = [];
    const a = startHost("node-a", system.databaseUrl, fixture.eventId, fatal);
    const b = startHost("node-b", system.databaseUrl, fixture.eventId, fatal);
    try {
      // A activates and holds seats 0 and 1.
      const first = await a.send({ type: "reserve", userId: "u1", ordinals: [0, 1], holdId: "" });
      expect(first.ok).to.equal(true);
      // B activates with a newer epoch and sees A's committed hold.
      const blocked = await b.send({ type: "reserve", userId: "u2", ordinals: [0], holdId: "" });
      expect(blocked.ok).to.equal(false);
      expect((blocked as any).error.code).to.equal("TICKET_UNAVAILABLE");
      expect((await b.send({ type: "reserve", userId: "u2", ordinals: [2], holdId: "" })).ok).to.equal(true);
      // A still believes it owns the event: its write is refused and nothing of it is stored.
      const stale = await a.send({ type: "reserve", userId: "u3", ordinals: [2, 3], holdId: "" });
      expect(stale.ok).to.equal(false);
      expect((stale as any).error.code).to.equal("STALE_OWNER");
      const heldOn3 = await queryDatabase(
        system.databaseUrl,
        "SELECT * FROM holds WHERE event_id = $1 AND ordinal = 3",
        [fixture.eventId],
      );
      expect(heldOn3).to.deep.equal([]);

      // Now both fight over every seat; a refused command is re-sent (re-activating on that host).
      let staleReplies = 1;
      const hosts = [a, b];
      const run = async (host: TestHost, command: Command): Promise<Reply> => {
        for (let attempt = 0; attempt < 50; attempt++) {
          const reply = await host.send(command);
          if (reply.ok || reply.error.code !== "STALE_OWNER") return reply;
          staleReplies++;
        }
        throw new Error("no progress after 50 re-sends");
      };
      const bookedBy = new Map<number, string>();
      const random = seededRandom(7);
      const next = (limit: number) => random() * limit;
      await Promise.all(
        Array.from({ length: 80 }, async (_, index) => {
          const user = `user-${index}`;
          const ordinals = [...new Set([Math.floor(next(40)), Math.floor(next(40))])];
          const reserved = await run(hosts[index % 2], {
            type: "reserve",
            userId: user,
            ordinals,
            holdId: "",
          });
          if (!reserved.ok) return;
          const paymentId = `pay_split_${index}`;
          const started = await run(hosts[(index + 1) % 2], {
            type: "confirmStart",
            userId: user,
            ordinals,
            paymentId,
            idempotencyKey: `split-key-${index}`,
          });
          if (!started.ok) return;
          await a.db.query("UPDATE payments SET status = 'captured', provider_ref = 'test' WHERE id = $1", [
            paymentId,
          ]);
          const completed = await run(hosts[index % 2], {
            type: "confirmComplete",
            paymentId,
            bookingId: `bk_split_${index}`,
          });
          expect(completed.ok).to.equal(true);
          const value = (completed as any).value;
          // The payment's seats are confirming under it: whichever host answers, it books them.
          expect(value.booked, JSON.stringify(value)).to.equal(true);
          if (value.booked) {
            for (const ticketId of value.ticketIds as string[]) {
              const ordinal = Number(ticketId.split(".").pop());
              expect(bookedBy.has(ordinal), `ordinal ${ordinal} booked twice`).to.equal(false);
              bookedBy.set(ordinal, value.bookingId);
            }
          }
        }),
      );
      expect(staleReplies).to.be.greaterThan(1);
      expect(bookedBy.size).to.be.greaterThan(0);
      expect(fatal).to.deep.equal([]);
      expect(await findDatabaseViolations(system.databaseUrl)).to.deep.equal([]);
      const rows = await queryDatabase(
        system.databaseUrl,
        "SELECT ordinal, booking_id FROM booking_tickets WHERE event_id = $1",
        [fixture.eventId],
      );
      expect(new Map(rows.map((row) => [row.ordinal, row.booking_id]))).to.deep.equal(bookedBy);
      const epochs = await queryDatabase(
        system.databaseUrl,
        "SELECT epoch FROM event_actors WHERE event_id = $1",
        [fixture.eventId],
      );
      expect(epochs[0].epoch).to.be.greaterThan(2);
    } finally {
      await a.host.stop();
      await b.host.stop();
      await a.db.end();
      await b.db.end();
      await dropDatabase(system.databaseUrl);
    }
  });
});
