/**
 * Remoter: the server's side of one accepted connection.
 *
 * @module
 */
import { WAIT, type Signal, type Tymth, type Waker } from "../core/index.js";
import type { Handle } from "../io/handle.js";
import type { RingBuffer } from "../io/index.js";
import { formatAddress } from "./address.js";
import { type TcpError, TcpError as TcpErrorClass } from "./errors.js";
import type { ConnectionOptions, ConnectionState } from "./connection.js";
import type { StreamSocket } from "./driver.js";
import { StreamPump, type StreamPumpHost } from "./stream-pump.js";
import type { WireTap } from "./wire-tap.js";

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
export class Remoter implements Handle {
  /** Peer address; for a Unix socket peer (which has none) the server's socket path. */
  readonly remoteAddress: string;
  /** Peer port; 0 for a Unix socket peer. */
  readonly remotePort: number;
  /** Unique (per server) connection id: its key in `server.remoters`. */
  readonly id: number;
  /** Unused: a remoter's events go to its server, which services it (kept for the {@link Handle} contract). */
  waker: Waker | undefined;
  readonly #server: RemoterHost;
  readonly #pump: StreamPump<Remoter>;

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
    const path = host.path;
    this.#server = host;
    this.remoteAddress = path ?? socket.remoteAddress ?? "?";
    this.remotePort = path === undefined ? (socket.remotePort ?? 0) : 0;
    this.id = id;
    this.#pump = new StreamPump<Remoter>(this, Remoter.#pumpHost, options);
    this.#pump.attach(socket, true, "connect");
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

  /** Bytes received, for protocol code to read. */
  get rxbs(): RingBuffer {
    return this.#pump.rxbs;
  }

  /** Bytes to send, written by protocol code. */
  get txbs(): RingBuffer {
    return this.#pump.txbs;
  }

  /** Notified on every change of `state`. */
  get stateSignal(): Signal {
    return this.#pump.stateSignal;
  }

  /** Where chunks are recorded, if anywhere. */
  get wirelog(): WireTap | undefined {
    return this.#pump.wirelog;
  }

  set wirelog(wirelog: WireTap | undefined) {
    this.#pump.wirelog = wirelog;
  }

  /** The last error: a reset, a TLS failure, an idle timeout. */
  get error(): TcpError | undefined {
    return this.#pump.error;
  }

  set error(error: TcpError | undefined) {
    this.#pump.error = error;
  }

  /** Bytes left in `txbs` (not handed to the OS) when the connection ended. */
  get unsent(): number {
    return this.#pump.unsent;
  }

  /** Bytes handed to the OS since the connection was accepted. */
  get sentBytes(): number {
    return this.#pump.sentBytes;
  }

  /** Nagle's algorithm is disabled. */
  get noDelay(): boolean {
    return this.#pump.noDelay;
  }

  /** Keepalive delay in seconds; 0: off. */
  get keepAlive(): number {
    return this.#pump.keepAlive;
  }

  /** The lifecycle state. */
  get state(): ConnectionState {
    return this.#pump.state;
  }

  /** Bytes can flow (`state === "open"`). */
  get connected(): boolean {
    return this.#pump.state === "open";
  }

  /** The peer closed its side or the connection broke (`state === "cutoff"`). */
  get cutoff(): boolean {
    return this.#pump.state === "cutoff";
  }

  /** The socket is still attached: open, or half-open after the peer's FIN. */
  get alive(): boolean {
    return this.#pump.socket !== undefined;
  }

  /**
   * A waker that marks this remoter as having work for its server. Subscribe
   * it to a ring signal when servicing code waits on one, e.g. `txbs.spaceSignal`.
   */
  get eventWaker(): Waker {
    return this.#pump;
  }

  /** Reading is paused because `rxbs` is full. */
  get receivePaused(): boolean {
    return this.#pump.receivePaused;
  }

  /**
   * Bytes written to `txbs` now may still reach the peer: the socket is
   * attached (also half-open after the peer's FIN) and our side was not shut down.
   */
  get maySend(): boolean {
    return this.#pump.maySend;
  }

  /** More bytes may still arrive in `rxbs`: the peer has not ended its side, or received bytes are still held back. */
  get mayReceive(): boolean {
    return this.#pump.mayReceive;
  }

  /** The socket's local IP address. */
  get localAddress(): string | undefined {
    return this.#pump.localAddress;
  }

  /** The socket's local port. */
  get localPort(): number | undefined {
    return this.#pump.localPort;
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
    this.#pump.serviceReceive();
    this.#pump.serviceSend();
  }

  /** Moves held received bytes into `rxbs` while it has room; costs nothing unless bytes are held. */
  serviceReceive(): void {
    this.#pump.serviceReceive();
  }

  /** Hands the unsent bytes of `txbs` to the socket unless it waits for drain; sends FIN once flushed, if asked to. */
  serviceSend(): void {
    this.#pump.serviceSend();
  }

  /**
   * Stops receiving, like `shutdown(SHUT_RD)`: `rxbs` ends after what it
   * holds (readers drain it, then see the end) and later bytes from the peer
   * are read and dropped, so the peer is not stalled. Sending goes on.
   */
  shutdownReceive(): void {
    this.#pump.shutdownReceive();
  }

  /** Half-closes: sends FIN once `txbs` is flushed; receiving goes on until the peer closes too. */
  shutdownSend(): void {
    this.#pump.shutdownSend();
  }

  /**
   * Shuts both directions down: receiving stops at once
   * (`shutdownReceive`), and FIN goes out once `txbs` is flushed; the
   * connection closes once that is done.
   */
  shutdown(): void {
    this.#pump.shutdownReceive();
    this.#pump.endAfterFlush();
  }

  /** Closes gracefully: flushes `txbs`, sends FIN, then closes. Closes at once when not open. */
  endAfterFlush(): void {
    this.#pump.endAfterFlush();
  }

  /**
   * Closes at once: the socket is destroyed, unsent bytes are counted in
   * `unsent`, and `rxbs` ends so readers drain it and stop. Safe to call twice.
   */
  close(): void {
    this.#pump.close();
  }

  /** Closes it when a `using` block ends (the socket is released in the background). */
  [Symbol.dispose](): void {
    this.#pump.close();
  }

  /**
   * Closes it when an `await using` block ends.
   * @returns resolves once the socket is released (its `close` event)
   */
  [Symbol.asyncDispose](): Promise<void> {
    const released = this.#pump.released();
    this.#pump.close();
    return released;
  }
}
