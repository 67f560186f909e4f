/**
 * A push-to-pull bridge: producers push items, one consumer pulls them with `for await`.
 * Reports when the buffer grows past a high-water mark and drains below a low-water mark,
 * so the producer can apply back-pressure; tells the producer when the consumer stops early.
 * @internal
 * @module
 */

export interface AsyncQueueHooks {
  /** buffered items reached highWater: stop producing. */
  onHigh?: () => void;
  /** buffered items fell to lowWater after onHigh: produce again. */
  onLow?: () => void;
  /** the consumer stopped (break / return / throw) before the end. */
  onCancel?: () => void;
  highWater?: number;
  lowWater?: number;
}

export class AsyncQueue<T> implements AsyncIterableIterator<T> {
  private items: T[] = [];
  private head = 0;
  private ended = false;
  private error: unknown = undefined;
  private waiter: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined;
  private high = false;
  private cancelled = false;
  private readonly highWater: number;
  private readonly lowWater: number;

  constructor(private readonly hooks: AsyncQueueHooks = {}) {
    this.highWater = hooks.highWater ?? Infinity;
    this.lowWater = hooks.lowWater ?? 0;
  }

  /** True once the consumer has stopped early. */
  get isCancelled(): boolean {
    return this.cancelled;
  }

  push(item: T): void {
    if (this.ended || this.cancelled) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve({ value: item, done: false });
      return;
    }
    this.items.push(item);
    if (!this.high && this.items.length - this.head >= this.highWater) {
      this.high = true;
      this.hooks.onHigh?.();
    }
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.waiter && this.head === this.items.length) {
      const w = this.waiter;
      this.waiter = undefined;
      if (this.error !== undefined) w.reject(this.error);
      else w.resolve({ value: undefined, done: true });
    }
  }

  fail(err: unknown): void {
    if (this.ended) return;
    this.error = err;
    this.end();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.head < this.items.length) {
      const value = this.items[this.head++]!;
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
      if (this.high && this.items.length - this.head <= this.lowWater) {
        this.high = false;
        this.hooks.onLow?.();
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.ended) {
      if (this.error !== undefined) {
        const e = this.error;
        this.error = undefined;
        return Promise.reject(e);
      }
      return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /**
   * Resolves with every item buffered so far (at least one; items pushed in the same tick
   * are collected together), or with undefined at the end. For consumers that handle items
   * in bulk: one promise per batch instead of one per item. Do not mix with next().
   */
  nextBatch(): Promise<T[] | undefined> {
    if (this.head < this.items.length) return Promise.resolve(this.takeAll());
    if (this.ended) {
      if (this.error !== undefined) {
        const e = this.error;
        this.error = undefined;
        return Promise.reject(e);
      }
      return Promise.resolve(undefined);
    }
    return new Promise<T[] | undefined>((resolve, reject) => {
      // push() hands the first item to this waiter; wait one microtask for the rest of the tick
      this.waiter = {
        resolve: (r) => {
          if (r.done) resolve(undefined);
          else {
            this.items.push(r.value);
            queueMicrotask(() => resolve(this.takeAll()));
          }
        },
        reject,
      };
    });
  }

  private takeAll(): T[] {
    const out = this.head === 0 ? this.items : this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    if (this.high) {
      this.high = false;
      this.hooks.onLow?.();
    }
    return out;
  }

  return(): Promise<IteratorResult<T>> {
    this.stop();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(e?: unknown): Promise<IteratorResult<T>> {
    this.stop();
    return Promise.reject(e);
  }

  private stop(): void {
    if (!this.ended && !this.cancelled) {
      this.cancelled = true;
      this.items = [];
      this.head = 0;
      if (this.high) {
        this.high = false;
        this.hooks.onLow?.();
      }
      this.hooks.onCancel?.();
    }
    this.ended = true;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
