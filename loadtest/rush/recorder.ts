// Records a run as per-second buckets: requests by operation and status, latency samples, and the
// gauges of the sale (sold, waiting, admitted). Bounded: samples per bucket are capped (reservoir).

export type Operation = "join" | "poll" | "seatMap" | "reserve" | "confirm" | "release";
const operations: Operation[] = ["join", "poll", "seatMap", "reserve", "confirm", "release"];
const samplesPerBucketMax = 2_000;
const bucketsMax = 3_600; // an hour of seconds

interface Bucket {
  second: number;
  count: Record<Operation, number>;
  samples: Record<Operation, number[]>;
  statuses: Record<string, number>;
  sold: number;
  waiting: number;
  admitted: number;
  shopping: number;
}

export interface SecondSummary {
  second: number;
  requestsPerSec: number;
  byOperation: Record<Operation, number>;
  reserveP50Ms: number | null;
  reserveP99Ms: number | null;
  confirmP50Ms: number | null;
  confirmP99Ms: number | null;
  sold: number;
  waiting: number;
  admitted: number;
  shopping: number;
  statuses: Record<string, number>;
}

export function percentile(sorted: number[], fraction: number): number | null {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return Math.round(sorted[index] * 100) / 100;
}

const emptyByOperation = <T>(make: () => T): Record<Operation, T> =>
  Object.fromEntries(operations.map((operation) => [operation, make()])) as Record<Operation, T>;

export class RunRecorder {
  private readonly startedAt = performance.now();
  private readonly buckets: Bucket[] = [];
  private readonly all = emptyByOperation<number[]>(() => []);
  private readonly allCount = emptyByOperation(() => 0);
  readonly statuses: Record<string, number> = {};
  gauges = { sold: 0, waiting: 0, admitted: 0, shopping: 0 };

  private bucket(): Bucket {
    const second = Math.floor((performance.now() - this.startedAt) / 1_000);
    let last = this.buckets[this.buckets.length - 1];
    while (!last || last.second < second) {
      if (this.buckets.length >= bucketsMax) return last!;
      last = {
        second: last ? last.second + 1 : 0,
        count: emptyByOperation(() => 0),
        samples: emptyByOperation<number[]>(() => []),
        statuses: {},
        ...this.gauges,
      };
      this.buckets.push(last);
    }
    return last;
  }

  record(operation: Operation, status: number, latencyMs: number): void {
    const bucket = this.bucket();
    bucket.count[operation] += 1;
    this.allCount[operation] += 1;
    const key = `${operation} ${status}`;
    bucket.statuses[key] = (bucket.statuses[key] ?? 0) + 1;
    this.statuses[key] = (this.statuses[key] ?? 0) + 1;
    const samples = bucket.samples[operation];
    if (samples.length < samplesPerBucketMax) samples.push(latencyMs);
    else samples[Math.floor(Math.random() * samplesPerBucketMax)] = latencyMs;
    const all = this.all[operation];
    // Overall reservoir: keep at most 200,000 per operation.
    if (all.length < 200_000) all.push(latencyMs);
    else {
      const slot = Math.floor(Math.random() * this.allCount[operation]);
      if (slot < all.length) all[slot] = latencyMs;
    }
  }

  /** Gauges are sampled into the current second. */
  setGauges(gauges: Partial<RunRecorder["gauges"]>): void {
    Object.assign(this.gauges, gauges);
    Object.assign(this.bucket(), this.gauges);
  }

  elapsedSeconds(): number {
    return (performance.now() - this.startedAt) / 1_000;
  }

  latency(operation: Operation): {
    count: number;
    p50Ms: number | null;
    p95Ms: number | null;
    p99Ms: number | null;
  } {
    const sorted = [...this.all[operation]].sort((a, b) => a - b);
    return {
      count: this.allCount[operation],
      p50Ms: percentile(sorted, 0.5),
      p95Ms: percentile(sorted, 0.95),
      p99Ms: percentile(sorted, 0.99),
    };
  }

  /** p99 of an operation over the last few seconds, for the live progress line. */
  recentP99(operation: Operation, seconds = 5): number | null {
    const recent = this.buckets.slice(-seconds).flatMap((bucket) => bucket.samples[operation]);
    return percentile(
      recent.sort((a, b) => a - b),
      0.99,
    );
  }

  timeline(): SecondSummary[] {
    return this.buckets.map((bucket) => {
      const reserve = [...bucket.samples.reserve].sort((a, b) => a - b);
      const confirm = [...bucket.samples.confirm].sort((a, b) => a - b);
      return {
        second: bucket.second,
        requestsPerSec: operations.reduce((sum, operation) => sum + bucket.count[operation], 0),
        byOperation: bucket.count,
        reserveP50Ms: percentile(reserve, 0.5),
        reserveP99Ms: percentile(reserve, 0.99),
        confirmP50Ms: percentile(confirm, 0.5),
        confirmP99Ms: percentile(confirm, 0.99),
        sold: bucket.sold,
        waiting: bucket.waiting,
        admitted: bucket.admitted,
        shopping: bucket.shopping,
        statuses: bucket.statuses,
      };
    });
  }
}
