/**
 * What every handle of the serial layer (Serial, Console, Driver) offers its
 * doer, so one {@link SerialDoer} runs any of them: the shared
 * {@link Handle} contract of `hio-ts/io`, plus byte rings and a drain signal.
 *
 * @module
 */
import type { Signal } from "../core/index.js";
import type { Handle, HandleState, RingBuffer } from "../io/index.js";

/**
 * Lifecycle of a serial handle (the shared {@link HandleState}):
 * - `closed`: not open (initially, after `close()`, or after an open that
 *   failed and will not be retried; then `error` says why);
 * - `opening`: an open is in progress;
 * - `open`: bytes flow between the device and the rings;
 * - `cutoff`: the device went away (or is not there yet); a reopenable
 *   handle retries every `tymeout` seconds of tyme.
 */
export type SerialState = HandleState;

/** The contract between a serial handle and the doer that services it: {@link Handle} with byte rings. */
export interface SerialHandle extends Handle {
  /** A name for logs and errors, e.g. `serial /dev/ttyUSB0` (the same as `label`). */
  readonly name: string;
  /** Bytes received, waiting for protocol code. */
  readonly rxbs: RingBuffer;
  /** Bytes waiting to be sent. */
  readonly txbs: RingBuffer;
  /** Whether it retries opening after a cutoff or a failed open. */
  readonly reopenable: boolean;
  /** Nothing waits in `txbs` and nothing is in flight to the device. */
  readonly drained: boolean;
  /** Notified when the handle becomes `drained`. */
  readonly drainSignal: Signal;
  /** Closes it; safe to call twice; resolves once the device is released. */
  close(): Promise<void>;
}
