/**
 * AbortSignal support: the typed error an abort throws, a check for signal
 * options, a wrapper that makes any operation abortable, and the Promise
 * helper transports use for `open({ signal })`.
 *
 * @module
 */
import { runningDeed } from "./deed.js";
import { AbortError } from "./errors.js";
import type { Operation } from "./operation.js";
import { describe } from "./validate.js";

/**
 * Makes the error an aborted operation throws.
 * @param signal the aborted signal; its `reason` becomes the error's `cause`
 * @param what names what was aborted, e.g. `doist main` or `client 127.0.0.1:7000 open`
 * @returns an {@link AbortError} whose `cause` is `signal.reason`
 */
export function abortError(signal: AbortSignal, what: string): AbortError {
  const reason: unknown = signal.reason;
  const detail = reason instanceof Error ? `: ${reason.message}` : reason === undefined ? "" : `: ${String(reason)}`;
  return new AbortError(`${what} aborted${detail}`, { cause: reason });
}

/**
 * Checks an optional `signal` option.
 * @param name the option's name
 * @param value what the caller passed
 * @returns the signal, or undefined
 * @throws TypeError naming the option when it is not an AbortSignal
 */
export function checkAbortSignal(name: string, value: unknown): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof AbortSignal)) throw new TypeError(`${name} must be an AbortSignal, got ${describe(value)}`);
  return value;
}

/**
 * Throws an {@link AbortError} if `signal` has aborted.
 * @param signal the signal, or undefined
 * @param what names what is being aborted
 * @throws AbortError with `cause` = `signal.reason`
 */
export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted === true) throw abortError(signal, what);
}

/**
 * Runs `operation` until it returns, or until `signal` aborts: then it closes
 * the operation (its `finally` blocks run, so its waits unsubscribe) and
 * throws an {@link AbortError}. An abort wakes the sleeping dog at once.
 *
 * @param operation the operation to run (a reader, `until`, a combinator...)
 * @param signal the signal that cancels it
 * @param what names what is aborted, for the message
 * @returns what the operation returns
 * @throws AbortError with `cause` = `signal.reason`; whatever the operation throws
 * @example
 * ```ts
 * const line = yield* abortable(readLine(client.rxbs), controller.signal, "readLine");
 * ```
 */
export function* abortable<T>(operation: Operation<T>, signal: AbortSignal, what = "operation"): Operation<T> {
  let finished = false;
  const deed = runningDeed();
  const wake = deed === undefined ? undefined : () => deed.wake();
  try {
    if (signal.aborted) throw abortError(signal, what);
    if (wake !== undefined) signal.addEventListener("abort", wake, { once: true });
    let step = operation.next(Number.NaN);
    for (;;) {
      if (step.done) {
        finished = true;
        return step.value;
      }
      const tyme: number = yield step.value;
      if (signal.aborted) throw abortError(signal, what);
      step = operation.next(tyme);
    }
  } finally {
    if (wake !== undefined) signal.removeEventListener("abort", wake);
    if (!finished) operation.return(undefined as T);
  }
}

/**
 * Settles like `promise`, or rejects with an {@link AbortError} as soon as
 * `signal` aborts, first calling `onAbort` (e.g. to close the handle whose
 * open is pending). The listener is removed when the promise settles. This is
 * what a transport's `open({ signal })` needs:
 *
 * ```ts
 * open(options: { signal?: AbortSignal } = {}): Promise<void> {
 *   return whenAborted(this.#connect(), options.signal, `${this.label} open`, () => this.close());
 * }
 * ```
 *
 * @param promise the pending work
 * @param signal the signal that cancels it; undefined: `promise` as is
 * @param what names what is aborted, for the message
 * @param onAbort called once on abort, before the rejection
 * @returns a promise of the same value
 */
export function whenAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined, what: string, onAbort?: () => void): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) {
    promise.catch(() => undefined); // the work is abandoned: its failure is nobody's
    onAbort?.();
    return Promise.reject(abortError(signal, what));
  }
  return new Promise<T>((resolve, reject) => {
    const abort = () => {
      promise.catch(() => undefined);
      try {
        onAbort?.();
      } finally {
        reject(abortError(signal, what));
      }
    };
    signal.addEventListener("abort", abort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", abort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", abort);
        reject(error);
      },
    );
  });
}
