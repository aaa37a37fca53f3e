/**
 * Connection: what Client and Remoter share, the pump between one stream
 * socket and the `rxbs`/`txbs` rings, with back pressure both ways and no
 * lost bytes. Internal to the tcp layer; its public members show on Client
 * and Remoter.
 *
 * @module
 */
import { Signal, type Waker } from "../core/index.js";
import { Intake, RingBuffer } from "../io/index.js";
import type { StreamSocket } from "./driver.js";
import { formatAddress } from "./address.js";
import { socketError, type TcpError } from "./errors.js";
import { checkCount, checkSeconds } from "./validate.js";
import type { WireTap } from "./wire-tap.js";

/**
 * A connection's lifecycle: `"closed"` (not opened, failed to connect, or
 * closed by us), `"opening"` (connect or handshake in progress), `"open"`
 * (bytes flow), `"cutoff"` (the peer closed its side, the connection broke
 * or the peer went away: `rxbs` ends after the bytes received before; while
 * the socket is still `alive` — half-open after the peer's FIN — sending
 * goes on).
 */
export type ConnectionState = "closed" | "opening" | "open" | "cutoff";

/** Options every connection takes. */
export interface ConnectionOptions {
  /** Capacity of `rxbs` and of `txbs` in bytes. Default 65 536. */
  bufferSize?: number;
  /** Disable Nagle's algorithm, so small writes go out at once. Default true. */
  noDelay?: boolean;
  /** Send TCP keepalive probes after this many seconds of silence; 0 (default): off. */
  keepAlive?: number;
  /** Record every chunk received and sent. */
  wirelog?: WireTap | undefined;
}

type ShutdownState = "none" | "requested" | "sent";

/**
 * The pump between one socket and two rings. Received bytes go straight into
 * `rxbs` from the socket's callback; what does not fit is kept aside and
 * reading pauses until `rxbs` has room. Sending lends views of `txbs` to the
 * socket (no copy) and frees them once the socket is done with them; it
 * stops while the socket asks for drain (so `txbs` fills and writers wait:
 * back pressure).
 */
export abstract class Connection {
  /** Bytes received, for protocol code to read. */
  readonly rxbs: RingBuffer;
  /** Bytes to send, written by protocol code. */
  readonly txbs: RingBuffer;
  /** Notified on every change of `state`. */
  readonly stateSignal = new Signal();
  /** Woken on every socket event (set by the Doer that services this handle). */
  waker: Waker | undefined;
  /** Where chunks are recorded, if anywhere. */
  wirelog: WireTap | undefined;
  /** The last error: a failed connect, a reset, a TLS failure. Cleared by a new attempt. */
  error: TcpError | undefined;
  /** Bytes left in `txbs` (not sent, or not confirmed by the socket) when the last connection ended. */
  unsent = 0;
  /** Bytes handed to the OS (confirmed by the socket) since the handle was made, over every connection. */
  sentBytes = 0;
  /** Disable Nagle's algorithm. */
  readonly noDelay: boolean;
  /** Keepalive delay in seconds; 0: off. */
  readonly keepAlive: number;

  #state: ConnectionState = "closed";
  #socket: StreamSocket | undefined;
  #peer = "?";
  #peerEnded = false;
  #needDrain = false;
  /** Bytes at the front of txbs lent to the socket and not yet given back. */
  #inflight = 0;
  /** Sizes of the lent writes, in order; 0 once settled early. */
  readonly #sizes: number[] = [];
  #written: (error?: Error | null) => void = () => {};
  #shutdown: ShutdownState = "none";
  /** The attached socket reached `open` (so losing it loses a connection, not an attempt). */
  #socketOpened = false;
  #closeWhenFlushed = false;
  readonly #eventWaker: Waker = { wake: () => this.onEvent() };
  /**
   * Takes received bytes into `rxbs`, holds what does not fit and pauses
   * the socket; `serviceReceive()` moves held bytes in once a reader made
   * room (the room wakes the servicing Doer).
   */
  readonly #intake: Intake;

