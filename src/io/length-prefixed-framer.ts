/**
 * LengthPrefixedFramer: packets whose header says how long they are.
 *
 * @module
 */
import { FrameError, FrameTooLongError } from "./errors.js";
import type { FrameEvent } from "./frame-events.js";
import { BufferedFramer, type FramerOptions } from "./framer.js";
import { checkCount } from "./validate.js";

/** Options of {@link LengthPrefixedFramer}. */
export interface LengthPrefixedFramerOptions extends FramerOptions {
  /** Bytes of header before the length field. Default 0. */
  lengthOffset?: number | undefined;
  /** Bytes in the length field: 1, 2 or 4. Default 2. */
  lengthSize?: 1 | 2 | 4 | undefined;
  /** Byte order of the length field. Default "big". */
  endian?: "big" | "little" | undefined;
  /**
   * Added to the field's value to get the bytes that follow the length field
   * (e.g. +2 for a CRC the length does not count, or minus the header size
   * when the length counts the whole packet). Default 0.
   */
  lengthAdjustment?: number | undefined;
}

/**
 * Cuts a stream into packets that carry their length: `lengthOffset` bytes
 * of header, a `lengthSize`-byte unsigned length field, then
 * `value + lengthAdjustment` bytes (as Netty's LengthFieldBasedFrameDecoder;
 * `@serialport/parser-packet-length` is offset 1, size 2 little-endian plus
 * an adjustment). Frames are whole packets, header included.
 *
 * A packet longer than `max` (counted whole) is dropped as it arrives, all
 * of its declared length, then framing resumes after it. A field that gives
 * a packet shorter than its own header throws `FrameError` and drops the
 * header: such a stream is out of step and is best `reset()` or reconnected.
 *
 * @example
 * ```ts
 * const framer = new LengthPrefixedFramer({ lengthSize: 1 });
 * framer.push(Uint8Array.of(2, 0xaa, 0xbb, 1)); // [ [2,0xaa,0xbb] ], holds [1]
 * ```
 */
export class LengthPrefixedFramer extends BufferedFramer {
  /** Bytes before the length field. */
  readonly lengthOffset: number;
  /** Bytes in the length field. */
  readonly lengthSize: 1 | 2 | 4;
  /** Whether the field is little-endian. */
  readonly littleEndian: boolean;
  /** Added to the field's value to get the bytes after it. */
  readonly lengthAdjustment: number;
  #skip = 0;

  /**
   * @param options `lengthOffset`, `lengthSize`, `endian`, `lengthAdjustment`, `max`
   * @throws TypeError/RangeError naming the bad option
   */
  constructor(options: LengthPrefixedFramerOptions = {}) {
    super(options.max);
    this.lengthOffset = checkCount("lengthOffset", options.lengthOffset ?? 0);
    const size = options.lengthSize ?? 2;
    if (size !== 1 && size !== 2 && size !== 4) throw new RangeError(`lengthSize must be 1, 2 or 4, got ${String(size)}`);
    this.lengthSize = size;
    const endian = options.endian ?? "big";
    if (endian !== "big" && endian !== "little") throw new RangeError(`endian must be "big" or "little", got ${String(endian)}`);
    this.littleEndian = endian === "little";
    const adjustment = options.lengthAdjustment ?? 0;
    if (typeof adjustment !== "number" || !Number.isInteger(adjustment)) {
      throw new TypeError(`lengthAdjustment must be a whole number, got ${String(adjustment)}`);
    }
    this.lengthAdjustment = adjustment;
  }

  protected override frame(view: Uint8Array, events: FrameEvent[]): number {
    const header = this.lengthOffset + this.lengthSize;
    let start = 0;
    for (;;) {
      if (this.#skip > 0) {
        const skipped = Math.min(this.#skip, view.length - start);
        this.#skip -= skipped;
        start += skipped;
        if (this.#skip > 0) return start;
      }
      if (view.length - start < header) return start;
      const total = header + this.#field(view, start + this.lengthOffset) + this.lengthAdjustment;
      if (total < header) {
        events.push(new FrameError(`${this.constructor.name}: length field gives a packet of ${total} bytes, shorter than its ${header}-byte header`));
        this.#skip = header;
      } else if (total > this.max) {
        events.push(new FrameTooLongError(`${this.constructor.name}: packet of ${total} bytes is longer than max ${this.max}`, this.max));
        this.#skip = total;
      } else if (view.length - start < total) {
        return start;
      } else {
        events.push(view.slice(start, start + total));
        start += total;
      }
    }
  }

  #field(view: Uint8Array, at: number): number {
    const size = this.lengthSize;
    if (size === 1) return view[at]!;
    if (size === 2) return this.littleEndian ? view[at]! | (view[at + 1]! << 8) : (view[at]! << 8) | view[at + 1]!;
    const b0 = view[at]!,
      b1 = view[at + 1]!,
      b2 = view[at + 2]!,
      b3 = view[at + 3]!;
    return this.littleEndian ? (b0 | (b1 << 8) | (b2 << 16)) + b3 * 0x1000000 : b0 * 0x1000000 + ((b1 << 16) | (b2 << 8) | b3);
  }

  protected override restart(): void {
    this.#skip = 0;
  }
}
