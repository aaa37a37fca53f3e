/**
 * How readers sleep (internal): on a ring's signal, until it notifies or a
 * deadline in tyme passes.
 *
 * @module
 */
import { currentTyme, currentWaker, WAIT, type Operation, type Signal } from "../core/index.js";

/**
 * One reader's wait: started at its first sleep, so a reader that returns at
 * once allocates nothing. The clock is the scheduler's tyme (`currentTyme()`);
 * outside a scheduler it starts at the first tyme sent in with `next(tyme)`.
 */
export class Wait {
  /** Seconds of tyme allowed; undefined: no limit. */
  readonly timeout: number | undefined;
  /** Tyme at which the wait fails (NaN until the clock is known). */
  deadline: number;
  /** The latest tyme seen (NaN until known). */
  tyme: number;

  /** @param timeout seconds of tyme allowed; undefined: no limit */
  constructor(timeout: number | undefined) {
    this.timeout = timeout;
    const now = currentTyme();
    this.tyme = now ?? Number.NaN;
    this.deadline = timeout === undefined ? Number.POSITIVE_INFINITY : this.tyme + timeout;
  }

  /** The deadline has passed (never while the clock is unknown). */
  get expired(): boolean {
    return this.tyme >= this.deadline;
  }

  /**
   * Sleeps until `signal` notifies, the deadline passes, or tyme `until`.
   * @param signal what to wait for
   * @param until an earlier tyme to wake at (e.g. a framer's next poll)
   * @returns the tyme at which the dog was resumed
   */
  *sleep(signal: Signal, until?: number): Operation<number> {
    const wake = until === undefined || Number.isNaN(until) ? this.deadline : Math.min(this.deadline, until);
    const waker = currentWaker();
    let tock: number;
    if (!signal.subscribe(waker)) tock = 0;
    else if (wake === Number.POSITIVE_INFINITY) tock = WAIT;
    else {
      const now = currentTyme();
      tock = now === undefined || Number.isNaN(wake) ? 0 : Math.max(wake - now, 0);
    }
    let tyme: number;
    try {
      tyme = yield tock;
    } finally {
      // Also when the dog is closed while it waits (remove, exit): a waiter
      // must not outlive its deed on a long-lived signal.
      if (waker !== undefined) signal.unsubscribe(waker);
    }
    if (typeof tyme === "number") {
      this.tyme = tyme;
      if (Number.isNaN(this.deadline) && this.timeout !== undefined) this.deadline = tyme + this.timeout;
    }
    return tyme;
  }
}
