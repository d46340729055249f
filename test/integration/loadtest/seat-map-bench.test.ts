// The seat-map benchmark's measurements (loadtest/seat-map/) at a toy size against a test system:
// every phase runs, answers are counted without errors, compressed answers decode to the same JSON
// (answer-bytes.ts checks it) and the renders come from /metrics. The benchmark itself runs only by
// hand (`npm run bench:seatmap`).
import { expect } from "chai";
import { startSystem, dropDatabase, type TestSystem } from "../../support/system.ts";
import { createAgent } from "../../../loadtest/seat-map/http-load.ts";
import { measureSize } from "../../../loadtest/seat-map/measure.ts";

describe("seat-map benchmark measurements (toy size)", () => {
  let system: TestSystem;
  before(async () => {
    system = await startSystem({ env: { SEAT_MAP_COALESCE_MS: "100" } });
  });
  after(async () => {
    await system.stop();
    await dropDatabase(system.databaseUrl);
  });

  it("measures bytes, reads, renders and reserve+release pairs of one size", async () => {
    const logged: string[] = [];
    const bookers = await Promise.all(["b0", "b1"].map(async (id) => `Bearer ${await system.token(id)}`));
    const result = await measureSize(
      {
        agent: createAgent(12),
        baseUrl: system.baseUrl,
        adminAuthorization: `Bearer ${await system.token("bench-admin", "admin")}`,
        bookers,
        readers: 6,
        phaseMs: 400,
        pollIntervalMs: 50,
        log: (message) => logged.push(message),
      },
      2_000,
    );
    expect(result.seats).to.equal(2_000);
    expect(result.bytes.compact.identity).to.be.greaterThan(2_000);
    expect(result.bytes.compact.gzip).to.be.lessThan(result.bytes.compact.identity);
    expect(result.bytes.full.br).to.be.lessThan(result.bytes.full.identity);
    for (const phase of [result.compact, result.fullGzip]) {
      expect(phase.requests).to.be.greaterThan(0);
      expect(phase.errors).to.equal(0);
      expect(phase.writerPairs).to.be.greaterThan(0);
      expect(phase.rendersPerSecond).to.be.greaterThan(0);
    }
    // gzip on the wire: far fewer bytes per answer than the plain list.
    expect(result.fullGzip.bytesPerAnswer).to.be.lessThan(result.bytes.full.identity / 4);
    expect(result.pairsAlone.pairs).to.be.greaterThan(0);
    expect(result.pairsAlone.errors).to.equal(0);
    expect(result.pairsWithPolledReaders.readers!.requests).to.be.greaterThan(0);
    expect(result.pairsWithFlatOutReaders.readers!.errors).to.equal(0);
    expect(result.pairsWithPolledReaders.ratioToAlone).to.be.greaterThan(0);
    expect(logged.length).to.equal(7);
  });
});