  /**
   * @param options ring size, socket options, wirelog
   * @param name names the rings, e.g. `client 127.0.0.1:7000`
   * @param trackWrites keep write boundaries in `txbs` (to count dropped writes)
   */
  constructor(options: ConnectionOptions, name: string, trackWrites = false) {
    const capacity = checkCount("bufferSize", options.bufferSize ?? 65_536, 1);
    this.rxbs = new RingBuffer({ capacity, name: `${name} rxbs` });
    this.txbs = new RingBuffer({ capacity, name: `${name} txbs`, trackWrites });
    this.noDelay = options.noDelay ?? true;
    this.keepAlive = checkSeconds("keepAlive", options.keepAlive ?? 0);
    this.wirelog = options.wirelog;
    this.#intake = new Intake(this.rxbs, {
      source: { pause: () => this.#socket?.pause(), resume: () => this.#socket?.resume() },
      wake: this.#eventWaker,
    });
  }

  /** Names the handle and its address for messages, e.g. `client 127.0.0.1:7000`. */
  abstract get label(): string;

  /** The lifecycle state. */
  get state(): ConnectionState {
    return this.#state;
  }

  /** Bytes can flow (`state === "open"`). */
  get connected(): boolean {
    return this.#state === "open";
  }

  /** The peer closed its side or the connection broke (`state === "cutoff"`). */
  get cutoff(): boolean {
    return this.#state === "cutoff";
  }

  /** A socket is attached: connecting, open, or half-open after the peer's FIN. */
  get alive(): boolean {
    return this.#socket !== undefined;
  }

  /**
   * A waker that marks this connection as having work for whoever services
   * it (a Remoter's server, a Client's Doer). Subscribe it to a ring signal
   * when servicing code waits on one, e.g. `txbs.spaceSignal`.
   */
  get eventWaker(): Waker {
    return this.#eventWaker;
  }

  /** Reading is paused because `rxbs` is full. */
  get receivePaused(): boolean {
    return this.#intake.paused;
  }

  /**
   * Bytes written to `txbs` now may still reach the peer: a socket is
   * attached, connecting or open (also half-open after the peer's FIN), and
   * our side was not shut down. A reconnecting Client adds: it will connect
   * again and send them.
   */
  get maySend(): boolean {
    return this.#socket !== undefined && this.#shutdown === "none";
  }

  /**
   * More bytes may still arrive in `rxbs`: connecting or open and the peer
   * has not ended its side, or received bytes are still held back. A
   * reconnecting Client adds: a new connection may bring more.
   */
  get mayReceive(): boolean {
    if (this.#intake.held > 0) return true;
    return this.#socket !== undefined && !this.#peerEnded && !this.#receiveShut;
  }

  /** The socket's local IP address, once connected. */
  get localAddress(): string | undefined {
    return this.#local;
  }

  /** The socket's local port, once connected. */
  get localPort(): number | undefined {
    return this.#localPort;
  }

  #local: string | undefined;
  #localPort: number | undefined;
  #receiveShut = false;

  /**
   * Stops receiving, like `shutdown(SHUT_RD)`: `rxbs` ends after what it
   * holds (readers drain it, then see the end) and later bytes from the peer
   * are read and dropped, so the peer is not stalled. Sending goes on.
   */
  shutdownReceive(): void {
    if (this.#receiveShut) return;
    this.#receiveShut = true;
    const paused = this.#intake.paused;
    this.#intake.reset();
    if (paused) this.#socket?.resume();
    this.rxbs.end();
    this.onEvent();
  }

  /**
   * Shuts both directions down: receiving stops at once
   * (`shutdownReceive`), and FIN goes out once `txbs` is flushed
   * (`shutdownSend`); the connection closes once the peer has closed too.
   */
  shutdown(): void {
    this.shutdownReceive();
    this.endAfterFlush();
  }

  /** Moves bytes both ways once, without blocking. */
  service(): void {
    this.serviceReceive();
    this.serviceSend();
  }

  /**
   * Moves held bytes into `rxbs` while it has room, and resumes reading once
   * all are in. Costs nothing unless bytes are held.
   */
  serviceReceive(): void {
    const intake = this.#intake;
    const held = intake.held;
    intake.flush();
    // Bytes arrived in rxbs (all or part of the held ones): their consumer has work.
    if (intake.held < held) this.onEvent();
  }

  /**
   * Hands the unsent bytes of `txbs` to the socket, unless it asked to wait
   * for drain; half-closes once everything is handed over, if asked to.
   */
  serviceSend(): void {
    const socket = this.#socket;
    if (socket === undefined || this.#state === "opening") return;
    const txbs = this.txbs;
    if (!this.#needDrain && txbs.length > this.#inflight) {
      // Lend the socket views of the ring, no copy. When the OS took them at
      // once (nothing left queued in the socket), they are consumed at once;
      // otherwise they stay in the ring until the socket confirms them, so
      // nothing overwrites them in flight. Measured faster than copying out.
      const regions = txbs.readRegions();
      let skip = this.#inflight;
      for (let index = 0; index < regions.length; index++) {
        const region = regions[index]!;
        if (skip >= region.length) {
          skip -= region.length;
          continue;
        }
        const view = skip > 0 ? region.subarray(skip) : region;
        skip = 0;
        this.wirelog?.tx(view, this.#peer);
        this.touched();
        this.#inflight += view.length;
        this.#sizes.push(view.length);
        const more = socket.write(view, this.#written);
        // Taken by the OS at once: give the bytes back now. Not when the
        // write failed at once (the peer reset): they were not sent.
        if (socket.writableLength === 0 && socket.errored == null && socket.destroyed !== true) this.#settle();
        if (!more) {
          this.#needDrain = true;
          break;
        }
      }
    }
    if (txbs.length === this.#inflight) {
      if (this.#shutdown === "requested") {
        this.#shutdown = "sent";
        socket.end(this.#closeWhenFlushed ? this.#finished : undefined);
      } else if (this.#shutdown === "none") {
        txbs.dataSignal.subscribe(this.#eventWaker);
      }
    }
  }

  /**
   * Half-closes: sends FIN once `txbs` is flushed; receiving goes on until
   * the peer closes too.
   */
  shutdownSend(): void {
    if (this.#shutdown !== "none") return;
    this.#shutdown = "requested";
    this.onEvent();
  }

  /**
   * Closes gracefully: flushes `txbs`, sends FIN, then closes. Closes at once
   * when the connection is not open.
   */
  endAfterFlush(): void {
    if (this.#socket === undefined || this.#state === "opening") {
      this.close();
      return;
    }
    this.#closeWhenFlushed = true;
    if (this.#shutdown === "sent") {
      this.close(); // FIN already went out; nothing left to flush
      return;
    }
    this.shutdownSend();
  }

  /**
   * Closes at once: the socket is destroyed, unsent bytes are counted in
   * `unsent`, and `rxbs` ends so readers drain it and stop. Safe to call twice.
   */
  close(): void {
    this.closeSocket(true);
  }

  /**
   * Destroys the socket and sets the state to `closed`.
   * @param endReceive whether `rxbs` ends (false for a retry that comes next)
   */
  protected closeSocket(endReceive: boolean): void {
    const socket = this.#socket;
    if (socket === undefined && this.#state === "closed") {
      if (endReceive) this.rxbs.end();
      return;
    }
    this.#socket = undefined;
    if (socket !== undefined) this.unsent = this.txbs.length;
    this.#intake.reset();
    this.#resetSend();
    socket?.destroy();
    if (endReceive) this.rxbs.end();
    const wasOpen = socket !== undefined && this.#socketOpened;
    this.#socketOpened = false;
    this.setState("closed");
    if (wasOpen) this.lost();
    this.onEvent();
  }

  /** Closes it when a `using` block ends (the socket is released in the background). */
  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * Closes it when an `await using` block ends.
   * @returns resolves once the socket is released (its `close` event)
   */
  [Symbol.asyncDispose](): Promise<void> {
    const released = this.released();
    this.close();
    return released;
  }

  /**
   * A promise of the attached socket's `close` event (the descriptor is
   * released then); resolved at once when no socket is attached.
   * @returns resolves once the current socket is gone
   */
  protected released(): Promise<void> {
    const socket = this.#socket;
    if (socket === undefined) return Promise.resolve();
    return new Promise<void>((resolve) => socket.on("close", () => resolve()));
  }

  /** The socket being pumped, if any. */
  protected get socket(): StreamSocket | undefined {
    return this.#socket;
  }

  /**
   * Starts pumping `socket`.
   * @param socket a connecting or connected socket
   * @param connected whether it is connected already (accepted sockets)
   * @param connectEvent the event that says it is ready: `connect` or `secureConnect`
   */
  protected attach(socket: StreamSocket, connected: boolean, connectEvent: "connect" | "secureConnect"): void {
    const predecessor = this.#socket;
    if (predecessor !== undefined) {
      // A half-open predecessor (reconnect after the peer's FIN).
      this.#socket = undefined;
      predecessor.destroy();
      this.unsent = this.txbs.length;
      this.#resetSend();
      if (this.#socketOpened) this.lost();
    }
    this.#socketOpened = false;
    this.#gotBytes = false;
    this.#receiveShut = false;
    this.#socket = socket;
    this.#peerEnded = false;
    this.#intake.reset();
    this.#shutdown = "none";
    this.#closeWhenFlushed = false;
    this.#resetSend();
    this.error = undefined;
    this.unsent = 0;
    // One confirmation callback per socket, so a late one from an old socket
    // cannot give back bytes of the next.
    this.#written = (error?: Error | null): void => {
      if (socket !== this.#socket || (error !== undefined && error !== null)) return;
      const size = this.#sizes.shift();
      if (size === undefined || size === 0) return;
      this.#inflight -= size;
      this.sentBytes += size;
      this.txbs.consume(size);
    };
    socket.on("data", (chunk: Uint8Array) => {
      if (socket === this.#socket) this.receive(chunk, false);
    });
    socket.on("end", () => {
      if (socket !== this.#socket) return;
      this.#peerEnded = true;
      this.#intake.end(); // rxbs ends once the held bytes are in
      if (this.#state === "open") {
        // Half-open: we may still send until we close or the socket goes.
        this.setState("cutoff");
        this.cutOff();
      }
      this.onEvent();
    });
    socket.on("drain", () => {
      if (socket !== this.#socket) return;
      this.#needDrain = false;
      // Everything queued was handed over: give the lent bytes back even if
      // the driver does not call write callbacks.
      if (socket.writableLength === 0) this.#settle();
      this.onEvent();
    });
    socket.on("error", (error: Error) => {
      if (socket !== this.#socket) return;
      this.error = socketError(this.label, error, this.#state === "opening");
    });
    socket.on("close", () => {
      if (socket !== this.#socket) return;
      this.#socket = undefined;
      this.unsent = this.txbs.length;
      this.#resetSend();
      const wasOpen = this.#socketOpened;
      this.#socketOpened = false;
      const was = this.#state;
      if (was === "opening") {
        this.error ??= socketError(this.label, new Error("connection closed during connect"), true);
        this.setState("closed");
        this.connectFailed();
      } else {
        this.#peerEnded = true;
        this.#intake.end(); // rxbs ends once the held bytes are in
        if (was === "open") {
          this.setState("cutoff");
          this.cutOff();
        }
      }
      if (wasOpen) this.lost();
      this.onEvent();
    });
    if (connected) this.#opened(socket);
    else {
      this.setState("opening");
      socket.on(connectEvent, () => {
        if (socket === this.#socket) this.#opened(socket);
      });
    }
  }

  /**
   * Takes received bytes into `rxbs`; what does not fit is kept aside and
   * reading pauses until there is room.
   * @param chunk the bytes
   * @param transient whether `chunk` is a reused buffer (copy what is kept)
   * @returns false when reading should pause
   */
  protected receive(chunk: Uint8Array, transient: boolean): boolean {
    const wirelog = this.wirelog;
    if (wirelog !== undefined) wirelog.rx(chunk, this.#peer);
    this.touched();
    if (this.#receiveShut) return true; // shut for receiving: read and dropped
    if (!this.#gotBytes) {
      this.#gotBytes = true;
      this.firstBytes();
    }
    // A driver that ignores pause() keeps delivering: the Intake queues
    // those chunks behind the held ones, so no byte is lost.
    this.#intake.offer(chunk, transient);
    this.onEvent();
    return !this.#intake.paused;
  }

  /**
   * Sets the state and notifies `stateSignal`.
   * @param state the new state
   */
  protected setState(state: ConnectionState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.stateSignal.notify();
  }

  /** Called on every socket event: wakes the servicing Doer. Remoter tells its server instead. */
  protected onEvent(): void {
    this.waker?.wake();
  }

  /** Called for every chunk moved, for idle timeouts. */
  protected touched(): void {}

  /** Called when the first bytes of a connection arrive, for first-byte deadlines. */
  protected firstBytes(): void {}

  #gotBytes = false;

  /**
   * Called when the socket of a connection that had opened is gone (closed
   * by us, by the peer, reset, or replaced by a reconnect): whatever is left
   * in `txbs` was meant for it.
   */
  protected lost(): void {}

  /** Called when a connect attempt failed (state is `closed`, `error` set). */
  protected connectFailed(): void {}

  /** Called when an open connection was cut off: the peer's FIN, a reset, or the socket closed (state is `cutoff`). */
  protected cutOff(): void {}

  #opened(socket: StreamSocket): void {
    this.#peer = formatAddress(socket.remoteAddress, socket.remotePort);
    this.#socketOpened = true;
    this.#local = socket.localAddress;
    this.#localPort = socket.localPort;
    socket.setNoDelay(this.noDelay);
    if (this.keepAlive > 0) socket.setKeepAlive(true, this.keepAlive * 1000);
    this.setState("open");
    this.onEvent();
  }

  #resetSend(): void {
    this.#needDrain = false;
    this.#inflight = 0;
    this.#sizes.length = 0;
  }

  /** The socket holds none of the lent bytes any more: give them all back now. */
  #settle(): void {
    const inflight = this.#inflight;
    if (inflight === 0) return;
    this.#inflight = 0;
    this.sentBytes += inflight;
    this.#sizes.fill(0);
    this.txbs.consume(inflight);
  }

  readonly #finished = (): void => {
    if (this.#closeWhenFlushed) this.close();
  };
}
