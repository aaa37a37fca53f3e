/**
 * Channel: a bounded queue of values between doers, with back pressure; the
 * object counterpart of RingBuffer and hio's `Deck`.
 *
 * @module
 */
import { Signal } from "./signal.js";
import { ChannelClosedError, TimeoutError } from "./errors.js";
import { abortable, checkAbortSignal } from "./abort.js";
import type { Operation } from "./operation.js";
import { deadlineOf, sleepOn } from "./sleep-on.js";
import { currentTyme } from "./deed.js";
import { checkSeconds, describe } from "./validate.js";

/** Options of {@link Channel}. */
export interface ChannelOptions {
  /** Values it holds at most. Default: no limit (as hio's `Deck`). */
  capacity?: number;
  /** A name for error messages. Default "channel". */
  name?: string;
}

/** Options of {@link Channel.put} and {@link Channel.take}. */
export interface ChannelWaitOptions {
  /** Seconds of tyme to wait at most; default: no limit. */
  timeout?: number | undefined;
  /** Ends the wait with an `AbortError` when it aborts. */
  signal?: AbortSignal | undefined;
}

const NO_OPTIONS: Readonly<ChannelWaitOptions> = Object.freeze({});

/**
 * A FIFO of values that doers hand each other. Non-blocking `push`/`pull`
 * (hio's `Deck.push`/`Deck.pull`: `push` says whether it took the value,
 * `pull` returns `undefined` when empty), and `yield* put(value)` /
 * `yield* take()` that sleep while it is full or empty, so a fast producer
 * waits for a slow consumer instead of growing memory.
 *
 * `close()` says no more values will come: puts then throw
 * {@link ChannelClosedError}, takes drain what is left and then throw it.
 * `undefined` is not a value it can carry (it means "empty" to `pull`).
 *
 * @example
 * ```ts
 * const jobs = new Channel<string>({ capacity: 16 });
 * const producer = doify(function* () {
 *   for (const name of ["a", "b", "c"]) yield* jobs.put(name);
 *   jobs.close();
 *   return true;
 * });
 * const consumer = doify(function* () {
 *   for (let job = yield* jobs.receive(); job !== undefined; job = yield* jobs.receive()) {
 *     console.log("job", job);
 *   }
 *   return true; // closed and drained
 * });
 * await new Doist({ doers: [producer, consumer] }).do();
 * ```
 */
export class Channel<T> {
  /** Notified when a value is added or the channel closes. */
  readonly dataSignal = new Signal();
  /** Notified when a value is taken (room frees up) or the channel closes. */
  readonly spaceSignal = new Signal();
  /** A name for error messages. */
  readonly name: string;
  /** Values it holds at most. */
  readonly capacity: number;
  /** Values added since it was made. */
  pushed = 0;
  /** Values taken since it was made. */
  pulled = 0;
  #items: (T | undefined)[] = [];
  #head = 0;
  #closed = false;

  /**
   * Creates an empty channel.
   * @param options `capacity` (default: no limit), `name`
   * @throws TypeError/RangeError naming a bad option
   */
  constructor(options: ChannelOptions = {}) {
    const capacity = options.capacity ?? Number.POSITIVE_INFINITY;
    if (typeof capacity !== "number" || !(capacity >= 1) || (Number.isFinite(capacity) && !Number.isInteger(capacity))) {
      throw new RangeError(`capacity must be an integer >= 1 (or Infinity), got ${describe(capacity)}`);
    }
    this.capacity = capacity;
    this.name = options.name ?? "channel";
  }

  /** Values waiting. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Room left. */
  get free(): number {
    return this.capacity - this.length;
  }

  /** Nothing is waiting. */
  get isEmpty(): boolean {
    return this.length === 0;
  }

  /** No room is left. */
  get isFull(): boolean {
    return this.length >= this.capacity;
  }

  /** `close()` was called: no more values will be added. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Closed and drained: a take will get nothing more. */
  get exhausted(): boolean {
    return this.#closed && this.length === 0;
  }

