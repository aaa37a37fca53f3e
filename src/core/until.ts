/**
 * until: the bridge from Promises into dogs. A dog sleeps (costing nothing
 * per tick) until a Promise settles, then goes on with its value or error.
 *
 * @module
 */
import { runningDeed, WAIT, type Deed } from "./deed.js";
import { abortError, checkAbortSignal } from "./abort.js";
import { TimeoutError } from "./errors.js";
import type { Operation } from "./operation.js";
import { currentTyme } from "./deed.js";
import { checkSeconds } from "./validate.js";

/** Options of {@link until}. */
export interface UntilOptions {
  /** Seconds of tyme to wait at most; default: no limit. */
  timeout?: number | undefined;
  /** Stops the wait: `until` then throws an `AbortError` with the signal's reason. */
  signal?: AbortSignal | undefined;
}

const NO_OPTIONS: Readonly<UntilOptions> = Object.freeze({});

/**
 * What the promise's callbacks share with the waiting dog. The callbacks
 * keep it (a Promise cannot be unsubscribed from), so on close the dog
 * clears `deed`: a late settlement then wakes nobody.
 */
interface Pending<T> {
  settled: 0 | 1 | 2; // pending, fulfilled, rejected
  value: T | undefined;
  error: unknown;
  deed: Deed | undefined;
}

/**
 * Sleeps the running dog until `promise` settles, then returns its value or
 * throws its error. There is no polling: the promise's own callback wakes the
 * dog's deed, and a real-time Doist runs it at once (in a wake pass).
 *
 * When the dog is closed while it waits (its scheduler exits, `race` picks
 * another winner, a `remove`), nothing is left behind: the settlement wakes
 * nobody, and a later rejection is already handled, so it is never reported
 * as unhandled.
 *
 * Outside a scheduler (a dog stepped by hand with `next()`), nobody can be
 * woken, so it yields 0 each step until the promise has settled.
 *
 * @param promise a Promise (or any thenable, or a plain value)
 * @param options `timeout` in seconds of tyme, `signal`
 * @returns the promise's value
 * @throws the promise's rejection reason; TimeoutError when `timeout` passes
 *   first; AbortError (with `cause` = the signal's reason) when `signal` aborts
 * @example
 * ```ts
 * import { lookup } from "node:dns/promises";
 * const resolver = doify(function* () {
 *   const { address } = yield* until(lookup("localhost"), { timeout: 5 });
 *   console.log("localhost is", address);
 *   return true;
 * });
 * await new Doist({ doers: [resolver], real: true }).do();
 * ```
 */
export function* until<T>(promise: PromiseLike<T> | T, options: UntilOptions = NO_OPTIONS): Operation<Awaited<T>> {
  const timeout = options.timeout === undefined ? undefined : checkSeconds("timeout", options.timeout);
  const signal = checkAbortSignal("signal", options.signal);
  const pending: Pending<Awaited<T>> = { settled: 0, value: undefined, error: undefined, deed: runningDeed() };
  Promise.resolve(promise).then(
    (value) => {
      pending.settled = 1;
      pending.value = value;
      pending.deed?.wake();
    },
    (error: unknown) => {
      pending.settled = 2;
      pending.error = error;
      pending.deed?.wake();
    },
  );
  const wake = signal === undefined || pending.deed === undefined ? undefined : wakeOf(pending.deed);
  try {
    if (signal?.aborted === true) throw abortError(signal, "until");
    if (wake !== undefined) signal!.addEventListener("abort", wake, { once: true });
    let deadline = Number.NaN;
    const start = currentTyme();
    if (timeout !== undefined && start !== undefined) deadline = start + timeout;
    for (;;) {
      let tock: number;
      if (pending.deed === undefined) tock = 0;
      else if (timeout === undefined) tock = WAIT;
      else tock = Math.max(deadline - (currentTyme() ?? deadline), 0);
      const tyme: number = yield tock;
      if (pending.settled === 1) return pending.value as Awaited<T>;
      if (pending.settled === 2) throw pending.error;
      if (signal !== undefined && isAborted(signal)) throw abortError(signal, "until");
      if (timeout !== undefined) {
        if (Number.isNaN(deadline)) deadline = tyme + timeout;
        else if (tyme >= deadline) throw new TimeoutError(`until: the promise did not settle within ${timeout} s of tyme`, timeout);
      }
    }
  } finally {
    pending.deed = undefined;
    if (wake !== undefined) signal!.removeEventListener("abort", wake);
  }
}

function wakeOf(deed: Deed): () => void {
  return () => deed.wake();
}

/** Reads `aborted` afresh (it changes while the dog sleeps). */
function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}
