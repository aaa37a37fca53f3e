/**
 * FixedLengthFramer: frames of a fixed size.
 *
 * @module
 */
import type { FrameEvent } from "./frame-events.js";
import { BufferedFramer } from "./framer.js";
import { checkCount } from "./validate.js";

/** Options of {@link FixedLengthFramer}. */
export interface FixedLengthFramerOptions {
  /** Bytes in every frame (also its size limit). */
  length: number;
}

/**
 * Cuts a stream into frames of exactly `length` bytes (like
 * `@serialport/parser-byte-length`). It never holds more than `length - 1`
 * bytes, so it cannot overflow.
 *
 * @example
 * ```ts
 * const framer = new FixedLengthFramer({ length: 4 });
 * framer.push(Uint8Array.of(1, 2, 3, 4, 5, 6)); // [ [1,2,3,4] ], holds [5,6]
 * ```
 */
export class FixedLengthFramer extends BufferedFramer {
  /** Bytes in every frame. */
  readonly length: number;

  /**
   * @param options `length` (a whole number >= 1)
   * @throws TypeError/RangeError naming `length`
   */
  constructor(options: FixedLengthFramerOptions) {
    const length = checkCount("length", options?.length, 1);
    super(length, "length");
    this.length = length;
  }

  protected override frame(view: Uint8Array, events: FrameEvent[]): number {
    const length = this.length;
    let start = 0;
    for (; view.length - start >= length; start += length) events.push(view.slice(start, start + length));
    return start;
  }

  protected override restart(): void {}
}
