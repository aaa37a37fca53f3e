/**
 * Generators that move bytes between rings, for the commands that join a
 * socket to the terminal.
 *
 * @module
 */
import { EndOfStreamError, readAvailable, waitFor, writeAll, type Operation, type RingBuffer } from "../index.js";

/**
 * Copies everything from `from` into `to` until `from` ends, waiting for room
 * in `to` instead of dropping (back pressure reaches the sender).
 * @param from the ring to drain
 * @param to the ring to fill
 * @param max most bytes moved per step
 * @returns once `from` has ended and all of it was moved
 */
export function* pump(from: RingBuffer, to: RingBuffer, max = 16 * 1024): Operation<void> {
  for (;;) {
    let chunk: Uint8Array;
    try {
      chunk = yield* readAvailable(from, { max });
    } catch (error) {
      if (error instanceof EndOfStreamError) return;
      throw error;
    }
    yield* writeAll(to, chunk);
  }
}

/**
 * Waits until `ring` is empty (its handle has taken every byte).
 * @param ring usually a handle's `txbs`
 */
export function* drained(ring: RingBuffer): Operation<void> {
  while (!ring.isEmpty) yield* waitFor(ring.spaceSignal);
}
