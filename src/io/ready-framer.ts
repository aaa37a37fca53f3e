/**
 * ReadyFramer: wait for a banner, then frame what follows.
 *
 * @module
 */
import { FrameTooLongError } from "./errors.js";
import type { FrameEvent } from "./frame-events.js";
import { BufferedFramer, type Framer } from "./framer.js";
import { checkDelimiter } from "./validate.js";

/** Options of {@link ReadyFramer}. */
export interface ReadyFramerOptions {
  /** The bytes that say the device is ready (a byte, bytes or a string). */
  banner: number | Uint8Array | string;
  /** Frames what follows the banner; default: each chunk passes through as a frame. */
  inner?: Framer | undefined;
  /** Most bytes of noise before the banner; default: no limit (noise is dropped as it comes). */
  max?: number | undefined;
}

const EMPTY = new Uint8Array(0);

/**
 * Drops everything up to and including a banner (like
 * `@serialport/parser-ready`), then hands the rest to an inner framer, or
 * passes it through chunk by chunk. `ready` tells whether the banner came.
 * It holds at most the banner's length while waiting, so noise costs no
 * memory. With a `max`, more noise than that throws `FrameTooLongError` once
 * (it keeps waiting for the banner afterwards).
 *
 * @example
 * ```ts
 * const framer = new ReadyFramer({ banner: "READY\r\n", inner: new LineFramer() });
 * framer.push(new TextEncoder().encode("boot...READY\r\nT=21\n")); // [ "T=21" ]
 * ```
 */
export class ReadyFramer extends BufferedFramer {
  /** The banner's bytes. */
  readonly banner: Uint8Array;
  /** The framer for what follows the banner, if any. */
  readonly inner: Framer | undefined;
  #ready = false;
  #noise = 0;
  #overflowed = false;

  /**
   * @param options `banner`, `inner`, `max`
   * @throws TypeError/RangeError naming the bad option
   */
  constructor(options: ReadyFramerOptions) {
    super(options?.max ?? Number.MAX_SAFE_INTEGER);
    this.banner = checkDelimiter(options.banner, "banner");
    this.inner = options.inner;
  }

  /** The banner has been seen. */
  get ready(): boolean {
    return this.#ready;
  }

  protected override frame(view: Uint8Array, events: FrameEvent[], tyme: number | undefined): number {
    let start = 0;
    if (!this.#ready) {
      const size = this.banner.length;
      const index = Buffer.from(view.buffer, view.byteOffset, view.length).indexOf(this.banner);
      const noise = index >= 0 ? index : Math.max(0, view.length - size + 1);
      this.#noise += noise;
      if (this.#noise > this.max && !this.#overflowed) {
        this.#overflowed = true;
        events.push(new FrameTooLongError(`${this.constructor.name}: more than ${this.max} bytes before the banner`, this.max));
      }
      if (index < 0) return noise;
      this.#ready = true;
      start = index + size;
    }
    const rest = view.subarray(start);
    const inner = this.inner;
    if (inner === undefined) {
      if (rest.length > 0) events.push(rest.slice());
      return view.length;
    }
    // Collect the inner framer's output, errors included, in its order.
    let chunk = rest;
    for (;;) {
      try {
        for (const frame of inner.push(chunk, tyme)) events.push(frame);
        return view.length;
      } catch (error) {
        events.push(error as Error);
        chunk = EMPTY;
      }
    }
  }

  /** See {@link Framer.poll}: passes on to the inner framer. */
  poll(tyme: number): Uint8Array[] {
    return this.#ready && this.inner?.poll !== undefined ? this.inner.poll(tyme) : [];
  }

  /** See {@link Framer.nextPoll}: the inner framer's. */
  nextPoll(): number | undefined {
    return this.#ready ? this.inner?.nextPoll?.() : undefined;
  }

  /** See {@link Framer.drain}: the inner framer's incomplete frame (noise is not a frame). */
  override drain(): Uint8Array {
    const bytes = this.#ready ? (this.inner?.drain?.() ?? new Uint8Array(0)) : new Uint8Array(0);
    this.reset();
    return bytes;
  }

  protected override restart(): void {
    this.#ready = false;
    this.#noise = 0;
    this.#overflowed = false;
    this.inner?.reset();
  }
}
