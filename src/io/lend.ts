/**
 * Zero-copy reading for handlers: borrow the bytes waiting in a ring as
 * views instead of copying them into a fresh array, and move bytes from one
 * ring to another with back pressure and no intermediate array.
 *
 * The allocating readers (`readAvailable`, `readLine`...) stay the simple
 * choice; these are for the hot paths (an echo, a proxy, a checksum over a
 * stream), where a new 64 KiB array per read is what costs.
 *
 * @module
 */
import { EndOfStreamError, ReadTimeoutError } from "./errors.js";
import { Finished } from "./finished.js";
import type { Operation } from "../core/operation.js";
import type { Regions, RingBuffer } from "./ring-buffer.js";
import { checkCount, checkTimeout } from "./validate.js";
import { Wait } from "./wait.js";

/** Options of {@link lendRegions}. */
export interface LendOptions {
  /** Most bytes to lend; default: all there are. */
  max?: number | undefined;
  /** Seconds of tyme to wait for a first byte; default: no limit. */
  timeout?: number | undefined;
}

/** Options of {@link pipe}. */
export interface PipeOptions {
  /** Most bytes to move, then return; default: until `from` has ended and is drained. */
  max?: number | undefined;
}

const NO_OPTIONS: Readonly<LendOptions> = Object.freeze({});

/**
 * Lends the bytes waiting in `ring` as at most two views (two when they wrap
 * around the end of its store), waiting only while the ring is empty. Nothing
 * is copied and nothing is consumed: use the views, then call
 * `ring.consume(n)` with how many bytes you are done with (any number up to
 * their total; the rest is lent again next time).
 *
 * The views show the ring's own store: read them before the next `yield`
 * and before consuming, and copy what you keep. (Bytes that arrive meanwhile
 * do not change them.) Like every reader, use it as its ring's only consumer.
 *
 * @param ring the ring to read (usually a handle's `rxbs`)
 * @param options `max` bytes to lend, `timeout` in seconds of tyme
 * @returns one or two non-empty views holding 1..max bytes in order
 * @throws EndOfStreamError (with an empty `partial`) when the ring has ended
 *   and is drained; ReadTimeoutError; RangeError for a bad `max`
 * @example
 * ```ts
 * const regions = yield* lendRegions(remoter.rxbs, { max: 65_536 });
 * let sum = 0;
 * for (const region of regions) for (const byte of region) sum += byte;
 * remoter.rxbs.consume(regionsLength(regions));
 * ```
 */
export function lendRegions(ring: RingBuffer, options: LendOptions = NO_OPTIONS): Operation<Regions> {
  const max = options.max === undefined ? Number.POSITIVE_INFINITY : checkCount("max", options.max, 1);
  const timeout = checkTimeout(options.timeout);
  if (ring.length > 0) return new Finished(lend(ring, max));
  return waitToLend(ring, max, timeout);
}

function* waitToLend(ring: RingBuffer, max: number, timeout: number | undefined): Operation<Regions> {
  let wait: Wait | undefined;
  for (;;) {
    if (ring.length > 0) return lend(ring, max);
    if (ring.ended) throw new EndOfStreamError(`${ring.name}: stream ended before more bytes`, ring.read());
    if (wait === undefined) wait = new Wait(timeout);
    if (wait.expired) throw new ReadTimeoutError(`${ring.name}: no bytes within ${timeout} s of tyme`, timeout!);
    yield* wait.sleep(ring.dataSignal);
  }
}

/** The ring's read regions, cut to `max` bytes. */
function lend(ring: RingBuffer, max: number): Regions {
  const regions = ring.readRegions();
  if (ring.length <= max) return regions;
  const first = regions[0]!;
  if (first.length >= max) return [first.subarray(0, max)];
  return [first, regions[1]!.subarray(0, max - first.length)];
}

/**
 * Counts the bytes in lent views.
 * @param regions what {@link lendRegions} returned
 * @returns the total length
 */
export function regionsLength(regions: Regions): number {
  return regions.length === 0 ? 0 : regions.length === 1 ? regions[0].length : regions[0].length + regions[1].length;
}

/**
 * Moves bytes from one ring to another (an echo: `rxbs` to `txbs`; a
 * bridge: one handle's `rxbs` to another's `txbs`) with one copy, straight
 * from `from`'s store into `to`'s, and back pressure both ways: it sleeps
 * while `from` is empty or `to` is full, so a slow receiver stops reading
 * from the source instead of buffering without bound.
 *
 * @param from the ring to drain
 * @param to the ring to fill
 * @param options `max` bytes to move, then return
 * @returns how many bytes it moved: all until `from` ended and was drained,
 *   or `max`
 * @throws RingEndedError when `to` was ended (what was moved before stays moved)
 * @example
 * ```ts
 * const echo = new SerialDoer({
 *   serial,
 *   handler: function* (serial) {
 *     yield* pipe(serial.rxbs, serial.txbs); // until the device's stream ends
 *   },
 * });
 * ```
 */
export function* pipe(from: RingBuffer, to: RingBuffer, options: PipeOptions = {}): Operation<number> {
  const max = options.max === undefined ? Number.POSITIVE_INFINITY : checkCount("max", options.max, 1);
  let moved = 0;
  let wait: Wait | undefined;
  for (;;) {
    moved += move(from, to, max - moved);
    if (moved >= max || from.exhausted) return moved;
    if (wait === undefined) wait = new Wait(undefined);
    yield* wait.sleep(from.length === 0 ? from.dataSignal : to.spaceSignal);
  }
}

/** Copies up to `limit` bytes from `from`'s regions into `to`; returns how many. */
function move(from: RingBuffer, to: RingBuffer, limit: number): number {
  let moved = 0;
  // Consuming may let the source add bytes at once (its intake resumes), so
  // look again until `from` is empty, `to` is full, or the limit is reached.
  while (moved < limit && from.length > 0 && to.free > 0) {
    const region = from.readRegions()[0]!;
    const want = Math.min(region.length, limit - moved);
    const taken = to.write(want === region.length ? region : region.subarray(0, want));
    from.consume(taken);
    moved += taken;
  }
  return moved;
}
