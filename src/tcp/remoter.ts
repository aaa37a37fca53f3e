/**
 * Remoter: the server's side of one accepted connection.
 *
 * @module
 */
import { WAIT, type Tymth, type Waker } from "../core/index.js";
import type { Handle } from "../io/handle.js";
import { formatAddress } from "./address.js";
import { TcpError as TcpErrorClass } from "./errors.js";
import type { ConnectionOptions } from "./connection.js";
import type { StreamSocket } from "./driver.js";
import type { StreamPumpHost } from "./stream-pump.js";
import { StreamHandle } from "./stream-handle.js";

/**
 * What a Remoter tells the server that accepted it: a {@link Server}
 * implements it, so the server services only the remoters that had events
 * and times out the idle ones.
 */
export interface RemoterHost {
  /** Names the server for messages, e.g. `server 127.0.0.1:7000`. */
  readonly label: string;
  /** The Unix socket path it listens on, if it listens on one (its peers have no address). */
  readonly path?: string | undefined;
  /** The remoter had a socket event or its rings changed: service it. */
  dirty(remoter: Remoter): void;
  /** The remoter moved bytes: restart its idle timeout. */
  touch(remoter: Remoter): void;
  /** The remoter's first bytes arrived: its first-byte deadline is met. */
  received?(remoter: Remoter): void;
}

const noop = (): void => {};

/**
 * One accepted connection, with its own `rxbs`/`txbs`. The {@link Server}
 * creates it, keys it by a unique `id` in `server.remoters`, and
 * services it only when it had an event; a handler reads `rxbs` and writes
 * `txbs`. The bytes move in a `StreamPump` it holds.
 */
export class Remoter extends StreamHandle<Remoter> implements Handle {
  /** Peer address; for a Unix socket peer (which has none) the server's socket path. */
  readonly remoteAddress: string;
  /** Peer port; 0 for a Unix socket peer. */
  readonly remotePort: number;
  /** Unique (per server) connection id: its key in `server.remoters`. */
  readonly id: number;
  /** Unused: a remoter's events go to its server, which services it (kept for the {@link Handle} contract). */
  waker: Waker | undefined;
  /** @internal Its slot in its server's list of remoters with events; -1: not in it. */
  workSlot = -1;
  /** @internal Its slot in its server's `remoters`; -1: not in it. */
  tableSlot = -1;
  readonly #server: RemoterHost;

  /** What the pump reports to: the accepting server, for every Remoter. */
  static readonly #pumpHost: StreamPumpHost<Remoter> = {
    event: (remoter) => remoter.#server.dirty(remoter),
    touched: (remoter) => remoter.#server.touch(remoter),
    firstBytes: (remoter) => remoter.#server.received?.(remoter),
    opened: noop,
    cutOff: noop,
    lost: noop,
    connectFailed: noop,
  };

  /**
   * Wraps an accepted socket. Servers call this; users get Remoters from the server.
   * @param host the accepting server
   * @param socket the accepted, connected socket
   * @param options ring size, socket options, wirelog
   * @param id unique connection id (the server's counter)
   */
  constructor(host: RemoterHost, socket: StreamSocket, options: ConnectionOptions, id: number) {
    super(Remoter.#pumpHost, options);
    const path = host.path;
    this.#server = host;
    this.remoteAddress = path ?? socket.remoteAddress ?? "?";
    this.remotePort = path === undefined ? (socket.remotePort ?? 0) : 0;
    this.id = id;
    this.pump.attach(socket, true, "connect");
  }

  /**
   * `host:port` of the peer, for messages (not unique: a peer may reuse a
   * port); `unix#id` for a Unix socket peer (unique).
   */
  get key(): string {
    return this.#server.path === undefined ? formatAddress(this.remoteAddress, this.remotePort === 0 ? undefined : this.remotePort) : `unix#${this.id}`;
  }

  /** `remoter host:port of server host:port` (`remoter unix#3 of server /path/to.sock`), for messages. */
  get label(): string {
    return `remoter ${this.key} of ${this.#server.label}`;
  }

  /** The server services remoters and times them out: nothing is timed here ({@link WAIT}). */
  get due(): number {
    return WAIT;
  }

  /** A remoter reads no tyme of its own (its server does): nothing to wind. */
  wind(tymth: Tymth): void {
    void tymth;
  }

  /**
   * A remoter is accepted open.
   * @returns resolves while it is open or half-open; rejects with its error (or a TcpError) once closed
   */
  open(): Promise<void> {
    if (this.state !== "closed") return Promise.resolve();
    return Promise.reject(this.error ?? new TcpErrorClass(`${this.label}: closed`));
  }

  /** Moves bytes both ways once, without blocking. */
  service(): void {
    this.pump.serviceReceive();
    this.pump.serviceSend();
  }

  /**
   * Closes at once: the socket is destroyed, unsent bytes are counted in
   * `unsent`, and `rxbs` ends so readers drain it and stop. Safe to call twice.
   */
  close(): void {
    this.pump.close();
  }
}
