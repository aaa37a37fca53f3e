/**
 * Generator readers: parse frames out of a ring with `yield*` inside any doer.
 *
 * Each returns the frame as soon as the ring holds it (without yielding), and
 * otherwise sleeps on `ring.dataSignal`, so a waiting handler costs nothing
 * per tick. On each wake it scans only the bytes that arrived since the last
 * scan. A reader must be its ring's only consumer while it waits.
 *
 * A reader checks its arguments and makes its first attempt when called
 * (with `yield*` that is the same moment as its first step); when the frame
 * is already there it returns a finished iterator instead of a generator,
 * which keeps a busy stream's per-frame cost low.
 *
 * What a failing reader leaves behind:
 * - `FrameTooLongError`: the ring is untouched (resynchronise with
 *   {@link skipUntil}, or `clear()` it);
 * - `ReadTimeoutError`: the ring is untouched;
 * - `EndOfStreamError`: the ring is drained; its bytes are in `partial`.
 *
 * @module
 */
import { currentWaker, type Operation, WAIT } from "../core/index.js";
import type { RingBuffer } from "./ring-buffer.js";
import { EndOfStreamError, FrameTooLongError, ReadTimeoutError } from "./errors.js";
import { checkCount, checkDelimiter, checkTimeout } from "./validate.js";
import { Finished } from "./finished.js";
import { Wait } from "./wait.js";
import { withSignal } from "./abortable-read.js";

/**
 * What a reader is, to `yield*`.
 * @deprecated use {@link Operation} from core, the one name for what readers,
 *   `writeAll` and handlers return; `Reader<T>` is the same type.
 */
export type Reader<T> = Operation<T>;

/** Options every reader takes. */
export interface ReadOptions {
  /** Seconds of tyme to wait at most; default: no limit. */
  timeout?: number | undefined;
  /**
   * Ends the wait with an `AbortError` (`cause`: the signal's reason) when it
   * aborts; what the reader leaves in the ring is as for a timeout.
   */
  signal?: AbortSignal | undefined;
}

/** Options of {@link readUntil}. */
export interface ReadUntilOptions extends ReadOptions {
  /** Most bytes before the delimiter; default: what the ring can hold. */
  max?: number | undefined;
  /** Include the delimiter in the frame. Default false. */
  keepDelimiter?: boolean | undefined;
}

/** Options of {@link readLine}. */
export interface ReadLineOptions extends ReadOptions {
  /** Most bytes in a line, without its LF or CRLF. Default 8192. */
  max?: number | undefined;
}

/** Options of {@link readAvailable}. */
export interface ReadAvailableOptions extends ReadOptions {
  /** Most bytes to return; default: all there are. */
  max?: number | undefined;
}

const LF = 10;
const CR = 13;
const NO_OPTIONS: Readonly<ReadUntilOptions> = Object.freeze({});

function timedOut(ring: RingBuffer, what: string, timeout: number): ReadTimeoutError {
  return new ReadTimeoutError(`${ring.name}: no ${what} within ${timeout} s of tyme`, timeout);
}

/** The partial frame of a clean end: nothing (shared; no copy made per end). */
const NOTHING = new Uint8Array(0);

function ended(ring: RingBuffer, what: string): EndOfStreamError {
  const partial = ring.length === 0 ? NOTHING : ring.read();
  const detail = partial.length === 0 ? "" : ` (${partial.length} bytes of an incomplete frame)`;
  return new EndOfStreamError(`${ring.name}: stream ended before ${what}${detail}`, partial);
}

/**
 * Reads exactly `n` bytes.
 * @param ring the ring to read
 * @param n how many bytes
 * @param options `timeout` in seconds of tyme
 * @returns a new array of exactly `n` bytes
 * @throws FrameTooLongError when `n` exceeds the ring's capacity (nothing is consumed);
 *   EndOfStreamError when the ring ends first; ReadTimeoutError
 * @example
 * ```ts
 * const header = yield* readExactly(remoter.rxbs, 4);
 * const body = yield* readExactly(remoter.rxbs, new DataView(header.buffer).getUint32(0));
 * ```
 */
export function readExactly(ring: RingBuffer, n: number, options: ReadOptions = NO_OPTIONS): Operation<Uint8Array> {
  if (options.signal !== undefined) return withSignal(ring, "readExactly", options, (unsignalled) => readExactly(ring, n, unsignalled));
  checkCount("n", n);
  const timeout = checkTimeout(options.timeout);
  if (n > ring.capacity) {
    throw new FrameTooLongError(`${ring.name}: a frame of ${n} bytes cannot fit in ${ring.capacity} bytes`, ring.capacity);
  }
  if (ring.length >= n) return new Finished(ring.read(n));
  return waitExactly(ring, n, timeout);
}

function* waitExactly(ring: RingBuffer, n: number, timeout: number | undefined): Operation<Uint8Array> {
  let wait: Wait | undefined;
  for (;;) {
    if (ring.length >= n) return ring.read(n);
    if (ring.ended) throw ended(ring, `${n} bytes`);
    if (wait === undefined) wait = new Wait(timeout);
    if (wait.expired) throw timedOut(ring, `${n} bytes`, timeout!);
    yield* wait.sleep(ring.dataSignal);
  }
}

