/**
 * writeAll: the writer's side of back pressure.
 *
 * @module
 */
import type { RingBuffer } from "./ring-buffer.js";
import { WriteTimeoutError } from "./errors.js";
import type { Operation } from "../core/index.js";
import type { ReadOptions } from "./readers.js";
import { checkTimeout } from "./validate.js";
import { Finished } from "./finished.js";
import { Wait } from "./wait.js";
import { withSignal } from "./abortable-read.js";

const NO_OPTIONS: Readonly<ReadOptions> = Object.freeze({});

/**
 * Writes all of `bytes` into `ring`, sleeping on `ring.spaceSignal` while it
 * is full instead of dropping anything. Bytes go in as room frees up, so
 * `bytes` may be larger than the ring. What fits goes in at the call.
 * @param ring the ring to write (usually a handle's `txbs`)
 * @param bytes the bytes to write; read as they go in, so do not change them meanwhile
 * @param options `timeout` in seconds of tyme, `signal` (an abort throws
 *   AbortError; the bytes written so far stay in the ring)
 * @returns how many bytes it wrote: `bytes.length`, or fewer when the ring
 *   was cleared or discarded while it waited for room (the write was cut,
 *   e.g. its connection was lost: the rest is not written, so nothing
 *   finishes a torn write on a new connection, and `discard()` counted it)
 * @throws WriteTimeoutError when the timeout passes first (`written` says how
 *   many went in); RingEndedError when the ring was ended
 * @example
 * ```ts
 * yield* writeAll(client.txbs, new TextEncoder().encode("PING\r\n"));
 * ```
 */
export function writeAll(ring: RingBuffer, bytes: Uint8Array, options: ReadOptions = NO_OPTIONS): Operation<number> {
  if (options.signal !== undefined) return withSignal(ring, "writeAll", options, (unsignalled) => writeAll(ring, bytes, unsignalled));
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`bytes must be a Uint8Array, got ${typeof bytes}`);
  const timeout = checkTimeout(options.timeout);
  const written = ring.write(bytes);
  if (written === bytes.length) return new Finished(written);
  return waitForRoom(ring, bytes, written, timeout);
}

function* waitForRoom(ring: RingBuffer, bytes: Uint8Array, written: number, timeout: number | undefined): Operation<number> {
  let wait: Wait | undefined;
  const epoch = ring.epoch;
  try {
    while (written < bytes.length) {
      if (wait === undefined) wait = new Wait(timeout);
      if (wait.expired) {
        throw new WriteTimeoutError(`${ring.name}: only ${written} of ${bytes.length} bytes found room within ${timeout} s of tyme`, timeout!, written);
      }
      yield* wait.sleep(ring.spaceSignal);
      if (ring.epoch !== epoch) {
        // The ring was cleared or discarded meanwhile (e.g. its connection was
        // lost): finishing the write there would tear it. Drop the rest.
        ring.dropRest(bytes.length - written);
        return written;
      }
      written += ring.write(bytes.subarray(written));
    }
    return written;
  } finally {
    // A write that will not go on (a timeout, an abort, its dog closed) ends
    // its record here, so the next write starts a record of its own.
    if (written < bytes.length && ring.epoch === epoch) ring.closeWrite();
  }
}
