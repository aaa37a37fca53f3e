/**
 * The one seam between a {@link Peer} and the OS: a driver makes datagram
 * sockets. The default driver is Node's `dgram`; a simulated network (or a
 * test shim that drops, duplicates and reorders) implements the same two
 * small interfaces and is passed as `new Peer({ driver })`.
 *
 * @module
 */
import dgram from "node:dgram";
import type { UdpType } from "./address.js";

/** What a peer asks of its driver when it opens. */
export interface UdpSocketOptions {
  /** Address family. */
  type: UdpType;
  /** Let several sockets bind the same address and port (SO_REUSEADDR), as multicast receivers do. */
  reuseAddr?: boolean;
  /** For `udp6`: do not also receive IPv4-mapped traffic. */
  ipv6Only?: boolean;
  /** Kernel receive buffer size in bytes (SO_RCVBUF). */
  recvBufferSize?: number;
  /** Kernel send buffer size in bytes (SO_SNDBUF). */
  sendBufferSize?: number;
}

/** The bound address of a socket, as `socket.address()` reports it. */
export interface UdpSocketAddress {
  /** The bound IP address. */
  address: string;
  /** `"IPv4"` or `"IPv6"`. */
  family: string;
  /** The bound port. */
  port: number;
}

/** Where a received datagram came from, as the `message` event reports it. */
export interface UdpRemoteInfo {
  /** The sender's IP address. */
  address: string;
  /** The sender's port. */
  port: number;
}

/**
 * The subset of Node's `dgram.Socket` that a Peer uses. A `dgram.Socket` is
 * one; a simulation implements these methods with the same meaning:
 *
 * - `bind` completes by calling `callback`, or fails by emitting `error`;
 * - `send` always completes by calling `callback` once (error or bytes sent),
 *   asynchronously, and must not be called before `bind` completed;
 * - `message` listeners get each datagram as its own bytes, which the peer
 *   keeps without copying;
 * - after `close()` no more events are emitted.
 */
export interface DatagramSocket {
  /** Listens for each received datagram and its sender. */
  on(event: "message", listener: (data: Uint8Array, from: UdpRemoteInfo) => void): unknown;
  /** Listens for a failed bind (or a later socket error). */
  on(event: "error", listener: (error: Error) => void): unknown;
  /** Binds `address:port` (port 0: any free port); calls `callback` once bound. */
  bind(port: number, address: string, callback: () => void): unknown;
  /** Returns the bound address (after `bind` completed). */
  address(): UdpSocketAddress;
  /** Sends one datagram; `callback` gets the outcome once, asynchronously. */
  send(data: Uint8Array, port: number, address: string, callback: (error: Error | null, bytes: number) => void): unknown;
  /** Closes the socket; no events after this. */
  close(): unknown;
  /** Allows (or forbids) sending to broadcast addresses. */
  setBroadcast(flag: boolean): void;
  /** Sets the hop limit of multicast datagrams sent. */
  setMulticastTTL(ttl: number): unknown;
  /** Chooses whether our own multicast datagrams come back to us. */
  setMulticastLoopback(flag: boolean): unknown;
  /** Chooses the interface multicast datagrams leave by. */
  setMulticastInterface(interfaceAddress: string): void;
  /** Joins a multicast group; throws when the OS refuses. */
  addMembership(group: string, interfaceAddress?: string): void;
  /** Leaves a multicast group; throws when the OS refuses. */
  dropMembership(group: string, interfaceAddress?: string): void;
}

/** Makes datagram sockets for peers: Node's `dgram`, or a simulation. */
export interface UdpDriver {
  /**
   * Creates an unbound socket.
   * @param options family, reuse and buffer sizes
   * @returns the socket
   */
  createSocket(options: UdpSocketOptions): DatagramSocket;
  /**
   * Optional: runs `flush` once after the current burst of `message` events,
   * so a peer wakes its doer once per burst rather than once per datagram.
   * Without it (a simulation that delivers inside a pass), a peer notifies at
   * once, on every datagram.
   * @param flush what to run after the burst
   */
  coalesce?(flush: () => void): void;
}

/**
 * The default driver: real sockets from `node:dgram`. It coalesces wakes with
 * `setImmediate`: libuv delivers the datagrams it read in one poll as separate
 * events, and the immediate runs after the last of them (same loop turn, no
 * added wait), so the doer runs once for the whole burst.
 *
 * @example
 * ```ts
 * const peer = new Peer({ host: "127.0.0.1", driver: nodeUdpDriver }); // the default anyway
 * ```
 */
export const nodeUdpDriver: UdpDriver = {
  createSocket(options: UdpSocketOptions): DatagramSocket {
    const socketOptions: dgram.SocketOptions = { type: options.type };
    if (options.reuseAddr !== undefined) socketOptions.reuseAddr = options.reuseAddr;
    if (options.ipv6Only !== undefined) socketOptions.ipv6Only = options.ipv6Only;
    if (options.recvBufferSize !== undefined) socketOptions.recvBufferSize = options.recvBufferSize;
    if (options.sendBufferSize !== undefined) socketOptions.sendBufferSize = options.sendBufferSize;
    return dgram.createSocket(socketOptions);
  },
  coalesce(flush: () => void): void {
    setImmediate(flush);
  },
};