/**
 * Reads the bytes before the next `delimiter` and consumes the delimiter.
 * A multi-byte delimiter is found also when it arrives split across writes
 * or straddles the ring's wrap point.
 * @param ring the ring to read
 * @param delimiter a byte value or a byte sequence
 * @param options `max` (bytes before the delimiter; at most the ring's
 *   capacity minus the delimiter's length), `keepDelimiter`, `timeout`
 * @returns a new array with the frame (the delimiter only with `keepDelimiter`)
 * @throws FrameTooLongError when the frame is longer than `max` (ring untouched);
 *   EndOfStreamError; ReadTimeoutError
 * @example
 * ```ts
 * const record = yield* readUntil(remoter.rxbs, 0x1e, { max: 1024 });
 * ```
 */
export function readUntil(ring: RingBuffer, delimiter: number | Uint8Array, options: ReadUntilOptions = NO_OPTIONS): Operation<Uint8Array> {
  if (options.signal !== undefined) return withSignal(ring, "readUntil", options, (unsignalled) => readUntil(ring, delimiter, unsignalled));
  const needle: number | Uint8Array = typeof delimiter === "number" ? (checkDelimiter(delimiter), delimiter) : checkDelimiter(delimiter);
  const size = typeof needle === "number" ? 1 : needle.length;
  const limit = Math.min(options.max === undefined ? Number.POSITIVE_INFINITY : checkCount("max", options.max), ring.capacity - size);
  const keep = options.keepDelimiter === true;
  const timeout = checkTimeout(options.timeout);
  const index = ring.indexOf(needle, 0);
  if (index >= 0 && index <= limit) {
    const frame = ring.peek(keep ? index + size : index);
    ring.consume(index + size);
    return new Finished(frame);
  }
  return waitUntil(ring, needle, size, limit, keep, timeout);
}

function* waitUntil(ring: RingBuffer, needle: number | Uint8Array, size: number, limit: number, keep: boolean, timeout: number | undefined): Operation<Uint8Array> {
  let searched = 0;
  let seen = 0;
  let wait: Wait | undefined;
  for (;;) {
    const length = ring.length;
    if (length < seen) searched = 0; // someone else consumed: scan afresh
    const index = ring.indexOf(needle, searched);
    if (index >= 0) {
      if (index > limit) throw tooLong(ring, "frame", limit);
      const frame = ring.peek(keep ? index + size : index);
      ring.consume(index + size);
      return frame;
    }
    if (length >= limit + size) throw tooLong(ring, "frame", limit);
    if (ring.ended) throw ended(ring, "the delimiter");
    searched = Math.max(0, length - size + 1);
    seen = length;
    if (wait === undefined) wait = new Wait(timeout);
    if (wait.expired) throw timedOut(ring, "delimiter", timeout!);
    yield* wait.sleep(ring.dataSignal);
  }
}

function tooLong(ring: RingBuffer, what: string, limit: number): FrameTooLongError {
  return new FrameTooLongError(`${ring.name}: ${what} longer than ${limit} bytes`, limit);
}

/**
 * Reads one line: the bytes before the next LF, without the LF or a CR just
 * before it (so both LF and CRLF endings work).
 * @param ring the ring to read
 * @param options `max` bytes in the line without its ending (default 8192;
 *   at most the ring's capacity minus 2), `timeout`
 * @returns a new array with the line
 * @throws FrameTooLongError when the line is longer than `max` (ring untouched);
 *   EndOfStreamError (a last line without LF is in `partial`); ReadTimeoutError
 * @example
 * ```ts
 * const echo = doify(function* () {
 *   for (;;) {
 *     const line = yield* readLine(remoter.rxbs, { max: 8192 });
 *     yield* writeAll(remoter.txbs, line);
 *   }
 * });
 * ```
 */
export function readLine(ring: RingBuffer, options: ReadLineOptions = NO_OPTIONS): Operation<Uint8Array> {
  if (options.signal !== undefined) return withSignal(ring, "readLine", options, (unsignalled) => readLine(ring, unsignalled));
  const max = options.max === undefined ? 8192 : checkCount("max", options.max);
  const limit = Math.min(max, ring.capacity - 2);
  const timeout = options.timeout === undefined ? undefined : checkTimeout(options.timeout);
  const index = ring.indexOf(LF, 0);
  if (index >= 0) {
    const content = index > 0 && ring.at(index - 1) === CR ? index - 1 : index;
    if (content <= limit) {
      const line = ring.peek(content);
      ring.consume(index + 1);
      return new Finished(line);
    }
  }
  return waitLine(ring, limit, timeout, index);
}

