/**
 * The handle contract: what every transport handle (Client, Remoter, Peer,
 * Serial, Console) offers the Doer that services it and the protocol code
 * that uses it, so one mental model (and one Doer form) fits them all.
 *
 * After smoltcp's sockets: one `state` says where the handle is, and two
 * queries say what may still happen (`maySend`, `mayReceive`), instead of a
 * set of booleans per transport; one number (`due`, smoltcp's `poll_at`) says
 * when `service()` must run even if no I/O event wakes it.
 *
 * @module
 */
import { WAIT, type Signal, type Tymth, type Waker } from "../core/index.js";

/**
 * Where a handle is in its lifecycle:
 * - `closed`: not open (initially, after `close()`, or after an open that
 *   failed and will not be retried; `error` then says why);
 * - `opening`: a connect, bind, handshake or device open is in progress;
 * - `open`: bytes flow both ways;
 * - `cutoff`: the far side closed, broke or vanished; bytes received before
 *   are still readable, `mayReceive` is false once they are in, and a
 *   reconnecting/reopening handle retries when `due`.
 */
export type HandleState = "closed" | "opening" | "open" | "cutoff";

/**
 * Where a handle reports what crossed the wire: `WireLog` fits. The bytes
 * passed are only valid during the call: copy to keep them.
 */
export interface WireTap {
  /**
   * Records bytes received from `peer` (`host:port`, a path, a device). The
   * bytes are only lent for the call, as in `tx`: copy what you keep (a
   * socket's chunk goes on to a reader, which may change it).
   */
  rx(bytes: Uint8Array, peer: string): void;
  /** Records bytes sent to `peer`; they are a view of `txbs`, lent for the call. */
  tx(bytes: Uint8Array, peer: string): void;
}

/** The contract between a transport handle, its Doer and protocol code. */
export interface Handle {
  /** Names the handle and its address for messages, e.g. `client 127.0.0.1:7000`. */
  readonly label: string;
  /** Where the handle is in its lifecycle. */
  readonly state: HandleState;
  /**
   * Bytes (or datagrams) written now may still reach the peer: the handle is
   * open, half-open after the peer's FIN, or will reconnect and send them.
   */
  readonly maySend: boolean;
  /** More bytes (or datagrams) may still arrive: false once the receive side has ended for good. */
  readonly mayReceive: boolean;
  /** Why it is closed or cut off, if it failed; `undefined` otherwise. */
  readonly error: Error | undefined;
  /** Notified on every change of `state`. */
  readonly stateSignal: Signal;
  /**
   * Tyme at which `service()` must run even if no I/O event wakes its Doer (a
   * deadline, a retry, a reopen); {@link WAIT} (`Infinity`) when only events
   * matter. Turn it into a tock with {@link tockUntil}.
   */
  readonly due: number;
  /** Who to wake on I/O events: set by the Doer in its enter context. */
  waker: Waker | undefined;
  /** Where chunks are recorded, if anywhere. */
  wirelog: WireTap | undefined;
  /** Moves the handle onto its Doer's tyme base. */
  wind(tymth: Tymth): void;
  /** Opens (connects, binds, opens the device); rejects with a typed error naming the handle when it cannot. */
  open(): Promise<void>;
  /** Closes it; safe to call twice. May return a Promise that settles once the OS resource is released. */
  close(): void;
  /** Moves bytes between the OS and the buffers once, and does what is `due`; never blocks. */
  service(): void;
}

/**
 * Turns a handle's `due` into the tock its Doer yields: seconds until `due`,
 * `undefined` (the next tick) when it is due already, {@link WAIT} when
 * nothing is timed.
 * @param due the tyme at which the handle must run, or `WAIT`
 * @param tyme the current tyme (`undefined` before the doer is wound: next tick)
 * @returns the tock to yield
 */
export function tockUntil(due: number, tyme: number | undefined): number | undefined {
  if (due === WAIT) return WAIT;
  if (tyme === undefined) return undefined;
  const wait = due - tyme;
  return wait > 0 ? wait : undefined;
}

/** Options of a handle's `open()` that takes them (Client, Server, Peer). */
export interface OpenOptions {
  /**
   * Aborting it closes the handle; a pending `open()` then rejects with core's
   * `AbortError` (`cause`: the signal's reason).
   */
  signal?: AbortSignal | undefined;
}
