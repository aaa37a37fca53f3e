/**
 * The UDP driver over a SimNet: hio-ts/udp's `Peer` runs unchanged on
 * simulated datagram sockets.
 *
 * @module
 */
import { EventEmitter } from "node:events";
import type { DatagramSocket, UdpDriver, UdpRemoteInfo, UdpSocketAddress, UdpSocketOptions } from "../udp/index.js";
import { BROADCAST_ADDRESS, type SimDatagramSocket } from "./datagram.js";
import { SimNetworkError } from "./errors.js";
import type { SimHost } from "./host.js";

/** Addresses that mean "this host" when binding. */
const ANY = new Set(["0.0.0.0", "::", "127.0.0.1", "::1", "localhost", ""]);

/**
 * A `DatagramSocket` over a {@link SimDatagramSocket}, with `dgram`'s
 * semantics: `bind` and `send` complete in a microtask, received datagrams
 * come as `message` events from the SimNet's tick, nothing after `close()`.
 * Multicast is not simulated: joining a group throws `ENOSYS`.
 */
export class SimUdpSocket extends EventEmitter implements DatagramSocket {
  readonly #host: SimHost;
  readonly #receiveQueueSize: number;
  #socket: SimDatagramSocket | undefined;
  #broadcast = false;
  #closed = false;

  /**
   * @param host the host it belongs to
   * @param options socket options (the receive buffer size bounds the queue, at 1 datagram per 64 bytes, as a guide)
   */
  constructor(host: SimHost, options: UdpSocketOptions) {
    super();
    this.#host = host;
    this.#receiveQueueSize = Math.max(16, Math.floor((options.recvBufferSize ?? 212_992) / 64));
  }

  /** The simulated socket, once bound. */
  get socket(): SimDatagramSocket | undefined {
    return this.#socket;
  }

  /** Binds the host's port (0: ephemeral); `callback` runs in a microtask, or `error` is emitted. */
  bind(port: number, address: string, callback: () => void): this {
    const host = this.#host;
    if (!ANY.has(address) && address !== host.address && address !== host.name) {
      this.#fail(new SimNetworkError("EADDRNOTAVAIL", `sim host ${host.name} (${host.address}) cannot bind ${address}:${port}`));
      return this;
    }
    let socket: SimDatagramSocket;
    try {
      socket = host.bind({ port, receiveQueueSize: this.#receiveQueueSize });
    } catch (error) {
      this.#fail(error);
      return this;
    }
    this.#socket = socket;
    socket.observer = {
      message: (bound) => {
        for (let datagram = bound.receive(); datagram !== undefined && !this.#closed; datagram = bound.receive()) {
          const from: UdpRemoteInfo = { address: datagram.address, port: datagram.port };
          this.emit("message", datagram.data, from);
        }
      },
    };
    queueMicrotask(() => {
      if (!this.#closed) callback();
    });
    return this;
  }

  /** The bound address; throws `EBADF` before bind. */
  address(): UdpSocketAddress {
    const socket = this.#socket;
    if (socket === undefined || this.#closed) throw new SimNetworkError("EBADF", `sim datagram socket on ${this.#host.name} is not bound`);
    return { address: socket.address, family: "IPv4", port: socket.port };
  }

  /** Sends a datagram (copied); `callback` runs in a microtask with the outcome. */
  send(data: Uint8Array, port: number, address: string, callback: (error: Error | null, bytes: number) => void): this {
    const socket = this.#socket;
    let failure: Error | null = null;
    if (socket === undefined || this.#closed) failure = new SimNetworkError("EBADF", `send on unbound sim datagram socket on ${this.#host.name}`);
    else if (address === BROADCAST_ADDRESS && !this.#broadcast)
      failure = new SimNetworkError("EACCES", `broadcast from ${socket.address}:${socket.port} without setBroadcast(true)`);
    else {
      try {
        socket.send(data, port, address);
      } catch (error) {
        failure = error instanceof Error ? error : new Error(String(error));
      }
    }
    queueMicrotask(() => callback(failure, failure === null ? data.length : 0));
    return this;
  }

  /** Closes the socket: no more events. Safe to call twice. */
  close(): this {
    if (this.#closed) return this;
    this.#closed = true;
    this.#socket?.close();
    return this;
  }

  /** Allows sending to `255.255.255.255`. */
  setBroadcast(flag: boolean): void {
    this.#broadcast = flag;
  }

  /** Accepted and ignored (multicast is not simulated). */
  setMulticastTTL(ttl: number): this {
    void ttl;
    return this;
  }

  /** Accepted and ignored (multicast is not simulated). */
  setMulticastLoopback(flag: boolean): this {
    void flag;
    return this;
  }

  /** Accepted and ignored (multicast is not simulated). */
  setMulticastInterface(interfaceAddress: string): void {
    void interfaceAddress;
  }

  /** Throws `ENOSYS`: multicast is not simulated. */
  addMembership(group: string): void {
    throw new SimNetworkError("ENOSYS", `multicast group ${group}: multicast is not simulated`);
  }

  /** Throws `ENOSYS`: multicast is not simulated. */
  dropMembership(group: string): void {
    throw new SimNetworkError("ENOSYS", `multicast group ${group}: multicast is not simulated`);
  }

  #fail(error: unknown): void {
    queueMicrotask(() => {
      if (!this.#closed) this.emit("error", error);
    });
  }
}

/**
 * Makes the UDP driver of one simulated host. Use `net.udpDriver(host)`.
 * @param host the host
 * @returns a driver for `new Peer({ driver })`
 */
export function createUdpDriver(host: SimHost): UdpDriver {
  return {
    createSocket(options: UdpSocketOptions): DatagramSocket {
      return new SimUdpSocket(host, options);
    },
  };
}
