// Coalesces requests per key into one call (like a group commit): under a rush, thousands of joins
// for one event become a few Redis round trips; when calm, a batch holds one request and costs one
// extra setImmediate. One call per key is in flight at a time: what arrives meanwhile waits and forms
// the next batches, so calls run in the order their requests arrived. (Sent side by side, a later call
// could run first: a script the server had to be sent again, NOSCRIPT after a failover or on a new
// node, is retried after the calls behind it, and joins would take places out of arrival order.)
import { eventOverloaded } from "../../domain/errors.ts";

interface Batch<Input, Output> {
  items: Input[];
  waiters: { resolve(value: Output): void; reject(error: unknown): void }[];
}

/** One key's batches: the first runs (or is about to), the others wait their turn. */
interface Queue<Input, Output> {
  batches: Batch<Input, Output>[];
  queued: number;
  running: boolean;
}

export class KeyedBatcher<Input, Output> {
  private readonly queues = new Map<string, Queue<Input, Output>>();
  private scheduled = false;

  /**
   * `run` answers one output per input, in order. At most `batchMax` inputs a call, and at most
   * `queuedMax` inputs waiting per key: beyond it a request is refused OVERLOADED at once.
   */
  constructor(
    private readonly run: (key: string, items: Input[]) => Promise<Output[]>,
    private readonly batchMax: number,
    private readonly queuedMax: number,
  ) {
    if (!(batchMax >= 1)) throw new Error("batchMax must be at least 1");
    if (!(queuedMax >= batchMax)) throw new Error("queuedMax must be at least batchMax");
  }

  submit(key: string, item: Input): Promise<Output> {
    let queue = this.queues.get(key);
    if (!queue) {
      queue = { batches: [], queued: 0, running: false };
      this.queues.set(key, queue);
    }
    if (queue.queued >= this.queuedMax) return Promise.reject(eventOverloaded());
    return new Promise<Output>((resolve, reject) => {
      let last = queue.batches.at(-1);
      if (!last || last.items.length >= this.batchMax) {
        last = { items: [], waiters: [] };
        queue.batches.push(last);
      }
      last.items.push(item);
      last.waiters.push({ resolve, reject });
      queue.queued++;
      if (queue.running) return;
      // A full batch goes at once; a partial one waits for the rest of this turn of the event loop.
      if (queue.batches[0].items.length >= this.batchMax) this.next(key, queue);
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    for (const [key, queue] of this.queues) if (!queue.running) this.next(key, queue);
  }

  /** Runs the key's first batch; when it is answered, the next, until none is left. */
  private next(key: string, queue: Queue<Input, Output>): void {
    const batch = queue.batches.shift();
    if (!batch) {
      this.queues.delete(key);
      return;
    }
    queue.running = true;
    queue.queued -= batch.items.length;
    const settle = (answer: (waiter: Batch<Input, Output>["waiters"][number], index: number) => void) => {
      batch.waiters.forEach(answer);
      queue.running = false;
      this.next(key, queue);
    };
    this.run(key, batch.items).then(
      (outputs) => {
        if (outputs.length !== batch.items.length) {
          const error = new Error(`batch of ${batch.items.length} answered ${outputs.length}`);
          return settle((waiter) => waiter.reject(error));
        }
        settle((waiter, index) => waiter.resolve(outputs[index]));
      },
      (error) => settle((waiter) => waiter.reject(error)),
    );
  }
}
