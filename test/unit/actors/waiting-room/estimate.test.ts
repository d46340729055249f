import { expect } from "chai";
import {
  admissionBurst,
  effectiveAdmissionRate,
  estimateWaitSeconds,
} from "../../../../actors/waiting-room/estimate.ts";

describe("waiting room estimates", () => {
  const settings = { admitPerMinute: 600, maxActiveShoppers: 100, tokenTtlSeconds: 100 };

  it("uses the measured rate, bounded by the configured rate and the guaranteed turnover", () => {
    expect(effectiveAdmissionRate(5, settings)).to.equal(5);
    expect(effectiveAdmissionRate(50, settings)).to.equal(10); // never faster than admitPerMinute
    expect(effectiveAdmissionRate(0, settings)).to.equal(1); // 100 shoppers leave within 100 s at worst
    expect(effectiveAdmissionRate(Number.NaN, settings)).to.equal(1);
    expect(effectiveAdmissionRate(0, { ...settings, admitPerMinute: 30 })).to.equal(0.5);
  });

  it("estimates the wait from the position", () => {
    expect(estimateWaitSeconds(1, 5, settings)).to.equal(1);
    expect(estimateWaitSeconds(50, 5, settings)).to.equal(10);
    expect(estimateWaitSeconds(51, 5, settings)).to.equal(11);
    expect(() => estimateWaitSeconds(0, 5, settings)).to.throw();
  });

  it("lets at most one second's worth of admissions through at once", () => {
    expect(admissionBurst({ admitPerMinute: 6000 })).to.equal(100);
    expect(admissionBurst({ admitPerMinute: 61 })).to.equal(2);
    expect(admissionBurst({ admitPerMinute: 1 })).to.equal(1);
  });
});
