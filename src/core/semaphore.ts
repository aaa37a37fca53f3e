/**
 * Semaphore and Lock: limit how many dogs use something at once.
 *
 * @module
 */
import { Signal } from "./signal.js";
import { HioError, TimeoutError } from "./errors.js";
import { abortable, checkAbortSignal } from "./abort.js";
import type { Operation } from "./operation.js";
import { deadlineOf, sleepOn } from "./sleep-on.js";
import { currentTyme } from "./deed.js";
import { checkSeconds, describe } from "./validate.js";

/** Options of {@link Semaphore.acquire}. */
export interface AcquireOptions {
  /** Seconds of tyme to wait at most; default: no limit. */
  timeout?: number | undefined;
  /** Ends the wait with an `AbortError` when it aborts. */
  signal?: AbortSignal | undefined;
}

const NO_OPTIONS: Readonly<AcquireOptions> = Object.freeze({});

/**
 * Counts permits: `yield* acquire()` takes one, sleeping while none is
 * free; `release()` gives it back. Waiters get permits in the order they
 * asked (first come, first served), so none starves. A waiter that is closed,
 * times out or is aborted leaves the queue in its `finally`.
 *
 * Prefer {@link Semaphore.use}, which releases on every path.
 *
 * @example
 * ```ts
 * const slots = new Semaphore(2); // at most two lookups at once
 * const worker = doify(function* () {
 *   const address = yield* slots.use(function* () {
 *     return (yield* until(lookup("localhost"))).address;
 *   });
 *   return true;
 * });
 * ```
 */
export class Semaphore {
  /** Notified when a permit is released or a waiter leaves the queue. */
  readonly releaseSignal = new Signal();
  /** Permits it started with. */
  readonly permits: number;
  /** A name for error messages. */
  readonly name: string;
  #available: number;
  readonly #queue: object[] = [];

  /**
   * @param permits how many holders at once (an integer >= 1). Default 1
   * @param name a name for error messages
   * @throws RangeError for a bad count
   */
  constructor(permits = 1, name = "semaphore") {
    if (typeof permits !== "number" || !Number.isInteger(permits) || permits < 1) {
      throw new RangeError(`permits must be an integer >= 1, got ${describe(permits)}`);
    }
    this.permits = permits;
    this.#available = permits;
    this.name = name;
  }

  /** Permits free now. */
  get available(): number {
    return this.#available;
  }

  /** Dogs waiting for a permit. */
  get waiting(): number {
    return this.#queue.length;
  }

  /**
   * Takes a permit if one is free and nobody is queued before us.
   * @returns whether it took one
   */
  tryAcquire(): boolean {
    if (this.#available === 0 || this.#queue.length > 0) return false;
    this.#available--;
    return true;
  }

  /**
   * Takes a permit, sleeping until one is free and it is our turn.
   * @param options `timeout` in seconds of tyme, `signal`
   * @returns when the permit is held (give it back with `release()`)
   * @throws TimeoutError; AbortError (no permit is held then)
   */
  acquire(options: AcquireOptions = NO_OPTIONS): Operation<void> {
    const timeout = options.timeout === undefined ? undefined : checkSeconds("timeout", options.timeout);
    const signal = checkAbortSignal("signal", options.signal);
    const acquiring = this.#acquire(timeout);
    return signal === undefined ? acquiring : abortable(acquiring, signal, `${this.name} acquire`);
  }

  /**
   * Gives a permit back and wakes the waiters.
   * @throws HioError when more permits are released than were taken
   */
  release(): void {
    if (this.#available >= this.permits) throw new HioError(`${this.name}: released more permits than were acquired`);
    this.#available++;
    this.releaseSignal.notify();
  }

  /**
   * Runs `body` holding a permit, and releases it on every path (return,
   * throw, or a forced close of the dog).
   * @param body makes the operation to run
   * @param options as for `acquire`
   * @returns what `body` returns
   */
  *use<T>(body: () => Operation<T>, options: AcquireOptions = NO_OPTIONS): Operation<T> {
    yield* this.acquire(options);
    try {
      return yield* body();
    } finally {
      this.release();
    }
  }

  *#acquire(timeout: number | undefined): Operation<void> {
    if (this.tryAcquire()) return;
    const ticket = {};
    const queue = this.#queue;
    queue.push(ticket);
    try {
      const deadline = deadlineOf(timeout);
      for (;;) {
        if ((currentTyme() ?? 0) >= deadline) throw new TimeoutError(`${this.name}: no permit within ${timeout} s of tyme`, timeout!);
        yield* sleepOn(this.releaseSignal, deadline);
        if (this.#available > 0 && queue[0] === ticket) {
          this.#available--;
          return;
        }
      }
    } finally {
      const index = queue.indexOf(ticket);
      if (index >= 0) queue.splice(index, 1);
      // The next in line may now be first with a permit free.
      if (index === 0 && this.#available > 0) this.releaseSignal.notify();
    }
  }
}

/**
 * A {@link Semaphore} with one permit: mutual exclusion between dogs, e.g.
 * one request at a time on a shared connection.
 *
 * @example
 * ```ts
 * const lock = new Lock("redis");
 * const reply = yield* lock.use(() => resp.command("GET", "key"));
 * ```
 */
export class Lock extends Semaphore {
  /** @param name a name for error messages */
  constructor(name = "lock") {
    super(1, name);
  }

  /** Someone holds it. */
  get locked(): boolean {
    return this.available === 0;
  }
}
