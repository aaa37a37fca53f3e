/**
 * Errors of the UDP layer. Each message names the peer (its `name` and bound
 * address) and, where there is one, the far address, so a log line alone says
 * which socket and which destination went wrong.
 *
 * @module
 */
import { HioError } from "../core/index.js";

/** Base class of every error the UDP layer raises; catch it to catch them all. */
export class UdpError extends HioError {}

/**
 * Thrown (or rejected) when a peer cannot bind its socket: the address is in
 * use or not available, a socket option failed, or the peer was closed while
 * it was opening. `cause` holds the Node error.
 */
export class UdpOpenError extends UdpError {}

/** Thrown when an operation needs an open peer and the peer is closed. */
export class UdpStateError extends UdpError {}

/** Thrown by `send` for a datagram larger than the peer's `maxDatagramSize`. */
export class UdpDatagramSizeError extends UdpError {
  /** Size of the rejected datagram in bytes. */
  readonly size: number;
  /** The peer's maximum, in bytes. */
  readonly maxSize: number;

  /**
   * @param message what went wrong, naming the peer and the destination
   * @param size the datagram's size
   * @param maxSize the limit it broke
   */
  constructor(message: string, size: number, maxSize: number) {
    super(message);
    this.size = size;
    this.maxSize = maxSize;
  }
}

/**
 * Reported (never thrown from a callback) when the OS refused a datagram that
 * was queued with `send`: for example `EACCES` for a broadcast without the
 * `broadcast` option, `EMSGSIZE`, `ENETUNREACH`. `cause` holds the Node error;
 * `code` its errno name.
 */
export class UdpSendError extends UdpError {
  /** The errno name, e.g. `EACCES`, or `undefined` when Node gave none. */
  readonly code: string | undefined;
  /** Destination of the datagram that failed, as `host:port`. */
  readonly to: string;
  /** Size of the datagram that failed, in bytes. */
  readonly size: number;

  /**
   * @param message what went wrong, naming the peer and the destination
   * @param to destination as `host:port`
   * @param size the datagram's size
   * @param options `cause`: the Node error
   */
  constructor(message: string, to: string, size: number, options?: ErrorOptions) {
    super(message, options);
    this.to = to;
    this.size = size;
    const code = (options?.cause as { code?: unknown } | undefined)?.code;
    this.code = typeof code === "string" ? code : undefined;
  }
}

/** Reported when the socket of an open peer emits an error (other than a send failure). */
export class UdpSocketError extends UdpError {}

/** Thrown by `join`/`leave` when the OS refuses a multicast membership. `cause` holds the Node error. */
export class UdpMulticastError extends UdpError {
  /** The multicast group address. */
  readonly group: string;

  /**
   * @param message what went wrong, naming the peer and the group
   * @param group the group address
   * @param options `cause`: the Node error
   */
  constructor(message: string, group: string, options?: ErrorOptions) {
    super(message, options);
    this.group = group;
  }
}

/** Thrown by `readDatagram`, `writeDatagram`, `readMemo` and `writeMemo` when their timeout (in tyme) runs out. */
export class UdpTimeoutError extends UdpError {}

/**
 * What a PeerDoer reports when its handler throws: passed to `onError`, or
 * printed to stderr (with the handler's stack) when there is no `onError`.
 * `cause` is what the handler threw.
 */
export class UdpHandlerError extends UdpError {}

/**
 * Thrown (as the `cause` of the peer's UdpOpenError) when Unix datagram
 * sockets are used without their optional addon: the message names the
 * package and how to install it.
 */
export class UxdAddonError extends UdpError {}

/** Thrown by a Memoer for a message it cannot carry: over `maxMemoSize`, or more segments than the send queue could ever hold. */
export class MemoTooLargeError extends UdpError {
  /** Size of the message in bytes. */
  readonly size: number;

  /**
   * @param message what went wrong, naming the peer and the limit
   * @param size the message's size
   */
  constructor(message: string, size: number) {
    super(message);
    this.size = size;
  }
}
