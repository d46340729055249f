// The indexer against a real Postgres: commit order, crash and replay, SIGKILL mid-stream, one
// active indexer at a time, and the reindex.
import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { Indexer, type IndexerOptions } from "../../../indexer/indexer.ts";
import { PostgresIndex } from "../../../indexer/postgres-index.ts";
import { rebuildIndex } from "../../../indexer/rebuild.ts";
import { toSearchDocument } from "../../../indexer/search-document.ts";
import type { IndexWrite, SearchIndex } from "../../../indexer/search-index.ts";
import { parseSearchParams } from "../../../indexer/search-query.ts";
import { readPosition } from "../../../indexer/outbox.ts";
import {
  createSearchDatabase,
  dropSearchDatabase,
  type SearchDatabase,
} from "../../support/search-database.ts";
import { eventually } from "../../support/search.ts";

const quiet = { info() {}, warn() {}, error() {} };
const repositoryRoot = fileURLToPath(new URL("../../../", import.meta.url));

function startIndexer(
  database: SearchDatabase,
  index: SearchIndex,
  options: Partial<IndexerOptions> = {},
): Indexer {
  const indexer = new Indexer({
    databaseUrl: database.url,
    index,
    logger: quiet,
    pollIntervalMs: 50,
    retryIntervalMs: 50,
    ...options,
  });
  indexer.start();
  return indexer;
}

async function lastPosition(database: SearchDatabase): Promise<number> {
  const { rows } = await database.db.query(
    "SELECT coalesce(max(position), 0) AS outbox, (SELECT position FROM search_indexer_state) AS indexed FROM search_outbox",
  );
  return Math.max(rows[0].outbox, rows[0].indexed);
}

async function indexedNames(database: SearchDatabase, prefix: string): Promise<Map<string, string>> {
  const { rows } = await database.db.query(
    "SELECT event_id, result->>'name' AS name, result->'venue'->>'name' AS venue_name FROM search_documents WHERE event_id LIKE $1 || '%'",
    [prefix],
  );
  return new Map(rows.map((row) => [row.event_id, `${row.name} @ ${row.venue_name}`]));
}

async function sourceNames(database: SearchDatabase, prefix: string): Promise<Map<string, string>> {
  const { rows } = await database.db.query(
    `SELECT e.id, e.name, v.name AS venue_name FROM events e JOIN venues v ON v.id = e.venue_id
     WHERE e.id LIKE $1 || '%' AND e.status = 'active'`,
    [prefix],
  );
  return new Map(rows.map((row) => [row.id, `${row.name} @ ${row.venue_name}`]));
}

