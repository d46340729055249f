// Moleculer finds the value of a metric's label set by a key string it builds on every use
// (BaseMetric.hashingLabels: an array and a join per increment, timer and gauge set): 4-6 times per
// action call for moleculer_request_* and the bulkhead gauges, ~14 KB of garbage and a few µs of a
// waiting-room join (issue 14). This remembers each label set's key in a tree of Maps keyed by the
// label values (a few lookups, no allocation once seen) and answers exactly the string moleculer
// would build: the first time a set of values is seen, moleculer's own function builds it. Values
// that give the same key part share a branch (numbers, strings and booleans by value; everything
// else, which moleculer writes as "", as one). At most `metricLabelKeysCachedMax` keys per metric are
// remembered; past it moleculer builds the rest as before.
import Moleculer from "moleculer";
import { metricLabelKeysCachedMax } from "../domain/limits.ts";

type Labels = Record<string, unknown> | null | undefined;
type HashingLabels = (this: MetricLike, labels: Labels) => string;

interface MetricLike {
  labelNames: string[];
  [keysCache]?: KeyTree;
}

interface KeyTree {
  root: Map<unknown, unknown>;
  size: number;
}

const keysCache = Symbol("marquee.metricLabelKeys");
const installed = Symbol.for("marquee.metricLabelKeys.installed");

/** The branch of a label value: moleculer writes every value that is not one of these as "". */
function branchOf(value: unknown): unknown {
  const type = typeof value;
  return type === "number" || type === "string" || type === "boolean" ? value : undefined;
}

/** `original` with each label set's key remembered (at most `keysMax` per metric). */
export function rememberingLabelKeys(original: HashingLabels, keysMax: number): HashingLabels {
  return function hashingLabels(this: MetricLike, labels: Labels): string {
    const names = this.labelNames;
    if (names.length === 0 || labels == null || typeof labels !== "object")
      return original.call(this, labels);
    const tree = (this[keysCache] ??= { root: new Map(), size: 0 });
    let node = tree.root;
    const last = names.length - 1;
    for (let index = 0; index < last; index++) {
      const branch = branchOf(labels[names[index]]);
      let next = node.get(branch) as Map<unknown, unknown> | undefined;
      if (next === undefined) {
        if (tree.size >= keysMax) return original.call(this, labels);
        next = new Map();
        node.set(branch, next);
      }
      node = next;
    }
    const leaf = branchOf(labels[names[last]]);
    const known = node.get(leaf) as string | undefined;
    if (known !== undefined) return known;
    const key = original.call(this, labels);
    if (tree.size < keysMax) {
      node.set(leaf, key);
      tree.size += 1;
    }
    return key;
  };
}

/** Installs the remembering keys on moleculer's metric types, once per process. */
export function installMetricLabelKeys(keysMax = metricLabelKeysCachedMax): void {
  const base = (
    Moleculer as unknown as { MetricTypes: { Base: { prototype: Record<PropertyKey, unknown> } } }
  ).MetricTypes.Base.prototype;
  if (base[installed]) return;
  base.hashingLabels = rememberingLabelKeys(base.hashingLabels as HashingLabels, keysMax);
  base[installed] = true;
}
