/**
 * Signals: how a dog sleeps until something happens instead of polling.
 *
 * @module
 */
import { runningDeed, WAIT, type Waker } from "./deed.js";

/**
 * A one-shot notification that wakes whoever subscribed since the last
 * `notify()`. Rings notify when bytes arrive or room frees up; handles notify
 * when they connect or close. A dog subscribes and then yields `WAIT` (or a
 * timeout), so it costs nothing until the event comes.
 *
 * `notify()` with nobody waiting costs one comparison, so producers may call it
 * on every write.
 *
 * @example
 * ```ts
 * const ready = new Signal();
 * const waiter = doify(function* () {
 *   yield* waitFor(ready);   // sleeps
 *   return true;
 * });
 * // later, from anywhere: ready.notify();
 * ```
 */
export class Signal {
  #waiters: Waker[] = [];

  /** How many wakers wait for the next notify. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /**
   * Registers a waker for the next notify (once; it must subscribe again after).
   * @param waker who to wake; default: the deed running now
   * @returns whether anyone was registered (false outside a scheduler)
   */
  subscribe(waker: Waker | undefined = runningDeed()): boolean {
    if (waker === undefined) return false;
    if (!this.#waiters.includes(waker)) this.#waiters.push(waker);
    return true;
  }

  /**
   * Removes a waker that no longer waits.
   * @param waker who to forget; default: the deed running now
   */
  unsubscribe(waker: Waker | undefined = runningDeed()): void {
    const index = waker === undefined ? -1 : this.#waiters.indexOf(waker);
    if (index >= 0) this.#waiters.splice(index, 1);
  }

  /** Wakes every subscriber and forgets them. */
  notify(): void {
    const waiters = this.#waiters;
    if (waiters.length === 0) return;
    this.#waiters = [];
    for (let i = 0; i < waiters.length; i++) waiters[i]!.wake();
  }
}

/**
 * Sleeps the running dog until `signal` notifies or `timeout` seconds of tyme
 * pass, whichever comes first. Use it with `yield*` inside any doer.
 *
 * Outside a scheduler (a dog driven by hand) there is nobody to wake, so it
 * yields once for the next tick instead, which keeps hand-driven tests simple.
 *
 * @param signal what to wait for
 * @param timeout seconds of tyme to wait at most; default: no limit
 * @returns the tyme at which the dog was resumed
 */
export function* waitFor(signal: Signal, timeout: number = WAIT): Generator<number | undefined, number, number> {
  const waker = runningDeed();
  if (!signal.subscribe(waker)) return yield 0;
  try {
    return yield timeout;
  } finally {
    // Also when the dog is closed while it waits (remove, exit): a waiter
    // must not outlive its deed on a long-lived signal.
    signal.unsubscribe(waker);
  }
}