describe("search indexer", function () {
  this.timeout(60_000);
  let database: SearchDatabase;
  let index: PostgresIndex;
  const running: Indexer[] = [];

  beforeEach(async () => {
    database = await createSearchDatabase();
    index = new PostgresIndex(database.db);
  });
  afterEach(async () => {
    for (const indexer of running.splice(0)) await indexer.stop();
    await database.close();
    await dropSearchDatabase(database.url);
  });

  it("numbers outbox rows in commit order, so a transaction that commits later is never skipped", async () => {
    await database.venue("vn_a", "Alpha Hall");
    await database.events("ev_a", 1, 1, "vn_a");
    const early = new pg.Client({ connectionString: database.url });
    await early.connect();
    try {
      // The first transaction captures a change (drawing the smaller id) but commits last.
      await early.query("BEGIN");
      await early.query("UPDATE events SET name = 'Renamed early' WHERE id = 'ev_a1'");
      await database.events("ev_b", 1, 1, "vn_a"); // commits first
      running.push(startIndexer(database, index));
      await eventually(async () => expect((await indexedNames(database, "ev_b")).size).to.equal(1));
      await early.query("COMMIT");
    } finally {
      await early.end();
    }
    await eventually(async () =>
      expect((await indexedNames(database, "ev_a")).get("ev_a1")).to.match(/^Renamed early/),
    );
    // With ids as the order, the indexer would have moved past the early transaction's smaller id
    // when it indexed ev_b1, and never seen the rename. Positions are drawn at commit instead.
    await eventually(async () =>
      expect(await readPosition(database.db)).to.equal(await lastPosition(database)),
    );
  });

  it("replays a pass that crashed after the index write without harm, and never lets an older version win", async () => {
    await database.venue("vn_c", "Crash Hall");
    await database.events("ev_c", 1, 30, "vn_c");
    let writes = 0;
    let crashes = 0;
    const crashing: SearchIndex = Object.create(index);
    crashing.write = async (batch: IndexWrite) => {
      await index.write(batch);
      writes += 1;
      // The index has the documents, the position is not saved yet: the worst moment to die.
      if (writes % 2 === 1) {
        crashes += 1;
        throw new Error("simulated crash after the index write");
      }
    };
    running.push(startIndexer(database, crashing, { outboxBatchMax: 10, documentBatchMax: 10 }));
    await eventually(async () =>
      expect(await readPosition(database.db)).to.equal(await lastPosition(database)),
    );
    expect(crashes).to.be.greaterThan(0);
    expect(await indexedNames(database, "ev_c")).to.deep.equal(await sourceNames(database, "ev_c"));

    // A stale write (an older version) changes nothing, neither as an upsert nor as a removal.
    const { rows } = await database.db.query(
      "SELECT version, result->>'name' AS name FROM search_documents WHERE event_id = 'ev_c1'",
    );
    const stale = toSearchDocument(
      {
        id: "ev_c1",
        name: "Stale name",
        description: "",
        type: "concert",
        startsAt: new Date(),
        status: "active",
        venueId: "vn_c",
        venueName: "Crash Hall",
        city: "Lisbon",
        country: "Portugal",
        lat: null,
        lng: null,
        performerNames: [],
        currency: "EUR",
        timeZone: "Europe/Lisbon",
        priceFromCents: 100,
      },
      rows[0].version - 1,
    )!;
    await index.write({ upserts: [stale], removals: ["ev_c2"], version: rows[0].version - 1 });
    expect((await indexedNames(database, "ev_c")).get("ev_c1")).to.equal(`${rows[0].name} @ Crash Hall`);
    expect((await indexedNames(database, "ev_c")).has("ev_c2")).to.equal(true);
  });

  it("killed (SIGKILL) mid-stream and restarted, loses no change", async () => {
    await database.venue("vn_k", "Kill Hall");
    for (let batch = 0; batch < 20; batch++)
      await database.events("ev_k", batch * 100 + 1, batch * 100 + 100, "vn_k");
    const final = await lastPosition(database);
    const child: ChildProcess = spawn(
      process.execPath,
      ["--import", "tsx", "test/support/indexer-process.ts", database.url, "20", "5"],
      { cwd: repositoryRoot, stdio: ["ignore", "ignore", "inherit"] },
    );
    let killedAt = 0;
    try {
      killedAt = await eventually(
        async () => {
          const position = await readPosition(database.db);
          expect(position).to.be.greaterThan(0);
          return position;
        },
        30_000,
        5,
      );
      child.kill("SIGKILL");
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once("exit", resolve)));
    const positionAfterKill = await readPosition(database.db);
    expect(killedAt).to.be.lessThan(final);
    expect(positionAfterKill).to.be.lessThan(final); // it really died mid-stream
    // While no indexer runs: more changes, including a venue rename and a deletion.
    await database.db.query("UPDATE venues SET name = 'Kill Arena' WHERE id = 'vn_k'");
    await database.db.query("UPDATE events SET status = 'deleted' WHERE id IN ('ev_k1', 'ev_k2000')");
    await database.events("ev_k", 2001, 2010, "vn_k");

    running.push(startIndexer(database, index, { outboxBatchMax: 200 }));
    await eventually(
      async () => expect(await readPosition(database.db)).to.equal(await lastPosition(database)),
      30_000,
    );
    const indexed = await indexedNames(database, "ev_k");
    expect(indexed.size).to.equal(2008);
    expect(indexed).to.deep.equal(await sourceNames(database, "ev_k"));
    expect([...indexed.values()].every((name) => name.endsWith("@ Kill Arena"))).to.equal(true);
  });

  it("keeps one indexer active at a time; a standby takes over when the active one stops", async () => {
    await database.venue("vn_l", "Leader Hall");
    const first = startIndexer(database, index);
    const second = startIndexer(database, index);
    running.push(first, second);
    await eventually(async () => expect(first.status().leader || second.status().leader).to.equal(true));
    await new Promise((resolve) => setTimeout(resolve, 200)); // several retry rounds of the standby
    expect(first.status().leader && second.status().leader).to.equal(false);
    const [leader, standby] = first.status().leader ? [first, second] : [second, first];
    await leader.stop();
    running.splice(running.indexOf(leader), 1);
    await eventually(async () => expect(standby.status().leader).to.equal(true));
    await database.events("ev_l", 1, 3, "vn_l");
    await eventually(async () => expect((await indexedNames(database, "ev_l")).size).to.equal(3));
  });

  it("rebuilds the index from scratch while the indexer runs, which then carries on", async () => {
    await database.venue("vn_r", "Rebuild Hall");
    await database.events("ev_r", 1, 50, "vn_r", (i) =>
      i === 1 ? 'Odd "name", with\nnewline \\ and, commas' : `Show ${i}`,
    );
    const indexer = startIndexer(database, index);
    running.push(indexer);
    await eventually(async () => expect((await indexedNames(database, "ev_r")).size).to.equal(50));
    // Damage the index behind the indexer's back.
    await database.db.query("DELETE FROM search_documents WHERE event_id IN ('ev_r2', 'ev_r3')");
    await database.db.query(
      `UPDATE search_documents SET result = json_build_object('name', 'Wrong', 'venue', json_build_object('name', 'X'))
       WHERE event_id = 'ev_r4'`,
    );
    await database.db.query("TRUNCATE search_terms");

    const result = await rebuildIndex({ databaseUrl: database.url, index, batchSize: 7 });
    expect(result.documents).to.equal(50);
    expect(await indexedNames(database, "ev_r")).to.deep.equal(await sourceNames(database, "ev_r"));
    expect(await readPosition(database.db)).to.equal(result.position);
    // The word list is rebuilt too: typo tolerance works again.
    const page = await index.search(parseSearchParams({ term: "rebuld hal" }, Date.now()));
    expect(page.total).to.equal(50);
    // The swapped-in table has the migration's indexes.
    const { rows } = await database.db.query(
      "SELECT indexname FROM pg_indexes WHERE tablename = 'search_documents' ORDER BY indexname",
    );
    expect(rows.map((row) => row.indexname)).to.deep.equal([
      "search_documents_pkey",
      "search_documents_search_vector",
      "search_documents_starts_at",
      "search_documents_type_starts_at",
      "search_documents_venue_starts_at",
    ]);
    // Written in starts_at order.
    const order = await database.db.query("SELECT starts_at FROM search_documents ORDER BY ctid");
    const times = order.rows.map((row) => new Date(row.starts_at).getTime());
    expect(times).to.deep.equal([...times].sort((a, b) => a - b));
    // The indexer continues from the rebuilt position.
    await database.events("ev_r", 51, 52, "vn_r");
    await eventually(async () => expect((await indexedNames(database, "ev_r")).size).to.equal(52));
  });

  it("`npm run reindex` rebuilds the index of DATABASE_URL", async () => {
    await database.venue("vn_n", "Npm Hall");
    await database.events("ev_n", 1, 5, "vn_n");
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn("npm", ["run", "--silent", "reindex"], {
        cwd: repositoryRoot,
        env: { ...process.env, DATABASE_URL: database.url, SEARCH_BACKEND: "postgres" },
      });
      let text = "";
      child.stdout.on("data", (chunk) => (text += chunk));
      child.stderr.on("data", (chunk) => (text += chunk));
      child.on("exit", (code) =>
        code === 0 ? resolve(text) : reject(new Error(`reindex exited ${code}: ${text}`)),
      );
    });
    expect(output).to.match(/reindex \(postgres\): 5 documents at position \d+/);
    expect((await indexedNames(database, "ev_n")).size).to.equal(5);
  });
});
