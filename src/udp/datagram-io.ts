/**
 * Generator readers and writers for a Peer, used with `yield*` inside a dog,
 * like io's `readLine` and `writeAll`: they return at once when they can and
 * otherwise sleep on the peer's signals, so waiting costs nothing.
 *
 * @module
 */
import { currentTyme, type Operation, waitFor } from "../core/index.js";
import { checkTimeout, formatUdpAddress, type UdpAddress } from "./address.js";
import { UdpTimeoutError } from "./errors.js";
import type { Peer } from "./peer.js";
import type { Datagram } from "./peer-options.js";

/** Options of {@link readDatagram} and {@link writeDatagram}. */
export interface DatagramWaitOptions {
  /** Seconds of tyme to wait at most; default: no limit. */
  timeout?: number;
}

/**
 * The generator type of the waiting helpers.
 * @deprecated use {@link Operation} from core, the one name for what readers,
 *   writers and handlers return; `Waiting<T>` is the same type.
 */
export type Waiting<T> = Operation<T>;

/**
 * Waits for the next datagram and takes it.
 * @param peer the peer to read from
 * @param options `timeout` in seconds of tyme
 * @returns the datagram `{ data, from }`
 * @throws UdpTimeoutError when the timeout runs out; UdpStateError when the
 *   peer is closed and nothing is left to read (its UdpOpenError when the open failed)
 * @example
 * ```ts
 * const echo = new PeerDoer({ peer, handler: function* (peer) {
 *   for (;;) {
 *     const { data, from } = yield* readDatagram(peer);
 *     yield* writeDatagram(peer, data, from);
 *   }
 * } });
 * ```
 */
export function* readDatagram(peer: Peer, options: DatagramWaitOptions = {}): Operation<Datagram> {
  const timeout = checkTimeout("timeout", options.timeout);
  let deadline = deadlineOf(timeout);
  let expired = false;
  for (;;) {
    const datagram = peer.receive();
    if (datagram !== undefined) return datagram;
    if (peer.closed) throw peer.closedError("receive");
    if (expired) throw new UdpTimeoutError(`${peer.toString()}: no datagram within ${timeout} s`);
    const tyme = yield* waitFor(peer.receiveSignal, remaining(deadline, timeout));
    deadline ??= timeout === undefined ? undefined : tyme + timeout;
    expired = deadline !== undefined && tyme >= deadline;
  }
}

/**
 * Queues a datagram, waiting for room in the send queue instead of failing.
 * @param peer the peer to send from
 * @param data the payload (not copied: leave it unchanged until sent)
 * @param to the destination
 * @param options `timeout` in seconds of tyme
 * @throws UdpTimeoutError when no room freed in time; UdpStateError when the
 *   peer is closed; UdpDatagramSizeError when over `maxDatagramSize`
 */
export function* writeDatagram(peer: Peer, data: Uint8Array, to: UdpAddress, options: DatagramWaitOptions = {}): Operation<void> {
  const timeout = checkTimeout("timeout", options.timeout);
  let deadline = deadlineOf(timeout);
  let expired = false;
  for (;;) {
    if (peer.send(data, to)) return;
    if (expired) throw new UdpTimeoutError(`${peer.toString()}: no room to send to ${formatUdpAddress(to)} within ${timeout} s`);
    const tyme = yield* waitFor(peer.sendSignal, remaining(deadline, timeout));
    deadline ??= timeout === undefined ? undefined : tyme + timeout;
    expired = deadline !== undefined && tyme >= deadline;
  }
}

/**
 * Starts a deadline at the running scheduler's tyme. Outside a scheduler
 * (a dog stepped by hand) it starts at the first resume instead.
 * @param timeout seconds, or undefined for none
 * @returns the deadline tyme, or undefined
 */
export function deadlineOf(timeout: number | undefined): number | undefined {
  if (timeout === undefined) return undefined;
  const tyme = currentTyme();
  return tyme === undefined ? undefined : tyme + timeout;
}

/**
 * Seconds left until `deadline`, for `waitFor`.
 * @param deadline tyme of the deadline, or undefined
 * @param timeout the whole timeout (used before the deadline is known)
 * @returns seconds to wait at most (Infinity for no limit)
 */
export function remaining(deadline: number | undefined, timeout: number | undefined): number {
  if (timeout === undefined) return Number.POSITIVE_INFINITY;
  if (deadline === undefined) return timeout;
  const tyme = currentTyme();
  return tyme === undefined ? 0 : Math.max(deadline - tyme, 0);
}
