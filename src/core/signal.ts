/**
 * Signals: how a dog sleeps until something happens instead of polling.
 *
 * @module
 */
import { ENTERING, runningDeed, WAIT, type Waker } from "./deed.js";
import { abortable } from "./abort.js";
import type { Operation } from "./operation.js";

/** The waiters of a signal nobody waits on: shared, never pushed to. */
const NOBODY: Waker[] = [];

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
  /**
   * The shared {@link NOBODY} while none waits (a ring per connection has
   * two signals, most never waited on); a first waiter gets an array of one
   * (a push onto an empty array would reserve room for 17).
   */
  #waiters: Waker[] = NOBODY;

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
    const waiters = this.#waiters;
    if (waiters.length === 0) this.#waiters = [waker];
    else if (!waiters.includes(waker)) waiters.push(waker);
    return true;
  }

  /**
   * Tells whether `waker` waits for the next notify.
   * @param waker who to look for; default: the deed running now
   * @returns true when it is subscribed
   */
  has(waker: Waker | undefined = runningDeed()): boolean {
    return waker !== undefined && this.#waiters.includes(waker);
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
    this.#waiters = NOBODY;
    for (let i = 0; i < waiters.length; i++) waiters[i]!.wake();
  }
}

/**
 * Sleeps the running dog until `signal` notifies or `timeout` seconds of tyme
 * pass, whichever comes first. Use it with `yield*` inside any doer.
 *
 * It works as the very first statement of a dog too. The first yield of a dog
 * ends its enter step, and a scheduler ignores that yield's value and runs the
 * deed again at once (hio's rule), so a plain `yield timeout` there would not
 * wait at all (the *enter trap*). `waitFor` knows when it runs in the enter
 * step: it subscribes there, and when the deed is run again it keeps waiting
 * unless the signal notified in between; the timeout counts from the enter.
 * (A bare `yield WAIT` or `yield 0.5` as a dog's first statement is still
 * ignored: use `waitFor`, or yield once before.)
 *
 * It unsubscribes in `finally`: a dog closed while it waits (`remove`,
 * `doist.exit()`) leaves nothing subscribed to `signal`.
 *
 * Outside a scheduler (a dog driven by hand) there is nobody to wake, so it
 * yields once for the next tick instead, which keeps hand-driven tests simple.
 *
 * @param signal what to wait for
 * @param timeout seconds of tyme to wait at most (default: no limit), or
 *   options `{ timeout, signal }` where `signal` is an AbortSignal that ends
 *   the wait with an `AbortError`
 * @returns the tyme at which the dog was resumed
 * @example
 * ```ts
 * const ready = new Signal();
 * const starter = doify(function* () {
 *   yield* waitFor(ready, 5); // first statement: waits (up to 5 s of tyme) all the same
 *   console.log("ready or timed out");
 *   return true;
 * });
 * ```
 */
export function* waitFor(signal: Signal, timeout: number | WaitForOptions = WAIT): Operation<number> {
  if (typeof timeout === "object") return yield* waitForAbortable(signal, timeout);
  const deed = runningDeed();
  if (!signal.subscribe(deed)) return yield 0;
  try {
    if ((deed!.flags & ENTERING) !== 0) {
      // The enter step's yield: its value is ignored and the deed runs again
      // at once, at the enter's tyme. Wait from there (timeout still counted
      // from the enter, by the cumulative retyme), unless notified meanwhile.
      const tyme = yield timeout;
      if (!signal.has(deed)) return tyme;
    }
    return yield timeout;
  } finally {
    // Also when the dog is closed while it waits (remove, exit): a waiter
    // must not outlive its deed on a long-lived signal.
    signal.unsubscribe(deed);
  }
}

/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** Seconds of tyme to wait at most; default: no limit. */
  timeout?: number | undefined;
  /** Ends the wait with an `AbortError` (`cause`: the reason) when it aborts. */
  signal?: AbortSignal | undefined;
}

function waitForAbortable(signal: Signal, options: WaitForOptions): Operation<number> {
  const wait = waitFor(signal, options.timeout ?? WAIT);
  return options.signal === undefined ? wait : abortable(wait, options.signal, "waitFor");
}