  /**
   * Adds `value` if there is room, without waiting.
   * @param value the value (not `undefined`)
   * @returns whether it was added (false: full)
   * @throws ChannelClosedError after `close()`; TypeError for `undefined`
   */
  push(value: T): boolean {
    if (value === undefined) throw new TypeError(`value must not be undefined (${this.name})`);
    if (this.#closed) throw new ChannelClosedError(`${this.name}: closed, cannot add more values`);
    if (this.length >= this.capacity) return false;
    this.#items.push(value);
    this.pushed++;
    this.dataSignal.notify();
    return true;
  }

  /**
   * Removes and returns the oldest value, without waiting.
   * @returns the value, or `undefined` when empty
   */
  pull(): T | undefined {
    if (this.length === 0) return undefined;
    const items = this.#items;
    const value = items[this.#head];
    items[this.#head++] = undefined;
    if (this.#head === items.length) {
      items.length = 0;
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= items.length) {
      items.splice(0, this.#head);
      this.#head = 0;
    }
    this.pulled++;
    this.spaceSignal.notify();
    return value;
  }

  /**
   * Returns the oldest value without removing it.
   * @returns the value, or `undefined` when empty
   */
  peek(): T | undefined {
    return this.length === 0 ? undefined : this.#items[this.#head];
  }

  /**
   * Adds `value`, sleeping while the channel is full.
   * @param value the value (not `undefined`)
   * @param options `timeout` in seconds of tyme, `signal`
   * @returns when it was added
   * @throws ChannelClosedError when closed (also while waiting);
   *   TimeoutError; AbortError
   */
  put(value: T, options: ChannelWaitOptions = NO_OPTIONS): Operation<void> {
    const timeout = options.timeout === undefined ? undefined : checkSeconds("timeout", options.timeout);
    const signal = checkAbortSignal("signal", options.signal);
    const putting = this.#put(value, timeout);
    return signal === undefined ? putting : abortable(putting, signal, `${this.name} put`);
  }

  /**
   * Removes and returns the oldest value, sleeping while the channel is empty.
   * @param options `timeout` in seconds of tyme, `signal`
   * @returns the value
   * @throws ChannelClosedError when closed and drained; TimeoutError; AbortError
   */
  take(options: ChannelWaitOptions = NO_OPTIONS): Operation<T> {
    const timeout = options.timeout === undefined ? undefined : checkSeconds("timeout", options.timeout);
    const signal = checkAbortSignal("signal", options.signal);
    const taking = this.#take(timeout);
    return signal === undefined ? taking : abortable(taking, signal, `${this.name} take`);
  }

  /**
   * Like {@link take}, but returns `undefined` instead of throwing once the
   * channel is closed and drained, for `for`/`while` loops.
   * @param options `timeout` in seconds of tyme, `signal`
   * @returns the value, or `undefined` at the end
   * @throws TimeoutError; AbortError
   */
  *receive(options: ChannelWaitOptions = NO_OPTIONS): Operation<T | undefined> {
    try {
      return yield* this.take(options);
    } catch (error) {
      if (error instanceof ChannelClosedError) return undefined;
      throw error;
    }
  }

  /** Says no more values will come; wakes every waiter. Safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.dataSignal.notify();
    this.spaceSignal.notify();
  }

  /** Closes it at the end of a `using` block (see {@link close}). */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Drops every waiting value (they count as pulled). */
  clear(): void {
    const length = this.length;
    this.#items = [];
    this.#head = 0;
    this.pulled += length;
    if (length > 0) this.spaceSignal.notify();
  }

  /** Iterates over the waiting values, oldest first, without removing them. */
  *[Symbol.iterator](): IterableIterator<T> {
    const items = this.#items;
    for (let index = this.#head; index < items.length; index++) yield items[index] as T;
  }

  *#put(value: T, timeout: number | undefined): Operation<void> {
    let deadline = Number.NaN;
    while (!this.push(value)) {
      if (Number.isNaN(deadline)) deadline = deadlineOf(timeout);
      else if ((currentTyme() ?? 0) >= deadline) throw new TimeoutError(`${this.name}: no room within ${timeout} s of tyme`, timeout!);
      yield* sleepOn(this.spaceSignal, deadline);
    }
  }

  *#take(timeout: number | undefined): Operation<T> {
    let deadline = Number.NaN;
    for (;;) {
      const value = this.pull();
      if (value !== undefined) return value;
      if (this.#closed) throw new ChannelClosedError(`${this.name}: closed and drained`);
      if (Number.isNaN(deadline)) deadline = deadlineOf(timeout);
      else if ((currentTyme() ?? 0) >= deadline) throw new TimeoutError(`${this.name}: no value within ${timeout} s of tyme`, timeout!);
      yield* sleepOn(this.dataSignal, deadline);
    }
  }
}
