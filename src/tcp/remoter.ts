/**
 * Remoter: the server's side of one accepted connection.
 *
 * @module
 */
import { WAIT, type Tymth } from "../core/index.js";
import type { Handle } from "../io/handle.js";
import { formatAddress } from "./address.js";
import { TcpError } from "./errors.js";
import { Connection, type ConnectionOptions } from "./connection.js";
import type { StreamSocket } from "./driver.js";

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

/**
 * One accepted connection, with its own `rxbs`/`txbs`. The {@link Server}
 * creates it, keys it by a unique `id` in `server.remoters`, and
 * services it only when it had an event; a handler reads `rxbs` and writes
 * `txbs`.
 */
export class Remoter extends Connection implements Handle {
  /** Peer address; for a Unix socket peer (which has none) the server's socket path. */
  readonly remoteAddress: string;
  /** Peer port; 0 for a Unix socket peer. */
  readonly remotePort: number;
  /** Unique (per server) connection id: its key in `server.remoters`. */
  readonly id: number;
  /**
   * `host:port` of the peer, for messages (not unique: a peer may reuse a
   * port); `unix#id` for a Unix socket peer (unique).
   */
  readonly key: string;
  readonly #host: RemoterHost;

  /**
   * Wraps an accepted socket. Servers call this; users get Remoters from the server.
   * @param host the accepting server
   * @param socket the accepted, connected socket
   * @param options ring size, socket options, wirelog
   * @param id unique connection id (the server's counter)
   */
  constructor(host: RemoterHost, socket: StreamSocket, options: ConnectionOptions, id: number) {
    const path = host.path;
    const key = path === undefined ? formatAddress(socket.remoteAddress, socket.remotePort) : `unix#${id}`;
    super(options, `remoter ${key} of ${host.label}`);
    this.#host = host;
    this.remoteAddress = path ?? socket.remoteAddress ?? "?";
    this.remotePort = path === undefined ? (socket.remotePort ?? 0) : 0;
    this.key = key;
    this.id = id;
    this.attach(socket, true, "connect");
  }

  /** `remoter host:port of server host:port` (`remoter unix#3 of server /path/to.sock`), for messages. */
  get label(): string {
    return `remoter ${this.key} of ${this.#host.label}`;
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
    return Promise.reject(this.error ?? new TcpError(`${this.label}: closed`));
  }

  protected override onEvent(): void {
    this.#host.dirty(this);
  }

  protected override touched(): void {
    this.#host.touch(this);
  }

  protected override firstBytes(): void {
    this.#host.received?.(this);
  }
}
