// A binary min-heap of hold expiries. Entries are removed lazily: an entry whose hold has ended,
// changed state or changed expiry is skipped when it reaches the top (the caller decides validity).

export interface ExpiryEntry<T> {
  at: number;
  item: T;
}

export class ExpiryHeap<T> {
  private entries: ExpiryEntry<T>[] = [];

  get size(): number {
    return this.entries.length;
  }

  push(at: number, item: T): void {
    const entries = this.entries;
    entries.push({ at, item });
    let index = entries.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (entries[parent].at <= entries[index].at) break;
      [entries[parent], entries[index]] = [entries[index], entries[parent]];
      index = parent;
    }
  }

  peek(): ExpiryEntry<T> | undefined {
    return this.entries[0];
  }

  pop(): ExpiryEntry<T> | undefined {
    const entries = this.entries;
    if (entries.length === 0) return undefined;
    const top = entries[0];
    const last = entries.pop()!;
    if (entries.length > 0) {
      entries[0] = last;
      let index = 0;
      for (;;) {
        const left = index * 2 + 1;
        const right = left + 1;
        let smallest = index;
        if (left < entries.length && entries[left].at < entries[smallest].at) smallest = left;
        if (right < entries.length && entries[right].at < entries[smallest].at) smallest = right;
        if (smallest === index) break;
        [entries[smallest], entries[index]] = [entries[index], entries[smallest]];
        index = smallest;
      }
    }
    return top;
  }
}
