/**
 * The Framer interface, and BufferedFramer, the base that most framers build
 * on: it keeps the bytes of an incomplete frame between pushes and keeps the
 * output in stream order when a framing error falls between frames.
 *
 * @module
 */
import { ByteQueue } from "./byte-queue.js";
import { FrameEvents, type FrameEvent } from "./frame-events.js";
import { checkCount } from "./validate.js";

/**
 * Splits a byte stream into frames, whatever the chunking: pushing the same
 * bytes in any chunks yields the same frames and errors in the same order.
 *
 * A framer over its size limit throws `FrameTooLongError`; it has then
 * already dropped the over-long frame and resumes at the next frame boundary
 * by itself. Output stays in stream order: when frames precede the error in
 * one push, that push returns them and the next call (an empty push will do)
 * throws the error; frames after the error come out of the call after that.
 */
export interface Framer {
  /**
   * Adds a chunk of the stream.
   * @param chunk the next bytes (not kept: the framer copies what it holds)
   * @param tyme the tyme they arrived at (used by time-based framers)
   * @returns the frames completed so far, in order (new arrays)
   * @throws FrameTooLongError (or another FrameError) for a bad frame
   */
  push(chunk: Uint8Array, tyme?: number): Uint8Array[];
  /**
   * Completes frames that end by time passing (e.g. an inter-byte timeout).
   * @param tyme the current tyme
   * @returns the frames completed
   */
  poll?(tyme: number): Uint8Array[];
  /**
   * Tells when `poll` may next complete a frame, so a reader can sleep till then.
   * @returns that tyme, or undefined when only more bytes can complete one
   */
  nextPoll?(): number | undefined;
  /**
   * Removes and returns the bytes of an incomplete frame (at the end of a
   * stream), and resets the framer.
   * @returns the bytes, possibly empty
   */
  drain?(): Uint8Array;
  /** Forgets everything held, to start afresh (e.g. after a reconnect). */
  reset(): void;
}

/** Options every size-limited framer takes. */
export interface FramerOptions {
  /** Most bytes in a frame. Default 65 536. */
  max?: number | undefined;
}

/**
 * A framer that scans one contiguous view: the bytes it held, then the new
 * chunk. Subclasses implement `frame`, appending frames and errors in stream
 * order; this base holds the unused tail and delivers the output.
 */
export abstract class BufferedFramer implements Framer {
  /** Most bytes in a frame. */
  readonly max: number;
  readonly #held = new ByteQueue();
  readonly #events = new FrameEvents();

  /**
   * @param max most bytes in a frame (default 65 536)
   * @param name the option's name for errors
   */
  constructor(max: number | undefined, name = "max") {
    this.max = max === undefined ? 65_536 : checkCount(name, max);
  }

  /** Bytes held for an incomplete frame. */
  get held(): number {
    return this.#held.length;
  }

  /** See {@link Framer.push}. */
  push(chunk: Uint8Array, tyme?: number): Uint8Array[] {
    const events = this.#events.begin();
    const held = this.#held;
    let view: Uint8Array;
    if (held.length === 0) view = chunk;
    else {
      held.append(chunk);
      view = held.view();
    }
    const used = this.frame(view, events, tyme);
    if (view === chunk) {
      if (used < chunk.length) held.append(chunk.subarray(used));
    } else held.drop(used);
    return this.#events.deliver(events);
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
    this.#events.clear();
    this.restart();
  }

  /**
   * Scans `view` (held bytes, then the new chunk) for frames.
   * @param view the bytes to scan; copy what you emit (`slice`)
   * @param events where to append frames and errors, in stream order
   * @param tyme the tyme passed to `push`
   * @returns how many bytes of `view` it used up; the rest is held
   */
  protected abstract frame(view: Uint8Array, events: FrameEvent[], tyme: number | undefined): number;

  /** Resets the subclass's scanning state. */
  protected abstract restart(): void;
}
