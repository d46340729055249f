// Seats available on a search page (indexer/availability.ts): from event_seat_counts less the live
// holds, a missing count row counted from the tickets. The page's statement must not plan a scan of
// the tickets: with one (a fallback never run) its estimate at 1M tickets summed every partition and
// passed PostgreSQL's JIT thresholds, ~600 ms of compilation a search (issue 20). The fallback is a
// statement of its own, sent only for the events without a row, and names only their partitions.
// The search pool runs without JIT at all.
import { expect } from "chai";
import type { SearchPage, SearchResult } from "../../../domain/search-result.ts";
import { withAvailability } from "../../../indexer/availability.ts";
import { createSearchPool } from "../../../indexer/search.service.ts";
import { createPool, type Database } from "../../../platform/database.ts";
import { simulationDatabase } from "../../support/actor-simulation.ts";
import {
  recordingPool,
  relationsOf,
  type RecordedStatement,
  type RecordingPool,
} from "../../support/recording-pool.ts";
import { insertFourSeatEvent } from "../../support/saga-over-host.ts";
import { dropDatabase } from "../../support/system.ts";

const pageOf = (ids: string[]): SearchPage => ({
  total: ids.length,
  totalExact: true,
  results: ids.map((id) => ({ id, name: id }) as SearchResult),
});

describe("search: seats available on a page", function () {
  this.timeout(60_000);
  let databaseUrl: string;
  let observer: Database;
  let recording: RecordingPool;
  const events = ["ev_avail_a", "ev_avail_b", "ev_avail_c", "ev_avail_d"];

  before(async () => {
    databaseUrl = await simulationDatabase();
    observer = createPool(databaseUrl, { max: 2 });
    recording = recordingPool(databaseUrl);
    for (const eventId of events) await insertFourSeatEvent(observer, eventId, "vn_avail");
    // ev_avail_a: one seat booked, one held (live), one held but expired; ev_avail_b: no count row.
    await observer.query(
      `UPDATE tickets SET status = 'booked', booking_id = 'bk_avail' WHERE event_id = 'ev_avail_a' AND ordinal = 0`,
    );
    await observer.query(
      `INSERT INTO holds (event_id, ordinal, hold_id, user_id, expires_at) VALUES
         ('ev_avail_a', 1, 'hd_live', 'ana', now() + interval '5 minutes'),
         ('ev_avail_a', 2, 'hd_gone', 'bea', now() - interval '1 minute')`,
    );
    await observer.query(`DELETE FROM event_seat_counts WHERE event_id = 'ev_avail_b'`);
  });
  after(async () => {
    await recording.db.end();
    await observer.end();
    await dropDatabase(databaseUrl);
  });

  const planOf = async (statement: RecordedStatement) =>
    (await observer.query(`EXPLAIN (FORMAT JSON) ${statement.text}`, statement.values)).rows[0]["QUERY PLAN"];

  it("counts seats not booked and not under a live hold, without planning a scan of the tickets", async () => {
    recording.statements.length = 0;
    const page = await withAvailability(recording.db, pageOf(["ev_avail_a", "ev_avail_c", "ev_gone"]));
    expect(page.results.map((result) => [result.id, result.seatsAvailable])).to.deep.equal([
      ["ev_avail_a", 2],
      ["ev_avail_c", 4],
      ["ev_gone", undefined],
    ]);
    expect(recording.statements).to.have.length(1);
    const relations = relationsOf(await planOf(recording.statements[0]));
    expect(relations.filter((relation) => /^tickets/.test(relation))).to.deep.equal([]);
  });

  it("counts an event without a count row from its own tickets partition only", async () => {
    recording.statements.length = 0;
    const page = await withAvailability(recording.db, pageOf(["ev_avail_b", "ev_avail_d"]));
    expect(page.results.map((result) => result.seatsAvailable)).to.deep.equal([4, 4]);
    expect(recording.statements).to.have.length(2);
    const fallback = relationsOf(await planOf(recording.statements[1]));
    expect(fallback.filter((relation) => /^tickets/.test(relation))).to.have.length(1);
  });

  it("the search pool's connections never JIT-compile", async () => {
    const pool = createSearchPool(databaseUrl);
    try {
      expect((await pool.query("SHOW jit")).rows[0].jit).to.equal("off");
    } finally {
      await pool.end();
    }
  });
});
