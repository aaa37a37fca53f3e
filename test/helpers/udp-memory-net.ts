/**
 * An in-memory datagram network that implements the UdpDriver seam, with a
 * seeded shim that drops, duplicates and reorders datagrams. Nothing moves
 * until the test calls `flush()`, so a hand-stepped Doist sees exactly the
 * same run for the same seed.
 */
import type { DatagramSocket, UdpDriver, UdpRemoteInfo, UdpSocketAddress, UdpSocketOptions } from "../../src/udp/index.js";
import { seededRandom } from "./udp-harness.js";

/** How the network misbehaves; rates are probabilities per datagram. */
export interface LossOptions {
  seed: number;
  drop?: number;
  duplicate?: number;
  reorder?: boolean;
}

/** One datagram in the network. */
export interface Packet {
  readonly from: UdpRemoteInfo;
  readonly to: UdpRemoteInfo;
  readonly data: Uint8Array;
}

type MessageListener = (data: Uint8Array, from: UdpRemoteInfo) => void;
type ErrorListener = (error: Error) => void;

/** The network and its driver in one. */
export class MemoryNetwork implements UdpDriver {
  readonly inFlight: Packet[] = [];
  /** Every delivery, in order (a duplicated datagram appears twice). */
  readonly delivered: Packet[] = [];
  /** Datagrams the shim dropped. */
  readonly dropped: Packet[] = [];
  readonly #sockets = new Map<string, MemorySocket>();
  readonly #random: () => number;
  readonly #loss: LossOptions;
  #nextPort = 40_000;

  constructor(loss: LossOptions = { seed: 1 }) {
    this.#loss = loss;
    this.#random = seededRandom(loss.seed);
  }

  createSocket(options: UdpSocketOptions): DatagramSocket {
    return new MemorySocket(this, options.type === "udp6" ? "IPv6" : "IPv4");
  }

  /**
   * Delivers every datagram in flight, through the shim.
   * @returns how many deliveries were made
   */
  flush(): number {
    const batch = this.inFlight.splice(0, this.inFlight.length);
    const random = this.#random;
    const { drop = 0, duplicate = 0, reorder = false } = this.#loss;
    const out: Packet[] = [];
    for (const packet of batch) {
      if (random() < drop) {
        this.dropped.push(packet);
        continue;
      }
      out.push(packet);
      if (random() < duplicate) out.push(packet);
    }
    if (reorder) {
      for (let index = out.length - 1; index > 0; index--) {
        const other = Math.floor(random() * (index + 1));
        [out[index], out[other]] = [out[other]!, out[index]!];
      }
    }
    for (const packet of out) {
      const socket = this.#sockets.get(`${packet.to.address}:${packet.to.port}`);
      if (socket === undefined) continue;
      this.delivered.push(packet);
      socket.deliver(packet.data.slice(), packet.from);
    }
    return out.length;
  }

  /** @internal */
  register(address: string, port: number, socket: MemorySocket): number | undefined {
    const chosen = port === 0 ? this.#nextPort++ : port;
    const key = `${address}:${chosen}`;
    if (this.#sockets.has(key)) return undefined;
    this.#sockets.set(key, socket);
    return chosen;
  }

  /** @internal */
  unregister(address: string, port: number): void {
    this.#sockets.delete(`${address}:${port}`);
  }
}

class MemorySocket implements DatagramSocket {
  readonly #network: MemoryNetwork;
  readonly #family: string;
  readonly #messages: MessageListener[] = [];
  readonly #errors: ErrorListener[] = [];
  #bound: UdpSocketAddress | undefined;
  #closed = false;

  constructor(network: MemoryNetwork, family: string) {
    this.#network = network;
    this.#family = family;
  }

  on(event: "message", listener: MessageListener): this;
  on(event: "error", listener: ErrorListener): this;
  on(event: "message" | "error", listener: MessageListener | ErrorListener): this {
    if (event === "message") this.#messages.push(listener as MessageListener);
    else this.#errors.push(listener as ErrorListener);
    return this;
  }

  bind(port: number, address: string, callback: () => void): this {
    queueMicrotask(() => {
      if (this.#closed) return;
      const chosen = this.#network.register(address, port, this);
      if (chosen === undefined) {
        const error = Object.assign(new Error(`bind EADDRINUSE ${address}:${port}`), { code: "EADDRINUSE" });
        for (const listener of this.#errors) listener(error);
        return;
      }
      this.#bound = { address, family: this.#family, port: chosen };
      callback();
    });
    return this;
  }

  address(): UdpSocketAddress {
    if (this.#bound === undefined) throw new Error("not bound");
    return this.#bound;
  }

  send(data: Uint8Array, port: number, address: string, callback: (error: Error | null, bytes: number) => void): void {
    const from = this.address();
    this.#network.inFlight.push({ from: { address: from.address, port: from.port }, to: { address, port }, data: data.slice() });
    queueMicrotask(() => callback(null, data.length));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#bound !== undefined) this.#network.unregister(this.#bound.address, this.#bound.port);
  }

  deliver(data: Uint8Array, from: UdpRemoteInfo): void {
    if (this.#closed) return;
    for (const listener of this.#messages) listener(data, from);
  }

  setBroadcast(): void {}
  setMulticastTTL(): void {}
  setMulticastLoopback(): void {}
  setMulticastInterface(): void {}
  addMembership(): void {}
  dropMembership(): void {}
}
