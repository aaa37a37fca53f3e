/**
 * A simulated host: an address, its ports, and the sockets on them.
 *
 * @module
 */
import { SimDatagramSocket, type SimBindOptions } from "./datagram.js";
import { SimAddressInUseError, SimHostUnreachableError } from "./errors.js";
import type { SimEvent } from "./event-queue.js";
import { Handshake } from "./handshake.js";
import type { SimKernel } from "./kernel.js";
import { SimListener } from "./listener.js";
import { SimStream } from "./stream.js";

/** First ephemeral port, as IANA suggests. */
const EPHEMERAL_FIRST = 49_152;
const PORT_LAST = 65_535;

/** Options of `host.listen`. */
export interface SimListenOptions {
  /** Port; 0 or undefined: an ephemeral one. */
  port?: number;
  /** Most completed connections waiting for `accept`. Default 511. */
  backlog?: number;
}

/** Options of `host.connect`. */
export interface SimConnectOptions {
  /** Remote address or host name (`localhost` and `127.0.0.1` mean this host). */
  host: string;
  /** Remote port. */
  port: number;
  /** Local port; default: an ephemeral one. */
  localPort?: number;
  /** Seconds to keep retrying the SYN before `ETIMEDOUT`. Default: the net's `connectTimeout`. */
  timeout?: number;
}

/** Fails a stream at the next event turn (a connect to nobody). */
class Unreachable implements SimEvent {
  at = 0;
  seq = 0;
  constructor(
    readonly stream: SimStream,
    readonly address: string,
  ) {}
  fire(): void {
    this.stream.fail(new SimHostUnreachableError(this.address));
  }
}

/**
 * A host on a {@link SimNet}: a name, one address, and separate stream and
 * datagram port spaces. Make hosts with `net.addHost(name)`.
 *
 * @example
 * ```ts
 * const net = new SimNet({ seed: 1 });
 * const server = net.addHost("server");          // 10.0.0.1
 * const listener = server.listen({ port: 7 });
 * const stream = net.addHost("client").connect({ host: "server", port: 7 });
 * ```
 */
export class SimHost {
  /** The host's name (also resolvable as an address). */
  readonly name: string;
  /** The host's address. */
  readonly address: string;
  readonly #kernel: SimKernel;
  readonly #peers: () => Iterable<SimHost>;
  readonly #listeners = new Map<number, SimListener>();
  readonly #streamPorts = new Set<number>();
  readonly #datagrams = new Map<number, SimDatagramSocket>();
  #nextStreamPort = EPHEMERAL_FIRST;
  #nextDatagramPort = EPHEMERAL_FIRST;

  /**
   * Made by `net.addHost`; not by applications.
   * @param kernel the net
   * @param name the host's name
   * @param address its address
   * @param hosts every host of the net (for broadcast)
   * @internal
   */
  constructor(kernel: SimKernel, name: string, address: string, hosts: () => Iterable<SimHost>) {
    this.#kernel = kernel;
    this.name = name;
    this.address = address;
    this.#peers = hosts;
  }

  /**
   * Listens for stream connections.
   * @param options `port` (0: ephemeral), `backlog`
   * @returns the listener
   * @throws SimAddressInUseError when the port is taken; RangeError for a bad port or backlog
   */
  listen(options: SimListenOptions = {}): SimListener {
    const backlog = options.backlog ?? 511;
    if (!Number.isInteger(backlog) || backlog < 1) throw new RangeError(`backlog must be a whole number >= 1, got ${backlog}`);
    const port = this.#claim(this.#streamPorts, options.port ?? 0, "stream");
    const listener = new SimListener(this, port, backlog, () => {
      this.#listeners.delete(port);
      this.#streamPorts.delete(port);
    });
    this.#listeners.set(port, listener);
    return listener;
  }

