/**
 * The options, state and record types of a Peer, and the checks that turn
 * options into settings.
 *
 * @module
 */
import type { WireTap } from "../io/handle.js";
import { type Waker } from "../core/index.js";
import { checkWhole, udpTypeOf, type UdpAddress, type UdpType } from "./address.js";
import { nodeUdpDriver, type UdpDriver, type UdpSocketOptions } from "./driver.js";
import type { UdpError } from "./errors.js";

/** Largest UDP payload over IPv4: 65 535 - 20 (IP header) - 8 (UDP header). */
export const UDP4_MAX_DATAGRAM_SIZE = 65_507;
/** Largest UDP payload over IPv6 without jumbograms: 65 535 - 8 (UDP header). */
export const UDP6_MAX_DATAGRAM_SIZE = 65_527;

/** A peer's lifecycle: `closed` (before open and after close), `opening` (binding), `open`. */
export type PeerState = "closed" | "opening" | "open";

/** One received datagram and where it came from; reply with `peer.send(bytes, datagram.from)`. */
export interface Datagram {
  /** The payload; the peer's own copy (Node's buffer), not reused. */
  readonly data: Uint8Array;
  /** The sender. */
  readonly from: UdpAddress;
}

/** What a Peer needs of a wire log: the handle contract's one `WireTap` (io's `WireLog` is one). */
export type PeerWireLog = WireTap;

/** Running totals of a peer, kept across reopen; like a kernel's `netstat -su`. */
export interface PeerCounters {
  /** Datagrams taken into the receive queue. */
  received: number;
  /** Their payload bytes. */
  receivedBytes: number;
  /** Datagrams that arrived while the receive queue was full (count or bytes) and were dropped. */
  dropped: number;
  /** Their payload bytes. */
  droppedBytes: number;
  /** Datagrams the OS accepted for sending. */
  sent: number;
  /** Their payload bytes. */
  sentBytes: number;
  /** Datagrams the OS refused (each also reported as a {@link UdpSendError}). */
  sendErrors: number;
  /** Queued datagrams thrown away because the peer was closed before `service()` handed them to the socket. */
  discarded: number;
  /** Errors reported (to `onError` or `errors`), including those no longer kept in `errors`. */
  errors: number;
}

/** Options of {@link Peer}. */
export interface PeerOptions {
  /** Address to bind. Default `127.0.0.1` (`::1` when `type` is `udp6`): loopback only; pass `0.0.0.0` or `::` to bind every interface. */
  host?: string;
  /** Port to bind; 0 (default): a free port, reported by `port` once open. */
  port?: number;
  /** Socket family. Default: `udp6` for an IPv6 `host`, else `udp4`. */
  type?: UdpType;
  /** A name for messages and errors. Default `peer`. */
  name?: string;
  /** Allow sending to broadcast addresses (SO_BROADCAST). Default false. */
  broadcast?: boolean;
  /** Let other sockets bind the same address and port (SO_REUSEADDR). Default false. */
  reuseAddr?: boolean;
  /** For `udp6`: IPv6 only, no IPv4-mapped traffic. */
  ipv6Only?: boolean;
  /** Multicast TTL (hops) for sent datagrams, 0..255. Default: the OS's (1). */
  multicastTtl?: number;
  /** Receive our own multicast datagrams. Default: the OS's (true). */
  multicastLoopback?: boolean;
  /** Interface address to send multicast from, e.g. `127.0.0.1`. */
  multicastInterface?: string;
  /** Kernel send and receive buffer sizes in bytes. Default: the OS's. */
  bufferSize?: number;
  /** Largest datagram `send` accepts. Default (and maximum) 65 507 for udp4, 65 527 for udp6. */
  maxDatagramSize?: number;
  /** Datagrams the receive queue holds at most. Default 1024. */
  maxReceiveCount?: number;
  /** Payload bytes the receive queue holds at most. Default 1 MiB. */
  maxReceiveBytes?: number;
  /** Datagrams queued or in flight at most. Default 1024. */
  maxSendCount?: number;
  /** Payload bytes queued or in flight at most. Default 1 MiB. */
  maxSendBytes?: number;
  /** Errors kept in `errors` at most (the oldest go first); ignored with `onError`. Default 64. */
  maxErrors?: number;
  /** Records every datagram received and sent. */
  wirelog?: PeerWireLog;
  /** Where sockets come from. Default {@link nodeUdpDriver}. */
  driver?: UdpDriver;
  /** Called with each reported error instead of keeping it in `errors`. Must not throw. */
  onError?: (error: UdpError) => void;
  /** Woken on I/O; its Doer usually sets this itself. */
  waker?: Waker;
}

