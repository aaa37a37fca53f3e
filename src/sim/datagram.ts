/**
 * A simulated UDP-like socket.
 *
 * @module
 */
import { Signal } from "../core/index.js";
import type { SimEvent } from "./event-queue.js";
import { SimNetworkError } from "./errors.js";
import type { SimHost } from "./host.js";
import type { SimKernel } from "./kernel.js";
import type { Parcel, SimPath } from "./path.js";

/** Largest UDP payload over IPv4. */
export const MAX_DATAGRAM = 65_507;

/** The limited-broadcast address: a datagram to it reaches every other host. */
export const BROADCAST_ADDRESS = "255.255.255.255";

/** A received datagram. */
export interface SimDatagram {
  /** The payload. */
  readonly data: Uint8Array;
  /** Sender's address. */
  readonly address: string;
  /** Sender's port. */
  readonly port: number;
}

/** Callbacks a datagram socket makes from the net's tick. */
export interface SimDatagramObserver {
  /** A datagram waits in the receive queue. */
  message?(socket: SimDatagramSocket): void;
}

/** Options of `host.bind`. */
export interface SimBindOptions {
  /** Port; 0 or undefined: an ephemeral one. */
  port?: number;
  /** Most datagrams waiting to be received; more are dropped and counted. Default 1024. */
  receiveQueueSize?: number;
}

/** A datagram in flight. */
class Flight implements SimEvent, Parcel {
  at = 0;
  seq = 0;
  constructor(
    readonly from: SimDatagramSocket,
    readonly path: SimPath,
    readonly port: number,
    readonly data: Uint8Array,
    readonly kernel: SimKernel,
  ) {}

  fire(at: number): void {
    this.path.land(this, at);
  }

  arrive(): void {
    const socket = this.path.to.datagramSocket(this.port);
    if (socket === undefined || !socket.deliver(this.data, this.from.address, this.from.port)) {
      this.kernel.stats.datagramsDropped++;
      if (this.kernel.tracing) this.kernel.trace("drop", `${this.from.address}:${this.from.port}>${this.path.to.address}:${this.port} (no room or no socket)`);
    }
  }

  cutOff(): void {
    this.kernel.stats.datagramsDropped++;
    if (this.kernel.tracing) this.kernel.trace("drop", `${this.from.address}:${this.from.port}>${this.path.to.address}:${this.port} (cut)`);
  }
}

/**
 * A socket bound to a host's port that sends and receives datagrams. Each
 * datagram meets the link's latency, jitter and bandwidth, and may be lost,
 * duplicated or reordered; a cut path drops it; a held path keeps it.
 * Received datagrams wait in a bounded queue; overflow is dropped and counted
 * in `dropped`, as a kernel does.
 *
 * @example
 * ```ts
 * const socket = host.bind({ port: 5000 });
 * socket.send(new TextEncoder().encode("ping"), 5000, "10.0.0.2");
 * // later, in a doer:
 * const datagram = socket.receive();
 * ```
 */
export class SimDatagramSocket {
  /** The host it belongs to. */
  readonly host: SimHost;
  /** Its address (the host's). */
  readonly address: string;
  /** Its port. */
  readonly port: number;
  /** Most datagrams waiting to be received. */
  readonly receiveQueueSize: number;
  /** Notified when a datagram arrives or the socket closes. */
  readonly changed = new Signal();
  /** Receives the socket's events. */
  observer: SimDatagramObserver | undefined;
  /** Datagrams dropped because the receive queue was full. */
  dropped = 0;
  readonly #kernel: SimKernel;
  readonly #queue: SimDatagram[] = [];
  readonly #release: () => void;
  #closed = false;

  /**
   * Made by `host.bind`; not by applications.
   * @param kernel the net
   * @param host the host
   * @param port the port
   * @param receiveQueueSize most datagrams waiting
   * @param release frees the port when it closes
   * @internal
   */
  constructor(kernel: SimKernel, host: SimHost, port: number, receiveQueueSize: number, release: () => void) {
    this.#kernel = kernel;
    this.host = host;
    this.address = host.address;
    this.port = port;
    this.receiveQueueSize = receiveQueueSize;
    this.#release = release;
  }