  /**
   * Opens a stream connection. It starts `connecting`; the handshake runs in
   * the net's tick and the stream opens or fails (`ECONNREFUSED`,
   * `ETIMEDOUT`, `EHOSTUNREACH`). Called before the net runs, the SYN
   * leaves when it starts.
   * @param options `host`, `port`, `localPort`, `timeout`
   * @returns the stream, connecting
   * @throws SimAddressInUseError when `localPort` is taken; RangeError for a bad port
   */
  connect(options: SimConnectOptions): SimStream {
    const kernel = this.#kernel;
    checkPort("port", options.port);
    const timeout = options.timeout ?? kernel.settings.connectTimeout;
    if (!(timeout >= 0)) throw new RangeError(`timeout must be a number of seconds >= 0, got ${timeout}`);
    const target = kernel.resolve(options.host, this);
    const localPort = this.#claim(this.#streamPorts, options.localPort ?? 0, "stream");
    const stream = new SimStream(kernel, this, {
      localPort,
      remoteAddress: target?.address ?? options.host,
      remotePort: options.port,
      state: "connecting",
      release: () => this.#streamPorts.delete(localPort),
    });
    kernel.whenRunning(() => {
      if (stream.closed) return; // closed before the net ran
      if (target === undefined) kernel.schedule(new Unreachable(stream, options.host), kernel.now());
      else new Handshake(kernel, stream, target, options.port, timeout);
    });
    return stream;
  }

  /**
   * Binds a datagram socket.
   * @param options `port` (0: ephemeral), `receiveQueueSize`
   * @returns the socket
   * @throws SimAddressInUseError when the port is taken; RangeError for a bad option
   */
  bind(options: SimBindOptions = {}): SimDatagramSocket {
    const size = options.receiveQueueSize ?? 1024;
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`receiveQueueSize must be a whole number >= 1, got ${size}`);
    const ports = new Set(this.#datagrams.keys());
    const port = this.#claim(ports, options.port ?? 0, "datagram");
    const socket = new SimDatagramSocket(this.#kernel, this, port, size, () => this.#datagrams.delete(port));
    this.#datagrams.set(port, socket);
    return socket;
  }

  /**
   * Finds the listener on a port. Used by the net.
   * @param port the port
   * @returns the listener, if one listens
   */
  listener(port: number): SimListener | undefined {
    return this.#listeners.get(port);
  }

  /**
   * Finds the datagram socket on a port. Used by the net.
   * @param port the port
   * @returns the socket, if one is bound
   */
  datagramSocket(port: number): SimDatagramSocket | undefined {
    return this.#datagrams.get(port);
  }

  /**
   * Lists the other hosts of the net (broadcast reaches them).
   * @returns the hosts, in the order they were added
   */
  *peers(): Iterable<SimHost> {
    for (const host of this.#peers()) if (host !== this) yield host;
  }

  #claim(used: Set<number>, requested: number, kind: "stream" | "datagram"): number {
    if (requested !== 0) {
      checkPort("port", requested);
      if (used.has(requested)) throw new SimAddressInUseError(`${this.address}:${requested} (${kind})`);
      used.add(requested);
      return requested;
    }
    const span = PORT_LAST - EPHEMERAL_FIRST + 1;
    for (let tried = 0; tried < span; tried++) {
      const port = kind === "stream" ? this.#nextStreamPort : this.#nextDatagramPort;
      const next = port === PORT_LAST ? EPHEMERAL_FIRST : port + 1;
      if (kind === "stream") this.#nextStreamPort = next;
      else this.#nextDatagramPort = next;
      if (!used.has(port)) {
        used.add(port);
        return port;
      }
    }
    throw new SimAddressInUseError(`${this.address}:* (no free ephemeral ${kind} port)`);
  }
}

function checkPort(name: string, port: unknown): void {
  if (typeof port !== "number") throw new TypeError(`${name} must be a number, got ${typeof port}`);
  if (!Number.isInteger(port) || port < 1 || port > PORT_LAST) throw new RangeError(`${name} must be a whole number from 1 to 65535, got ${port}`);
}
