// Remembered label-set keys: exactly the key Moleculer builds, for any mix of label values (the values
// whose key parts collide included), bounded per metric, and a broker's request metrics count as before.
import { expect } from "chai";
import Moleculer from "moleculer";
import { installMetricLabelKeys, rememberingLabelKeys } from "../../../platform/metric-label-keys.ts";

const BaseMetric = (Moleculer as any).MetricTypes.Base;

/** Moleculer's own key builder, whatever is installed on the prototype. */
function moleculerKey(this: { labelNames: string[] }, labels: any): string {
  if (this.labelNames.length == 0 || labels == null || typeof labels !== "object") return "";
  const parts: unknown[] = [];
  for (const name of this.labelNames) {
    const value = labels[name];
    if (typeof value == "number") parts.push(value);
    else if (typeof value === "string") parts.push('"' + value + '"');
    else if (typeof value === "boolean") parts.push("" + value);
    else parts.push("");
  }
  return parts.join("|");
}

const values: unknown[] = [
  "a",
  "",
  '"',
  "|",
  "1",
  1,
  0,
  -0,
  Number.NaN,
  true,
  "true",
  false,
  null,
  undefined,
  {},
  [],
  10n,
];

describe("remembered metric label keys", () => {
  it("answers Moleculer's key for every label set, seen or not, in any order and with other labels", () => {
    const metric = { labelNames: ["service", "action", "type", "caller"] };
    const remembering = rememberingLabelKeys(moleculerKey, 1_000_000);
    let seed = 7;
    const pick = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return values[seed % values.length];
    };
    for (let round = 0; round < 5_000; round++) {
      const labels: Record<string, unknown> = { extra: pick() };
      for (const name of [...metric.labelNames].reverse())
        if (round % 7 !== 3 || name !== "type") labels[name] = pick();
      expect(remembering.call(metric, labels), String(round)).to.equal(moleculerKey.call(metric, labels));
    }
    expect(remembering.call(metric, null)).to.equal("");
    expect(remembering.call({ labelNames: [] }, { a: 1 })).to.equal("");
  });

  it("keeps each metric's keys apart and remembers at most keysMax per metric", () => {
    let built = 0;
    const counting = function (this: { labelNames: string[] }, labels: any) {
      built += 1;
      return moleculerKey.call(this, labels);
    };
    const remembering = rememberingLabelKeys(counting, 2);
    const one = { labelNames: ["action"] };
    const other = { labelNames: ["action", "caller"] };
    for (let round = 0; round < 3; round++) {
      expect(remembering.call(one, { action: "x" })).to.equal('"x"');
      expect(remembering.call(other, { action: "x", caller: 1 })).to.equal('"x"|1');
    }
    expect(built).to.equal(2); // built once each, then remembered
    remembering.call(one, { action: "y" });
    built = 0;
    for (let round = 0; round < 3; round++) expect(remembering.call(one, { action: "z" })).to.equal('"z"');
    expect(built).to.equal(3); // the third key of `one`: built every time, never remembered
    expect(remembering.call(one, { action: "y" })).to.equal('"y"');
    expect(built).to.equal(3);
  });

  it("installs once, and a broker's request metrics count per action as before", async () => {
    installMetricLabelKeys();
    const installed = BaseMetric.prototype.hashingLabels;
    installMetricLabelKeys();
    expect(BaseMetric.prototype.hashingLabels).to.equal(installed);
    const broker = new Moleculer.ServiceBroker({ logger: false, metrics: { enabled: true } });
    broker.createService({
      name: "probe",
      actions: { hello: () => "hi", fail: () => Promise.reject(new Error("no")) },
    });
    await broker.start();
    try {
      for (let call = 0; call < 3; call++) await broker.call("probe.hello");
      await broker.call("probe.fail").catch(() => null);
      const total = broker.metrics.getMetric("moleculer.request.total")!;
      const labels = { service: "probe", action: "probe.hello", type: "local", caller: null };
      expect(total.get(labels)?.value).to.equal(3);
      expect(total.get({ ...labels, action: "probe.fail" })?.value).to.equal(1);
      const errors = broker.metrics.getMetric("moleculer.request.error.total")!;
      expect(errors.snapshot().map((item: any) => [item.labels.action, item.value])).to.deep.equal([
        ["probe.fail", 1],
      ]);
    } finally {
      await broker.stop();
    }
  });
});
