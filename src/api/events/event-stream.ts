/**
 * EventStream: what {@link Watcher} and {@link NamespaceWatcher} share — events delivered
 * both to an async iterator and to EventEmitter listeners, with one failure and one close.
 * @module
 */
import { EventEmitter } from 'node:events';

interface Waiter<E> {
  resolve: (r: IteratorResult<E>) => void;
  reject: (e: unknown) => void;
}

/**
 * Events delivered to an async iterator and to EventEmitter listeners at once.
 *
 * - Events are buffered for the iterator from the moment the stream is made, unless it is
 *   used as an EventEmitter only: attaching a listener for the stream's events (`event`,
 *   or a kind) before iterating stops that buffering.
 * - A failure is thrown by the iterator after the events received before it, and emitted
 *   as `error` (thrown, as Node does, when there is no `error` listener and nobody iterates).
 * - `break` / `return()` / `close()` end the iteration and release the resources.
  * @category Events
 */
export abstract class EventStream<E, M extends Record<keyof M, unknown[]>> extends EventEmitter<M> implements AsyncIterableIterator<E> {
  private closed = false;
  private failedWith: unknown = undefined;
  /** the failure still to be thrown by the iterator (once). */
  private pendingFailure: unknown = undefined;
  private items: E[] = [];
  private head = 0;
  private readonly waiters: Waiter<E>[] = [];
  private buffering = true;
  private iterating = false;

  /** @internal */
  protected constructor(
    private readonly objectEventNames: ReadonlySet<string | symbol>,
    private readonly highWater = Infinity,
    private readonly lowWater = 0,
  ) {
    super();
    // `newListener` is EventEmitter's own event, not one of the stream's (M)
    EventEmitter.prototype.on.call(this, 'newListener', (name: string | symbol) => {
      if (!this.iterating && this.buffering && this.objectEventNames.has(name)) {
        this.buffering = false;
        this.items = [];
        this.head = 0;
        this.onDrained();
      }
    });
  }

  /** True once closed (by close(), a failure, the end of iteration, or its owner closing). */
  get isClosed(): boolean {
    return this.closed;
  }

  /** The error the stream failed with, if it did. */
  get error(): unknown {
    return this.failedWith;
  }

  /** Events waiting for the iterator. */
  protected get bufferedCount(): number {
    return this.items.length - this.head;
  }

  /** Closes the stream and ends the iteration (buffered events are discarded). */
  close(): void {
    this.shutdown(true);
  }

  /** Starts iterating (events buffered since the stream was made come first). */
  [Symbol.asyncIterator](): this {
    this.iterating = true;
    this.buffering = true;
    return this;
  }

  /** The next event; `done` once closed. Throws the failure after the events received before it. */
  next(): Promise<IteratorResult<E>> {
    this.iterating = true;
    this.buffering = true;
    if (this.head < this.items.length) {
      const value = this.items[this.head++]!;
      if (this.head === this.items.length) {
        this.items = [];
        this.head = 0;
      } else if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
      if (this.items.length - this.head <= this.lowWater) this.onDrained();
      return Promise.resolve({ value, done: false });
    }
    if (this.pendingFailure !== undefined) {
      const e = this.pendingFailure;
      this.pendingFailure = undefined;
      return Promise.reject(e);
    }
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Stops iterating and closes the stream (what `break` calls). */
  return(): Promise<IteratorResult<E>> {
    this.shutdown(true);
    return Promise.resolve({ value: undefined, done: true });
  }

  /** Closes the stream and rethrows `e`. */
  throw(e?: unknown): Promise<IteratorResult<E>> {
    this.shutdown(true);
    return Promise.reject(e);
  }

  /** Closes the stream (`await using w = …`). */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  // ---- for subclasses -----------------------------------------------------------------

  /** @internal Releases the stream's resources (socket, fs watcher, timers). Called once. */
  protected abstract release(): void;

  /** @internal The iterator's buffer reached highWater: stop producing. */
  protected onFull(): void {
    /* no back-pressure by default */
  }

  /** @internal The iterator's buffer drained to lowWater (or buffering stopped): produce again. */
  protected onDrained(): void {
    /* no back-pressure by default */
  }

  /** @internal Buffers an event for the iterator (if iterating or not yet decided). */
  protected enqueue(ev: E): void {
    if (this.closed || !this.buffering) return;
    const w = this.waiters.shift();
    if (w !== undefined) {
      w.resolve({ value: ev, done: false });
      return;
    }
    this.items.push(ev);
    if (this.items.length - this.head === this.highWater) this.onFull();
  }

  /** @internal Emits without letting a throwing listener break the caller (the error is rethrown asynchronously). */
  protected safeEmit(name: string, ...args: unknown[]): void {
    try {
      (this.emit as (n: string, ...a: unknown[]) => boolean)(name, ...args);
    } catch (e) {
      process.nextTick(() => {
        throw e;
      });
    }
  }

  /** @internal Fails the stream, then closes it (keeping buffered events for the iterator). */
  protected fail(err: unknown): void {
    if (this.closed) return;
    this.failedWith = err;
    const iterated = this.iterating || this.buffering;
    if (iterated) this.pendingFailure = err;
    if (EventEmitter.prototype.listenerCount.call(this, 'error') > 0 || !iterated) this.safeEmit('error', err);
    this.shutdown(false);
  }

  /** @internal Closes the stream; `discard` drops buffered events. */
  protected shutdown(discard: boolean): void {
    if (this.closed) return;
    this.closed = true;
    this.release();
    if (discard) {
      this.items = [];
      this.head = 0;
    }
    for (const w of this.waiters.splice(0)) {
      if (this.pendingFailure !== undefined) {
        const e = this.pendingFailure;
        this.pendingFailure = undefined;
        w.reject(e);
      } else w.resolve({ value: undefined, done: true });
    }
    this.safeEmit('close');
  }
}