/** A Peer's options after checking and defaults. Internal to the UDP layer. */
export interface PeerSettings {
  readonly type: UdpType;
  readonly host: string;
  readonly port: number;
  readonly name: string;
  readonly maxDatagramSize: number;
  readonly maxReceiveCount: number;
  readonly maxReceiveBytes: number;
  readonly maxSendCount: number;
  readonly maxSendBytes: number;
  readonly maxErrors: number;
  readonly broadcast: boolean;
  readonly multicastTtl: number | undefined;
  readonly multicastLoopback: boolean | undefined;
  readonly multicastInterface: string | undefined;
  readonly socketOptions: Readonly<UdpSocketOptions>;
  readonly driver: UdpDriver;
}

/**
 * Checks a Peer's options and fills in the defaults.
 * @param options what the caller passed
 * @returns the settings
 * @throws TypeError/RangeError naming the option that is wrong
 */
export function peerSettings(options: PeerOptions): PeerSettings {
  if (typeof options !== "object" || options === null) throw new TypeError("options must be an object");
  const type = options.type ?? (options.host === undefined ? "udp4" : udpTypeOf(options.host));
  if (type !== "udp4" && type !== "udp6") throw new TypeError(`type must be "udp4" or "udp6", got ${String(type)}`);
  // Loopback unless asked: binding every interface must be a choice (host "0.0.0.0" or "::"), as for the TCP server.
  const host = options.host ?? (type === "udp6" ? "::1" : "127.0.0.1");
  if (typeof host !== "string" || host.length === 0) throw new TypeError("host must be a non-empty string");
  const name = options.name ?? "peer";
  if (typeof name !== "string") throw new TypeError(`name must be a string, got ${typeof name}`);
  const largest = type === "udp6" ? UDP6_MAX_DATAGRAM_SIZE : UDP4_MAX_DATAGRAM_SIZE;
  const socketOptions: UdpSocketOptions = { type };
  if (options.reuseAddr !== undefined) socketOptions.reuseAddr = options.reuseAddr;
  if (options.ipv6Only !== undefined) socketOptions.ipv6Only = options.ipv6Only;
  if (options.bufferSize !== undefined) {
    const size = checkWhole("bufferSize", options.bufferSize, 1);
    socketOptions.recvBufferSize = size;
    socketOptions.sendBufferSize = size;
  }
  const driver = options.driver ?? nodeUdpDriver;
  if (typeof driver?.createSocket !== "function") throw new TypeError("driver must have a createSocket(options) method");
  return {
    type,
    host,
    port: checkWhole("port", options.port ?? 0, 0, 65_535),
    name,
    maxDatagramSize: checkWhole("maxDatagramSize", options.maxDatagramSize ?? largest, 1, largest),
    maxReceiveCount: checkWhole("maxReceiveCount", options.maxReceiveCount ?? 1024, 1),
    maxReceiveBytes: checkWhole("maxReceiveBytes", options.maxReceiveBytes ?? 1 << 20, 1),
    maxSendCount: checkWhole("maxSendCount", options.maxSendCount ?? 1024, 1),
    maxSendBytes: checkWhole("maxSendBytes", options.maxSendBytes ?? 1 << 20, 1),
    maxErrors: checkWhole("maxErrors", options.maxErrors ?? 64, 0),
    broadcast: options.broadcast ?? false,
    multicastTtl: options.multicastTtl === undefined ? undefined : checkWhole("multicastTtl", options.multicastTtl, 0, 255),
    multicastLoopback: options.multicastLoopback,
    multicastInterface: options.multicastInterface,
    socketOptions,
    driver,
  };
}

/**
 * Makes a fresh set of counters, all zero.
 * @returns the counters
 */
export function newPeerCounters(): PeerCounters {
  return { received: 0, receivedBytes: 0, dropped: 0, droppedBytes: 0, sent: 0, sentBytes: 0, sendErrors: 0, discarded: 0, errors: 0 };
}