function* waitLine(ring: RingBuffer, limit: number, timeout: number | undefined, index: number): Operation<Uint8Array> {
  let wait: Wait | undefined;
  let searched = 0;
  let seen = 0;
  for (;;) {
    if (index >= 0) {
      const content = index > 0 && ring.at(index - 1) === CR ? index - 1 : index;
      if (content > limit) throw tooLong(ring, "line", limit);
      const line = ring.peek(content);
      ring.consume(index + 1);
      return line;
    }
    const length = ring.length;
    // Without an LF among limit + 2 bytes, no ending can make the line fit.
    if (length >= limit + 2) throw tooLong(ring, "line", limit);
    if (ring.ended) throw ended(ring, "the end of the line");
    searched = length;
    seen = length;
    if (wait === undefined) wait = new Wait(timeout);
    if (wait.expired) throw timedOut(ring, "line", timeout!);
    yield* wait.sleep(ring.dataSignal);
    if (ring.length < seen) searched = 0; // someone else consumed: scan afresh
    index = ring.indexOf(LF, searched);
  }
}

/**
 * Reads whatever is there, waiting only while the ring is empty.
 * @param ring the ring to read
 * @param options `max` bytes to return (default: all), `timeout`
 * @returns a new array of 1..max bytes
 * @throws EndOfStreamError (with an empty `partial`) when the ring has ended
 *   and is drained; ReadTimeoutError
 * @example
 * ```ts
 * const chunk = yield* readAvailable(serial.rxbs, { max: 4096 });
 * ```
 */
export function readAvailable(ring: RingBuffer, options: ReadAvailableOptions = NO_OPTIONS): Operation<Uint8Array> {
  if (options.signal !== undefined) return withSignal(ring, "readAvailable", options, (unsignalled) => readAvailable(ring, unsignalled));
  const max = options.max === undefined ? Number.POSITIVE_INFINITY : checkCount("max", options.max, 1);
  const timeout = checkTimeout(options.timeout);
  if (ring.length > 0) return new Finished(ring.read(Math.min(max, ring.length)));
  return waitAvailable(ring, max, timeout);
}

function* waitAvailable(ring: RingBuffer, max: number, timeout: number | undefined): Operation<Uint8Array> {
  if (timeout === undefined) {
    // The common case (a handler waiting for its next request), kept small:
    // a suspended handler holds this one frame, no Wait and no sleep frame.
    for (;;) {
      if (ring.length > 0) return ring.read(Math.min(max, ring.length));
      if (ring.ended) throw ended(ring, "more bytes");
      const signal = ring.dataSignal;
      const waker = currentWaker();
      if (!signal.subscribe(waker)) {
        yield 0;
        continue;
      }
      try {
        yield WAIT;
      } finally {
        // Also when the dog is closed while it waits: no waiter outlives its deed.
        signal.unsubscribe(waker);
      }
    }
  }
  let wait: Wait | undefined;
  for (;;) {
    if (ring.length > 0) return ring.read(Math.min(max, ring.length));
    if (ring.ended) throw ended(ring, "more bytes");
    if (wait === undefined) wait = new Wait(timeout);
    if (wait.expired) throw timedOut(ring, "bytes", timeout!);
    yield* wait.sleep(ring.dataSignal);
  }
}

/**
 * Discards bytes up to and including the next `delimiter`, however far away
 * it is: the way to resynchronise after a `FrameTooLongError`. It consumes as
 * it scans (keeping only a possibly split delimiter), so it never needs more
 * room than the ring has.
 * @param ring the ring to skip in
 * @param delimiter a byte value or a byte sequence
 * @param options `timeout`
 * @returns how many bytes it discarded, the delimiter included; when the ring
 *   ends first it discards everything and returns the count (the next read
 *   then sees the end)
 * @throws ReadTimeoutError (what was discarded stays discarded)
 * @example
 * ```ts
 * try { line = yield* readLine(rxbs, { max: 80 }); }
 * catch (error) {
 *   if (!(error instanceof FrameTooLongError)) throw error;
 *   yield* skipUntil(rxbs, 0x0a);
 * }
 * ```
 */
export function* skipUntil(ring: RingBuffer, delimiter: number | Uint8Array, options: ReadOptions = NO_OPTIONS): Operation<number> {
  if (options.signal !== undefined) return yield* withSignal(ring, "skipUntil", options, (unsignalled) => skipUntil(ring, delimiter, unsignalled));
  const needle: number | Uint8Array = typeof delimiter === "number" ? (checkDelimiter(delimiter), delimiter) : checkDelimiter(delimiter);
  const size = typeof needle === "number" ? 1 : needle.length;
  const timeout = checkTimeout(options.timeout);
  let skipped = 0;
  let wait: Wait | undefined;
  for (;;) {
    const index = ring.indexOf(needle, 0);
    if (index >= 0) return skipped + ring.consume(index + size);
    if (ring.ended) return skipped + ring.consume(ring.length);
    skipped += ring.consume(ring.length - size + 1);
    if (wait === undefined) wait = new Wait(timeout);
    if (wait.expired) throw timedOut(ring, "delimiter", timeout!);
    yield* wait.sleep(ring.dataSignal);
  }
}
