/**
 * What every handle of the serial layer (Serial, Console, Driver) offers its
 * doer, so one {@link SerialDoer} runs any of them.
 *
 * @module
 */
import type { Signal, Tymth, Waker } from "../core/index.js";
import type { RingBuffer } from "../io/index.js";

/**
 * Lifecycle of a serial handle:
 * - `closed`: not open (initially, after `close()`, or after an open that
 *   failed and will not be retried; then `error` says why);
 * - `opening`: an open is in progress;
 * - `open`: bytes flow between the device and the rings;
 * - `cutoff`: the device went away (or is not there yet); a reopenable
 *   handle retries every `tymeout` seconds of tyme.
 */
export type SerialState = "closed" | "opening" | "open" | "cutoff";

/** The contract between a serial handle and the doer that services it. */
export interface SerialHandle {
  /** A name for logs and errors, e.g. `serial /dev/ttyUSB0`. */
  readonly name: string;
  /** Bytes received, waiting for protocol code. */
  readonly rxbs: RingBuffer;
  /** Bytes waiting to be sent. */
  readonly txbs: RingBuffer;
  /** Where the handle is in its lifecycle. */
  readonly state: SerialState;
  /** Why it is closed or cut off, if it failed; `undefined` otherwise. */
  readonly error: Error | undefined;
  /** Whether it retries opening after a cutoff or a failed open. */
  readonly reopenable: boolean;
  /** Notified on every change of `state`. */
  readonly stateSignal: Signal;
  /** Nothing waits in `txbs` and nothing is in flight to the device. */
  readonly drained: boolean;
  /** Notified when the handle becomes `drained`. */
  readonly drainSignal: Signal;
  /**
   * Tyme at which `service()` must run even if nothing wakes the doer (a
   * reopen attempt); `Infinity` when only I/O events matter.
   */
  readonly due: number;
  /** Who to wake on I/O events: set by the doer in its enter context. */
  waker: Waker | undefined;
  /** Moves the handle onto its doer's tyme base. */
  wind(tymth: Tymth): void;
  /** Opens it; rejects with a typed error when it cannot. */
  open(): Promise<void>;
  /** Closes it; safe to call twice; resolves once the device is released. */
  close(): Promise<void>;
  /** Moves bytes between the device and the rings and retries a reopen when due; never blocks. */
  service(): void;
}
