/**
 * How readers and writeAll take a `signal` option (internal): they run
 * without it, wrapped in core's `abortable`.
 *
 * @module
 */
import { abortable, throwIfAborted } from "../core/index.js";
import { Finished } from "./finished.js";
import type { Operation } from "../core/operation.js";
import type { ReadOptions } from "./readers.js";
import type { RingBuffer } from "./ring-buffer.js";

/**
 * Runs `read(options without signal)` so that `options.signal` aborts it.
 * An already aborted signal throws before anything is read or written; a
 * read that completes at once is returned as it is.
 * @param ring the ring, to name it in the message
 * @param what the operation, e.g. `readLine`
 * @param options the caller's options, with `signal` set
 * @param read makes the reader from options without `signal`
 * @returns the abortable reader
 * @throws AbortError when the signal has already aborted
 */
export function withSignal<O extends ReadOptions, T>(ring: RingBuffer, what: string, options: O, read: (unsignalled: O) => Operation<T>): Operation<T> {
  const signal = options.signal!;
  if (!(signal instanceof AbortSignal)) throw new TypeError(`signal must be an AbortSignal, got ${typeof signal}`);
  const label = `${ring.name} ${what}`;
  throwIfAborted(signal, label);
  const reader = read({ ...options, signal: undefined });
  if (reader instanceof Finished) return reader;
  return abortable(reader, signal, label);
}
