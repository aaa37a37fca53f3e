/**
 * DelimiterFramer and LineFramer: frames that end with a byte sequence.
 *
 * @module
 */
import { FrameTooLongError } from "./errors.js";
import type { FrameEvent } from "./frame-events.js";
import { BufferedFramer, type FramerOptions } from "./framer.js";
import { checkDelimiter } from "./validate.js";

/** Options of {@link DelimiterFramer}. */
export interface DelimiterFramerOptions extends FramerOptions {
  /** What ends a frame: a byte value, a byte sequence or a string (UTF-8). */
  delimiter: number | Uint8Array | string;
  /** Keep the delimiter at the end of each frame. Default false. */
  includeDelimiter?: boolean | undefined;
}

/**
 * Splits a stream at each delimiter (like `@serialport/parser-delimiter`).
 * Empty frames (two delimiters in a row) are emitted. `max` counts the bytes
 * before the delimiter. An over-long frame is dropped up to and including
 * its delimiter, however far away that is, and framing resumes after it.
 *
 * @example
 * ```ts
 * const framer = new DelimiterFramer({ delimiter: "\r\n", max: 1024 });
 * framer.push(new TextEncoder().encode("OK\r\nER")); // [ "OK" ]
 * framer.push(new TextEncoder().encode("ROR\r\n"));  // [ "ERROR" ]
 * ```
 */
export class DelimiterFramer extends BufferedFramer {
  /** The delimiter's bytes. */
  readonly delimiter: Uint8Array;
  /** Whether frames keep their delimiter. */
  readonly includeDelimiter: boolean;
  /** Bytes before a delimiter that are stripped and not counted (LineFramer's CR). */
  protected readonly slack: number = 0;
  #needle: number | Uint8Array;
  #searched = 0;
  #discarding = false;

  /**
   * @param options `delimiter`, `includeDelimiter`, `max` (default 65 536)
   * @throws TypeError/RangeError naming the bad option
   */
  constructor(options: DelimiterFramerOptions) {
    super(options.max);
    this.delimiter = checkDelimiter(options.delimiter);
    this.#needle = this.delimiter.length === 1 ? this.delimiter[0]! : this.delimiter;
    this.includeDelimiter = options.includeDelimiter === true;
  }

  protected override frame(view: Uint8Array, events: FrameEvent[]): number {
    const search = Buffer.from(view.buffer, view.byteOffset, view.length);
    const size = this.delimiter.length;
    const needle = this.#needle;
    const max = this.max;
    let start = 0;
    let from = this.#searched;
    this.#searched = 0;
    for (;;) {
      const index = search.indexOf(needle, start + from);
      from = 0;
      if (index < 0) break;
      if (this.#discarding) {
        this.#discarding = false;
      } else {
        const length = this.contentLength(view, start, index);
        if (length > max) {
          events.push(new FrameTooLongError(`${this.constructor.name}: frame of ${length} bytes is longer than max ${max}`, max));
        } else events.push(this.cut(view, start, index));
      }
      start = index + size;
    }
    const rest = view.length - start;
    if (this.#discarding) {
      // Keep only what may be the start of a split delimiter.
      return view.length - Math.min(rest, size - 1);
    }
    if (rest >= max + this.slack + size) {
      // No delimiter can follow within max: the frame is too long already.
      this.#discarding = true;
      events.push(new FrameTooLongError(`${this.constructor.name}: frame longer than max ${max} without a delimiter`, max));
      return view.length - (size - 1);
    }
    this.#searched = Math.max(0, rest - size + 1);
    return start;
  }

  /**
   * Measures a frame for the `max` check.
   * @param _view the bytes
   * @param start the frame's first byte
   * @param index where its delimiter starts
   * @returns the frame's length as counted against max
   */
  protected contentLength(_view: Uint8Array, start: number, index: number): number {
    return index - start;
  }

  /**
   * Copies a frame out of the view.
   * @param view the bytes
   * @param start the frame's first byte
   * @param index where its delimiter starts
   * @returns the frame
   */
  protected cut(view: Uint8Array, start: number, index: number): Uint8Array {
    return view.slice(start, this.includeDelimiter ? index + this.delimiter.length : index);
  }

  protected override restart(): void {
    this.#searched = 0;
    this.#discarding = false;
  }
}

/** Options of {@link LineFramer}. */
export interface LineFramerOptions extends FramerOptions {
  /** Keep the LF or CRLF at the end of each line. Default false. */
  includeDelimiter?: boolean | undefined;
}

/**
 * Splits a stream into lines ending with LF or CRLF, the framer form of
 * `readLine`. `max` (default 8192) counts the bytes of a line without its
 * ending; a CR elsewhere in a line is kept.
 *
 * @example
 * ```ts
 * const framer = new LineFramer({ max: 80 });
 * framer.push(new TextEncoder().encode("one\r\ntwo\nthr")); // [ "one", "two" ]
 * ```
 */
export class LineFramer extends DelimiterFramer {
  protected override readonly slack: number = 1;

  /**
   * @param options `max` (default 8192), `includeDelimiter`
   * @throws TypeError/RangeError naming the bad option
   */
  constructor(options: LineFramerOptions = {}) {
    super({ delimiter: 0x0a, max: options.max ?? 8192, includeDelimiter: options.includeDelimiter });
  }

  protected override contentLength(view: Uint8Array, start: number, index: number): number {
    return index > start && view[index - 1] === 0x0d ? index - start - 1 : index - start;
  }

  protected override cut(view: Uint8Array, start: number, index: number): Uint8Array {
    if (this.includeDelimiter) return view.slice(start, index + 1);
    return view.slice(start, start + this.contentLength(view, start, index));
  }
}
