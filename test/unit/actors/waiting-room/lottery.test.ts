import { expect } from "chai";
import { lotteryScore } from "../../../../actors/waiting-room/lottery.ts";

describe("lottery scores", () => {
  it("are distinct, in [0, 1), and spread evenly (across pool refills)", () => {
    const draws = Array.from({ length: 20_000 }, () => Number(lotteryScore()));
    expect(draws.every((value) => value >= 0 && value < 1)).to.equal(true);
    expect(new Set(draws).size).to.equal(draws.length);
    const buckets = new Array(10).fill(0);
    for (const value of draws) buckets[Math.floor(value * 10)]++;
    for (const count of buckets) expect(count).to.be.within(1_700, 2_300); // ~2,000 each (> 10 sigma)
  });
});
