// Coalesces requests that arrive in the same turn of the event loop, per key, into one call (like a
// group commit): under a rush, thousands of joins for one event become a few Redis round trips; when
// calm, a batch holds one request and costs one extra setImmediate.

interface Batch<Input, Output> {
  items: Input[];
  waiters: { resolve(value: Output): void; reject(error: unknown): void }[];
}

export class KeyedBatcher<Input, Output> {
  private pending = new Map<string, Batch<Input, Output>>();
  private scheduled = false;

  /** `run` answers one output per input, in order. */
  constructor(
    private readonly run: (key: string, items: Input[]) => Promise<Output[]>,
    private readonly batchMax: number,
  ) {
    if (!(batchMax >= 1)) throw new Error("batchMax must be at least 1");
  }

  submit(key: string, item: Input): Promise<Output> {
    return new Promise<Output>((resolve, reject) => {
      let batch = this.pending.get(key);
      if (!batch) {
        batch = { items: [], waiters: [] };
        this.pending.set(key, batch);
      }
      batch.items.push(item);
      batch.waiters.push({ resolve, reject });
      if (batch.items.length >= this.batchMax) {
        this.pending.delete(key);
        this.execute(key, batch);
      } else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batches = this.pending;
    this.pending = new Map();
    for (const [key, batch] of batches) this.execute(key, batch);
  }

  private execute(key: string, batch: Batch<Input, Output>): void {
    this.run(key, batch.items).then(
      (outputs) => {
        if (outputs.length !== batch.items.length) {
          const error = new Error(`batch of ${batch.items.length} answered ${outputs.length}`);
          for (const waiter of batch.waiters) waiter.reject(error);
          return;
        }
        batch.waiters.forEach((waiter, index) => waiter.resolve(outputs[index]));
      },
      (error) => {
        for (const waiter of batch.waiters) waiter.reject(error);
      },
    );
  }
}
