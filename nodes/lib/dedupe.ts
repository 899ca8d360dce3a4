// Remembers keys for a time window so a repeated delivery of the same event is dropped.
// Bounded: the oldest keys go first when it is full.
export class RecentKeys {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    private readonly maxKeys = 10_000,
  ) {}

  /** true the first time a key is seen within the window */
  firstTime(key: string, now = Date.now()): boolean {
    if (this.windowMs <= 0) return true;
    const at = this.seen.get(key);
    if (at !== undefined && now - at < this.windowMs) return false;
    this.seen.delete(key);
    this.seen.set(key, now);
    for (const [k, t] of this.seen) {
      if (this.seen.size <= this.maxKeys && now - t < this.windowMs) break;
      this.seen.delete(k);
    }
    return true;
  }

  /** true when the key was seen within the window (without noting it) */
  has(key: string, now = Date.now()): boolean {
    const at = this.seen.get(key);
    return at !== undefined && now - at < this.windowMs;
  }

  /** the keys with the time each was first seen, oldest first */
  entries(): IterableIterator<[string, number]> {
    return this.seen.entries();
  }

  forget(key: string): void {
    this.seen.delete(key);
  }

  get size(): number {
    return this.seen.size;
  }
}
