/**
 * Errors of the I/O primitives. Each names the ring (or framer) it concerns,
 * and carries the bytes involved, so a caller can log or resynchronise
 * without losing data.
 *
 * @module
 */
import { HioError } from "../core/index.js";

/** Thrown by `write` or `commit` on a ring after `end()`: nothing more may be added. */
export class RingEndedError extends HioError {}

/**
 * Base class of framing errors: the bytes do not form a frame the reader or
 * framer accepts (for example a length field that is impossible).
 */
export class FrameError extends HioError {}

/**
 * Thrown when a frame is longer than the reader's or framer's `max` (or than
 * the ring can hold).
 *
 * What is left afterwards is part of each API's contract: a **reader** leaves
 * the ring untouched (the over-long frame's first bytes are still at its read
 * end; skip them with `skipUntil`, or `clear()` the ring); a **framer** has
 * already discarded the over-long frame and resumes at the next frame
 * boundary by itself.
 */
export class FrameTooLongError extends FrameError {
  /** The limit that was exceeded, in bytes (characters for RegexFramer). */
  readonly max: number;

  /**
   * @param message what overflowed, naming the ring or framer
   * @param max the limit that was exceeded
   */
  constructor(message: string, max: number) {
    super(message);
    this.max = max;
  }
}

/**
 * Thrown when a ring ends (the peer closed) before a reader's frame was
 * complete. The reader has drained the ring: its remaining bytes are in
 * `partial`. `partial.length === 0` means the stream ended cleanly between
 * frames.
 *
 * A clean end (empty `partial`) is how every connection's handler normally
 * ends, so it is built without a stack trace: its `stack` is only the
 * `EndOfStreamError: message` line. Capturing a trace costs a few
 * microseconds, which 10 000 connections closing at once turn into a stall
 * of the event loop. An end with bytes in `partial` is a real loss and keeps
 * its full stack.
 */
export class EndOfStreamError extends HioError {
  /** The bytes of the incomplete frame (empty for a clean end). */
  readonly partial: Uint8Array;

  /**
   * @param message what ended, naming the ring
   * @param partial the bytes of the incomplete frame (none: a clean end, built without a stack trace)
   */
  constructor(message: string, partial: Uint8Array) {
    const clean = partial.length === 0;
    const limit = Error.stackTraceLimit;
    if (clean) Error.stackTraceLimit = 0; // no frames captured: see the class doc
    try {
      super(message);
    } finally {
      if (clean) Error.stackTraceLimit = limit;
    }
    this.partial = partial;
  }

  /** The stream ended between frames (nothing was lost). */
  get clean(): boolean {
    return this.partial.length === 0;
  }
}

/**
 * Thrown when a reader's `timeout` (seconds of tyme) passes before its frame
 * is complete. The ring is untouched: the bytes that did arrive are still
 * there for the next read.
 */
export class ReadTimeoutError extends HioError {
  /** The timeout that passed, in seconds of tyme. */
  readonly timeout: number;

  /**
   * @param message what timed out, naming the ring
   * @param timeout the timeout in seconds of tyme
   */
  constructor(message: string, timeout: number) {
    super(message);
    this.timeout = timeout;
  }
}

/**
 * Thrown by `writeAll` when its `timeout` passes before all bytes found room.
 * The first `written` bytes are in the ring; the rest were not taken.
 */
export class WriteTimeoutError extends HioError {
  /** The timeout that passed, in seconds of tyme. */
  readonly timeout: number;
  /** How many bytes were written before the timeout. */
  readonly written: number;

  /**
   * @param message what timed out, naming the ring
   * @param timeout the timeout in seconds of tyme
   * @param written how many bytes were written
   */
  constructor(message: string, timeout: number, written: number) {
    super(message);
    this.timeout = timeout;
    this.written = written;
  }
}

/** Thrown by `parseWireLog` for a line that is not in the transcript format. */
export class WireLogFormatError extends HioError {}

/**
 * Thrown by `new WireLog({ path })` when the file cannot be opened or its
 * header cannot be written (no such directory, permission denied, a
 * directory...). The message names the path and the reason; `code` is the
 * system's error code (e.g. `ENOENT`) and `cause` the original error.
 */
export class WireLogError extends HioError {
  /** The path that could not be opened. */
  readonly path: string;
  /** The system's error code, e.g. `ENOENT` or `EACCES`, when there is one. */
  readonly code: string | undefined;

  /**
   * @param message what failed, naming the wirelog and the path
   * @param path the path
   * @param options `cause`: the `fs` error
   */
  constructor(message: string, path: string, options?: ErrorOptions) {
    super(message, options);
    this.path = path;
    const code = (options?.cause as { code?: unknown } | undefined)?.code;
    this.code = typeof code === "string" ? code : undefined;
  }
}
