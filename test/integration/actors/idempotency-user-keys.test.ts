// A user's Idempotency-Key across events once idempotency_keys is partitioned by event (migration
// 0360): the user-wide slot is idempotency_user_keys, written by the claim's own statement. A key
// claimed on one event is refused on another and answers from the first; a lapsed claim taken over
// frees both rows; two events claiming one key in one statement let exactly one through.
import { expect } from "chai";
import { claimKeyRows, type KeyClaim } from "../../../actors/booking/persistence/writers/idempotency-keys.ts";
import {
  claimIdempotencyKey,
  findIdempotencyKey,
  takeOverLapsedClaim,
} from "../../../actors/payments/payments.repository.ts";
import { createPool, type Database } from "../../../platform/database.ts";
import { simulationDatabase } from "../../support/actor-simulation.ts";
import { dropDatabase } from "../../support/system.ts";

describe("actors: Idempotency-Keys are the user's across partitioned events", () => {
  let databaseUrl: string;
  let db: Database;
  const query = async (text: string, values: unknown[]) => (await db.query(text, values)).rows;
  const claim = (eventId: string, key: string, claimId: string): KeyClaim => ({
    eventId,
    userId: "kim",
    key,
    requestHash: `hash-${eventId}`,
    paymentId: null,
    claimId,
  });

  before(async () => {
    databaseUrl = await simulationDatabase();
    db = createPool(databaseUrl, { max: 2 });
    await db.query(`
      INSERT INTO venues (id, name, city, country) VALUES ('vn_keys', 'Hall', 'Porto', 'Portugal');
      INSERT INTO events (id, name, type, venue_id, starts_at, on_sale_at, sections, ticket_count)
      SELECT id, id, 'concert', 'vn_keys', now(), now(), '[]', 0
      FROM unnest(ARRAY['ev_keys_a', 'ev_keys_b', 'ev_keys_c', 'ev_keys_d']) AS id;`);
  });
  after(async () => {
    await db.end();
    await dropDatabase(databaseUrl);
  });

  it("refuses the key on another event and answers from the event that holds it", async () => {
    expect(await claimKeyRows(query, [claim("ev_keys_a", "kim-key-0001", "clm_a")])).to.deep.equal(
      new Set(["clm_a"]),
    );
    expect(await claimKeyRows(query, [claim("ev_keys_b", "kim-key-0001", "clm_b")])).to.deep.equal(new Set());
    // Claiming again on its own event claims nothing either (the event's row is there).
    expect(await claimKeyRows(query, [claim("ev_keys_a", "kim-key-0001", "clm_a2")])).to.deep.equal(
      new Set(),
    );
    const record = await findIdempotencyKey(db, { eventId: "ev_keys_b", userId: "kim", key: "kim-key-0001" });
    expect(record?.requestHash).to.equal("hash-ev_keys_a");
    const rows = await db.query("SELECT event_id FROM idempotency_keys WHERE key = 'kim-key-0001'");
    expect(rows.rows).to.deep.equal([{ event_id: "ev_keys_a" }]);
  });

  it("frees both rows when a lapsed claim is taken over, so another event may claim the key", async () => {
    const key = { eventId: "ev_keys_c", userId: "kim", key: "kim-key-0002" };
    expect(await claimIdempotencyKey(db, { ...key, requestHash: "hash-c", claimId: "clm_c" })).to.deep.equal({
      claimed: true,
    });
    // Not lapsed yet: nothing goes.
    await takeOverLapsedClaim(db, { ...key, requestHash: "hash-c" });
    expect(
      (await db.query("SELECT 1 FROM idempotency_user_keys WHERE key = 'kim-key-0002'")).rowCount,
    ).to.equal(1);
    await db.query(
      "UPDATE idempotency_keys SET claimed_at = now() - interval '1 hour' WHERE key = 'kim-key-0002'",
    );
    await takeOverLapsedClaim(db, { ...key, requestHash: "hash-c" });
    expect(
      (await db.query("SELECT 1 FROM idempotency_user_keys WHERE key = 'kim-key-0002'")).rowCount,
    ).to.equal(0);
    expect((await db.query("SELECT 1 FROM idempotency_keys WHERE key = 'kim-key-0002'")).rowCount).to.equal(
      0,
    );
    expect(await claimKeyRows(query, [claim("ev_keys_d", "kim-key-0002", "clm_d")])).to.deep.equal(
      new Set(["clm_d"]),
    );
  });

  it("lets one of two events claiming one key in one statement through", async () => {
    const claimed = await claimKeyRows(query, [
      claim("ev_keys_a", "kim-key-0003", "clm_x"),
      claim("ev_keys_b", "kim-key-0003", "clm_y"),
    ]);
    expect(claimed.size).to.equal(1);
    const { rows } = await db.query(
      "SELECT k.event_id FROM idempotency_keys k JOIN idempotency_user_keys u USING (user_id, key) WHERE key = 'kim-key-0003'",
    );
    expect(rows).to.have.length(1);
  });
});
