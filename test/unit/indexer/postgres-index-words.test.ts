// The query-word cache of the Postgres index may be cleared (the index moved) or evicted while a
// lookup of other words is awaited: the words known before must still answer (a search once
// answered 500 when they were gone). Typo alternatives are plain words only.
import { expect } from "chai";
import { PostgresIndex } from "../../../indexer/postgres-index.ts";
import type { Database } from "../../../platform/database.ts";

/** A database whose every query waits for `release()` and answers each asked word as unknown. */
function stalledDatabase(candidates: string[]) {
  let release = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const db = {
    async query(_text: string, values: unknown[]) {
      await gate;
      const words = values[0] as string[];
      return { rows: words.map((word) => ({ word, exact: word === "lisbon", prefix: false, candidates })) };
    },
  } as unknown as Database;
  return { db, release: () => release() };
}

describe("PostgresIndex query words", () => {
  it("answers words it knew before a lookup, also when the cache was cleared during it", async () => {
    const first = stalledDatabase([]);
    const index = new PostgresIndex(first.db);
    first.release();
    await index.alternativesFor(["lisbon"]); // now cached

    const second = stalledDatabase(["fadi", "fa-do"]);
    (index as any).db = second.db;
    const pending = index.alternativesFor(["fado", "lisbon"]);
    index.indexChanged(); // the indexer moved meanwhile
    second.release();
    const answer = await pending;
    expect(answer.map((word) => word.word)).to.deep.equal(["fado", "lisbon"]);
    expect(answer[1].exact).to.equal(true);
    expect(answer[0].alternatives).to.deep.equal(["fadi"]); // "fa-do" cannot stand in a tsquery
  });
});
