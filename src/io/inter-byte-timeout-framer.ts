/**
 * InterByteTimeoutFramer: a frame ends when the line goes quiet.
 *
 * @module
 */
import { ByteQueue } from "./byte-queue.js";
import { FrameTooLongError } from "./errors.js";
import { FrameEvents } from "./frame-events.js";
import type { Framer, FramerOptions } from "./framer.js";
import { checkCount } from "./validate.js";

/** Options of {@link InterByteTimeoutFramer}. */
export interface InterByteTimeoutFramerOptions extends FramerOptions {
  /** Seconds of tyme without a byte that end a frame. */
  interval: number;
}

/** Forgives float rounding in tyme sums (e.g. 0.1 + 0.2). */
const EPSILON = 1e-9;

/**
 * Ends a frame when `interval` seconds of tyme pass without a byte (like
 * `@serialport/parser-inter-byte-timeout`; Modbus RTU's 3.5 characters).
 * `push(chunk, tyme)` emits the held frame first when the gap before this
 * chunk reached the interval; `poll(tyme)` emits it when the interval has
 * passed since the last byte, and `nextPoll()` says when that will be, so
 * `readFrame` sleeps exactly until then. A push without a tyme never ends a
 * frame by itself.
 *
 * Over `max` it throws `FrameTooLongError`, drops the held bytes and keeps
 * dropping until the next gap.
 *
 * @example
 * ```ts
 * const framer = new InterByteTimeoutFramer({ interval: 0.004, max: 256 });
 * framer.push(request, tyme);         // []
 * framer.poll(tyme + 0.004);          // [ request ]
 * ```
 */
export class InterByteTimeoutFramer implements Framer {
  /** Seconds of tyme without a byte that end a frame. */
  readonly interval: number;
  /** Most bytes in a frame. */
  readonly max: number;
  readonly #held = new ByteQueue();
  #last = Number.NaN;
  #discarding = false;
  readonly #events = new FrameEvents();

  /**
   * @param options `interval` (seconds of tyme, > 0), `max` (default 65 536)
   * @throws TypeError/RangeError naming the bad option
   */
  constructor(options: InterByteTimeoutFramerOptions) {
    const interval = options?.interval;
    if (typeof interval !== "number") throw new TypeError(`interval must be a number of seconds, got ${typeof interval}`);
    if (!(interval > 0) || !Number.isFinite(interval)) throw new RangeError(`interval must be a finite number of seconds > 0, got ${interval}`);
    this.interval = interval;
    this.max = options.max === undefined ? 65_536 : checkCount("max", options.max);
  }

  /** See {@link Framer.push}. */
  push(chunk: Uint8Array, tyme?: number): Uint8Array[] {
    const events = this.#events.begin();
    if (tyme !== undefined) this.#gap(tyme, events);
    if (chunk.length > 0) {
      if (tyme !== undefined) this.#last = tyme;
      if (!this.#discarding) {
        const length = this.#held.length + chunk.length;
        if (length > this.max) {
          this.#held.clear();
          this.#discarding = true;
          events.push(new FrameTooLongError(`${this.constructor.name}: frame of ${length}+ bytes is longer than max ${this.max}`, this.max));
        } else this.#held.append(chunk);
      }
    }
    return this.#events.deliver(events);
  }

  /** See {@link Framer.poll}. */
  poll(tyme: number): Uint8Array[] {
    const events = this.#events.begin();
    this.#gap(tyme, events);
    return this.#events.deliver(events);
  }

  /** Ends the held frame (or the dropping) when the line has been quiet long enough. */
  #gap(tyme: number, events: (Uint8Array | Error)[]): void {
    if (tyme + EPSILON < this.#last + this.interval) return;
    this.#discarding = false;
    if (this.#held.length > 0) {
      events.push(this.#held.view().slice());
      this.#held.clear();
    }
  }

  /** See {@link Framer.nextPoll}. */
  nextPoll(): number | undefined {
    if (this.#events.waiting) return Number.NEGATIVE_INFINITY;
    return this.#held.length > 0 || this.#discarding ? this.#last + this.interval : undefined;
  }

  /** See {@link Framer.drain}. */
  drain(): Uint8Array {
    const bytes = this.#held.view().slice();
    this.reset();
    return bytes;
  }

  /** See {@link Framer.reset}. */
  reset(): void {
    this.#held.clear();
    this.#last = Number.NaN;
    this.#discarding = false;
    this.#events.clear();
  }
}
