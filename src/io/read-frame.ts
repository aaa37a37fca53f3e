/**
 * readFrame: a framer as a reader.
 *
 * @module
 */
import { currentTyme } from "../core/index.js";
import { EndOfStreamError, ReadTimeoutError } from "./errors.js";
import type { Framer } from "./framer.js";
import type { Operation } from "../core/operation.js";
import type { ReadOptions } from "./readers.js";
import type { RingBuffer } from "./ring-buffer.js";
import { Finished } from "./finished.js";
import { checkTimeout } from "./validate.js";
import { Wait } from "./wait.js";
import { withSignal } from "./abortable-read.js";

/** What readFrame keeps per framer between calls. */
interface FramerState {
  /** Frames completed beyond the one returned. */
  frames: Uint8Array[];
  /** Index of the next frame in `frames`. */
  next: number;
}

const states = new WeakMap<Framer, FramerState>();
const EMPTY = new Uint8Array(0);
const NO_OPTIONS: Readonly<ReadOptions> = Object.freeze({});

/**
 * Reads the next frame from `ring` through `framer`, with `yield*`. It moves
 * the ring's bytes into the framer (zero-copy, region by region) and sleeps
 * on `ring.dataSignal` until a frame is complete, or until the framer's
 * `nextPoll()` tyme for time-based framers.
 *
 * Once used with readFrame, the bytes belong to the framer: frames completed
 * beyond the first are kept (per framer) for the next call. Use one framer
 * per ring.
 *
 * @param ring the ring to read
 * @param framer the framer that cuts the stream
 * @param options `timeout` in seconds of tyme
 * @returns the next frame
 * @throws whatever the framer throws (`FrameTooLongError`: the framer has
 *   dropped the bad frame; call readFrame again to go on);
 *   EndOfStreamError when the ring ends (`partial`: the framer's incomplete
 *   frame, from `drain()`); ReadTimeoutError (nothing is lost)
 * @example
 * ```ts
 * const framer = new LengthPrefixedFramer({ lengthSize: 2 });
 * for (;;) {
 *   const packet = yield* readFrame(client.rxbs, framer);
 *   handle(packet);
 * }
 * ```
 */
export function readFrame(ring: RingBuffer, framer: Framer, options: ReadOptions = NO_OPTIONS): Operation<Uint8Array> {
  if (options.signal !== undefined) return withSignal(ring, "readFrame", options, (unsignalled) => readFrame(ring, framer, unsignalled));
  const timeout = checkTimeout(options.timeout);
  let state = states.get(framer);
  if (state === undefined) {
    state = { frames: [], next: 0 };
    states.set(framer, state);
  }
  if (state.next < state.frames.length) return new Finished(take(state));
  return nextFrame(ring, framer, state, timeout);
}

function* nextFrame(ring: RingBuffer, framer: Framer, state: FramerState, timeout: number | undefined): Operation<Uint8Array> {
  let wait: Wait | undefined;
  let tyme = currentTyme();
  for (;;) {
    if (state.next < state.frames.length) return take(state);
    if (ring.length > 0) {
      const regions = ring.readRegions();
      for (const region of regions) {
        let frames: Uint8Array[];
        try {
          frames = framer.push(region, tyme);
        } finally {
          ring.consume(region.length); // the framer holds what it took, even when it threw
        }
        collect(state, frames);
      }
      continue;
    }
    // The ring is empty: collect what the framer held back, and frames that time completed.
    collect(state, framer.push(EMPTY, tyme));
    if (tyme !== undefined && framer.poll !== undefined) collect(state, framer.poll(tyme));
    if (state.next < state.frames.length) continue;
    if (ring.ended) {
      const partial = framer.drain?.() ?? EMPTY;
      const detail = partial.length === 0 ? "" : ` (${partial.length} bytes of an incomplete frame)`;
      throw new EndOfStreamError(`${ring.name}: stream ended before a frame${detail}`, partial);
    }
    if (wait === undefined) wait = new Wait(timeout);
    if (wait.expired) throw new ReadTimeoutError(`${ring.name}: no frame within ${timeout} s of tyme`, timeout!);
    tyme = yield* wait.sleep(ring.dataSignal, framer.nextPoll?.());
  }
}

function collect(state: FramerState, frames: Uint8Array[]): void {
  if (frames.length === 0) return;
  if (state.next >= state.frames.length) {
    state.frames = frames;
    state.next = 0;
  } else for (const frame of frames) state.frames.push(frame);
}

function take(state: FramerState): Uint8Array {
  const frame = state.frames[state.next]!;
  state.frames[state.next++] = EMPTY;
  if (state.next === state.frames.length) {
    state.frames = [];
    state.next = 0;
  }
  return frame;
}