  /** Lifecycle state. */
  get state(): "open" | "closed" {
    return this.#closed ? "closed" : "open";
  }

  /** Closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Datagrams waiting to be received. */
  get pending(): number {
    return this.#queue.length;
  }

  /**
   * Sends a datagram. It is copied, so the caller may reuse `data`.
   * @param data the payload, at most 65 507 bytes
   * @param port destination port
   * @param address destination address or host name (`255.255.255.255` for every other host)
   * @throws SimNetworkError `EMSGSIZE` for an oversized datagram, `EBADF` on a closed socket
   * @throws RangeError for a port outside 1..65535
   */
  send(data: Uint8Array, port: number, address: string): void {
    if (this.#closed) throw new SimNetworkError("EBADF", `send on closed sim datagram socket ${this.address}:${this.port}`);
    if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new RangeError(`port must be a whole number from 1 to 65535, got ${port}`);
    if (data.length > MAX_DATAGRAM) {
      throw new SimNetworkError("EMSGSIZE", `datagram of ${data.length} bytes from ${this.address}:${this.port} exceeds ${MAX_DATAGRAM}`);
    }
    const kernel = this.#kernel;
    const copy = data.slice();
    if (address === BROADCAST_ADDRESS) {
      for (const host of this.host.peers()) this.#launch(kernel.path(this.host, host), port, copy);
      return;
    }
    const target = kernel.resolve(address, this.host);
    if (target === undefined) {
      kernel.stats.datagramsSent++;
      kernel.stats.datagramsDropped++; // no route: UDP fails silently
      if (kernel.tracing) kernel.trace("drop", `${this.address}:${this.port}>${address}:${port} (no such host)`);
      return;
    }
    this.#launch(kernel.path(this.host, target), port, copy);
  }

  /**
   * Takes the next received datagram.
   * @returns it, or undefined when none waits
   */
  receive(): SimDatagram | undefined {
    return this.#queue.shift();
  }

  /** Closes the socket and frees the port; queued datagrams are dropped. Safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue.length = 0;
    this.#release();
    this.changed.notify();
  }

  /**
   * Queues an arrived datagram. Internal: called by the net.
   * @returns false when it was dropped (closed, or the queue is full)
   */
  deliver(data: Uint8Array, address: string, port: number): boolean {
    if (this.#closed) return false;
    if (this.#queue.length >= this.receiveQueueSize) {
      this.dropped++;
      return false;
    }
    this.#queue.push({ data, address, port });
    const stats = this.#kernel.stats;
    stats.datagramsDelivered++;
    stats.datagramBytesDelivered += data.length;
    this.#kernel.record("rx", data, `${address}:${port}>${this.address}:${this.port}`);
    this.observer?.message?.(this);
    this.changed.notify();
    return true;
  }

  #launch(path: SimPath, port: number, data: Uint8Array): void {
    const kernel = this.#kernel;
    const conditions = path.conditions;
    const random = path.random;
    kernel.stats.datagramsSent++;
    kernel.record("tx", data, `${this.address}:${this.port}>${path.to.address}:${port}`);
    const copies = random.chance(conditions.duplicate) ? 2 : 1;
    if (copies === 2) kernel.stats.datagramsDuplicated++;
    for (let copy = 0; copy < copies; copy++) {
      let at = path.arrival(data.length);
      if (random.chance(conditions.loss)) {
        kernel.stats.datagramsLost++;
        if (kernel.tracing) kernel.trace("lost", `${this.address}:${this.port}>${path.to.address}:${port} ${data.length}B`);
        continue;
      }
      if (random.chance(conditions.reorder)) at += random.next() * conditions.reorderDelay;
      kernel.schedule(new Flight(this, path, port, copy === 0 ? data : data.slice(), kernel), at);
    }
  }
}
