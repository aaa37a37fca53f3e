/**
 * StreamPump: the pump between one stream socket and a handle's `rxbs` and
 * `txbs`, with back pressure both ways and no lost bytes. Client and Remoter
 * each hold one (composition, as Serial holds a SerialPump) and implement
 * the {@link Handle} contract by delegating to it; the pump reports to its
 * owner through the narrow {@link StreamPumpHost}. Internal to the tcp layer.
 *
 * An idle connection costs little: the socket gets a fixed set of listeners
 * that are module-level functions shared by every socket (each finds its
 * pump through a symbol-keyed property of the socket and checks that the
 * pump still owns that socket), the host is one constant object per handle
 * class, and the write and end callbacks and the {@link Intake} are made the
 * first time a connection sends, ends or receives.
 *
 * @module
 */
import { Signal, type Waker } from "../core/index.js";
import { Intake, type IntakeSource, RingBuffer } from "../io/index.js";
import { formatAddress } from "./address.js";
import type { ConnectionOptions, ConnectionState } from "./connection.js";
import type { StreamSocket } from "./driver.js";
import { socketError, type TcpError } from "./errors.js";
import { checkCount, checkSeconds } from "./validate.js";
import type { WireTap } from "./wire-tap.js";

/**
 * What a {@link StreamPump} reports to the handle that owns it. One constant
 * object per handle class serves every instance: each call names the owner,
 * so a connection needs no closures of its own.
 */
export interface StreamPumpHost<Owner> {
  /** A socket event or a ring change: whoever services the owner has work. */
  event(owner: Owner): void;
  /** Bytes moved (either way): for idle timeouts. */
  touched(owner: Owner): void;
  /** The first bytes of a connection arrived: for first-byte deadlines. */
  firstBytes(owner: Owner): void;
  /** The socket connected (and finished its TLS handshake): state is `open`. */
  opened(owner: Owner): void;
  /** An open connection was cut off: the peer's FIN, a reset, or the socket closed (state is `cutoff`). */
  cutOff(owner: Owner): void;
  /**
   * The socket of a connection that had opened is gone (closed by us, by the
   * peer, reset, or replaced by a reconnect): what is left in `txbs` was
   * meant for it.
   */
  lost(owner: Owner): void;
  /** A connect attempt failed (state is `closed`, `error` set). */
  connectFailed(owner: Owner): void;
}

/** What the pump asks of its owner (a Handle): its name, and its own close. */
export interface PumpOwner {
  /** Names the handle and its address in error messages, e.g. `client 127.0.0.1:7000`. */
  readonly label: string;
  /** Closes the handle: called once a graceful close has flushed, or had nothing to flush. */
  close(): void;
}

/** The property of a socket that names the pump pumping it. */
const PUMP: unique symbol = Symbol("hio-ts stream pump");

/** A socket as the pump marks it. */
interface PumpedSocket extends StreamSocket {
  [PUMP]?: StreamPump<PumpOwner> | undefined;
}

/** Half-close progress: none asked, asked (FIN once `txbs` is flushed), FIN sent. */
const SHUT_NONE = 0;
const SHUT_REQUESTED = 1;
const SHUT_SENT = 2;

/**
 * The pump between one socket and two rings. Received bytes go straight into
 * `rxbs` from the socket's callback; what does not fit is held by an
 * {@link Intake}, and reading pauses until `rxbs` has room. Sending lends
 * views of `txbs` to the socket (no copy) and consumes them once the socket
 * no longer holds them (`writableLength`); it stops while the socket asks
 * for drain (so `txbs` fills and writers wait: back pressure).
 *
 * The pump is its owner's event waker (`wake()` reports an event to the
 * host) and its intake's source (`pause()`/`resume()` the current socket).
 */
export class StreamPump<Owner extends PumpOwner> implements Waker, IntakeSource {
  /** Bytes received, for protocol code to read. */
  readonly rxbs: RingBuffer;
  /** Bytes to send, written by protocol code. */
  readonly txbs: RingBuffer;
  /** Made when first asked for (nobody waits on most remoters' state). */
  #stateSignal: Signal | undefined;
  /** Where chunks are recorded, if anywhere. */
  wirelog: WireTap | undefined;
  /** The last error: a failed connect, a reset, a TLS failure. Cleared by a new attempt. */
  error: TcpError | undefined;
  /** Bytes left in `txbs` (not handed to the OS) when the last connection ended. */
  unsent = 0;
  /** Bytes handed to the OS since the pump was made, over every connection. */
  sentBytes = 0;
  /** Disable Nagle's algorithm. */
  readonly noDelay: boolean;
  /** Keepalive delay in seconds; 0: off. */
  readonly keepAlive: number;

  readonly #owner: Owner;
  readonly #host: StreamPumpHost<Owner>;
  #state: ConnectionState = "closed";
  #socket: PumpedSocket | undefined;
  /** `host:port` of the peer for the wirelog, made when first logged. */
  #peer: string | undefined;
  #peerEnded = false;
  /**
   * The peer ended (or the socket went) and `rxbs` is to end at the next
   * `serviceReceive()`: ending it wakes its reader, and a server services
   * its remoters in bounded batches, so 10 000 peers closing at once do not
   * run 10 000 handlers inside Node's event callbacks.
   */
  #endPending = false;
  #receiveShut = false;
  #gotBytes = false;
  /** The attached socket reached `open` (so losing it loses a connection, not an attempt). */
  #socketOpened = false;
  #needDrain = false;
  /** Bytes at the front of txbs lent to the socket and not yet given back. */
  #inflight = 0;
  #shutdown = SHUT_NONE;
  #closeWhenFlushed = false;
  #local: string | undefined;
  #localPort: number | undefined;
  /** Made when the first chunk arrives (an idle connection never needs one). */
  #intake: Intake | undefined;
  /** The write callback, made at the first write, one per pump (not per socket or write). */
  #written: ((error?: Error | null) => void) | undefined;
  /** The callback of a graceful end, made at the first one. */
  #finished: (() => void) | undefined;

  /**
   * @param owner the handle that holds the pump (passed to every host call)
   * @param host what to report to: one constant object per handle class
   * @param options ring size, socket options, wirelog
   * @param trackWrites keep write boundaries in `txbs` (to count dropped writes)
   * @throws TypeError / RangeError naming a bad `bufferSize` or `keepAlive`
   */
  constructor(owner: Owner, host: StreamPumpHost<Owner>, options: ConnectionOptions, trackWrites = false) {
    const capacity = checkCount("bufferSize", options.bufferSize ?? 65_536, 1);
    this.#owner = owner;
    this.#host = host;
    // The rings are named after the owner's label when a message needs it.
    this.rxbs = new RingBuffer({ capacity, name: "rxbs", owner });
    this.txbs = new RingBuffer({ capacity, name: "txbs", owner, trackWrites });
    this.noDelay = options.noDelay ?? true;
    this.keepAlive = checkSeconds("keepAlive", options.keepAlive ?? 0);
    this.wirelog = options.wirelog;
  }

  /** Notified on every change of `state`. */
  get stateSignal(): Signal {
    return (this.#stateSignal ??= new Signal());
  }

  /** The lifecycle state. */
  get state(): ConnectionState {
    return this.#state;
  }

  /** The socket being pumped, if any. */
  get socket(): StreamSocket | undefined {
    return this.#socket;
  }

  /** Reading is paused because `rxbs` is full. */
  get receivePaused(): boolean {
    return this.#intake?.paused === true;
  }

  /** A socket is attached and our side was not shut down. */
  get maySend(): boolean {
    return this.#socket !== undefined && this.#shutdown === SHUT_NONE;
  }

  /** Received bytes are held back, or a socket is attached whose peer has not ended and that we did not shut for receiving. */
  get mayReceive(): boolean {
    if (this.#intake !== undefined && this.#intake.held > 0) return true;
    return this.#socket !== undefined && !this.#peerEnded && !this.#receiveShut;
  }

  /** The socket's local IP address, once connected (kept after close once read). */
  get localAddress(): string | undefined {
    if (this.#local === undefined && this.#socketOpened) this.#local = this.#socket?.localAddress;
    return this.#local;
  }

  /** The socket's local port, once connected (kept after close once read). */
  get localPort(): number | undefined {
    if (this.#localPort === undefined && this.#socketOpened) this.#localPort = this.#socket?.localPort;
    return this.#localPort;
  }

  /** Reports an event to the host: the pump is its owner's event waker. */
  wake(): void {
    this.#host.event(this.#owner);
  }

  /** Pauses the current socket (the intake holds bytes). */
  pause(): void {
    this.#socket?.pause();
  }

  /** Resumes the current socket (the held bytes are in). */
  resume(): void {
    this.#socket?.resume();
  }

  /**
   * Starts pumping `socket`; a socket still attached (half-open after the
   * peer's FIN) is destroyed first.
   * @param socket a connecting or connected socket
   * @param connected whether it is connected already (accepted sockets)
   * @param connectEvent the event that says it is ready: `connect` or `secureConnect`
   */
  attach(socket: StreamSocket, connected: boolean, connectEvent: "connect" | "secureConnect"): void {
    const predecessor = this.#socket;
    if (predecessor !== undefined) {
      this.#detach(predecessor);
      predecessor.destroy();
      this.unsent = this.txbs.length;
      this.#resetSend();
      if (this.#socketOpened) this.#host.lost(this.#owner);
    }
    const pumped = socket as PumpedSocket;
    this.#socketOpened = false;
    this.#gotBytes = false;
    this.#receiveShut = false;
    this.#peerEnded = false;
    this.#endPending = false;
    this.#peer = undefined;
    this.#local = undefined;
    this.#localPort = undefined;
    this.#intake?.reset();
    this.#shutdown = SHUT_NONE;
    this.#closeWhenFlushed = false;
    this.#resetSend();
    this.error = undefined;
    this.unsent = 0;
    this.#socket = pumped;
    pumped[PUMP] = this as StreamPump<PumpOwner>;
    pumped.on("data", onData);
    pumped.on("end", onEnd);
    pumped.on("drain", onDrain);
    pumped.on("error", onError);
    pumped.on("close", onClose);
    if (connected) this.#opened();
    else {
      this.setState("opening");
      pumped.on(connectEvent, onConnect);
    }
  }

  /**
   * Takes received bytes into `rxbs`; what does not fit is held and reading
   * pauses until there is room.
   * @param chunk the bytes
   * @param transient whether `chunk` is a reused buffer (copy what is held)
   * @returns false when reading should pause
   */
  receive(chunk: Uint8Array, transient: boolean): boolean {
    const wirelog = this.wirelog;
    if (wirelog !== undefined) wirelog.rx(chunk, this.#peerName());
    const host = this.#host;
    const owner = this.#owner;
    host.touched(owner);
    if (this.#receiveShut) return true; // shut for receiving: read and dropped
    if (!this.#gotBytes) {
      this.#gotBytes = true;
      host.firstBytes(owner);
    }
    // A driver that ignores pause() keeps delivering: the Intake queues
    // those chunks behind the held ones, so no byte is lost.
    // A socket's `data` chunks are fresh Buffers it never touches again (not `transient`): rxbs may adopt them.
    const intake = (this.#intake ??= new Intake(this.rxbs, { source: this, wake: this, adopt: true }));
    intake.offer(chunk, transient);
    host.event(owner);
    return !intake.paused;
  }

  /**
   * Moves held bytes into `rxbs` while it has room, and resumes reading once
   * all are in. Costs nothing unless bytes are held.
   */
  serviceReceive(): void {
    const intake = this.#intake;
    if (intake !== undefined) {
      const held = intake.held;
      intake.flush();
      // Bytes arrived in rxbs (all or part of the held ones): their consumer has work.
      if (intake.held < held) this.#host.event(this.#owner);
    }
    if (this.#endPending) {
      this.#endPending = false;
      this.#endIntake(); // rxbs ends once the held bytes are in
    }
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
      // Lend the socket views of the ring, no copy. What the OS took at once
      // (nothing left queued in the socket) is consumed at once; the rest
      // stays in the ring until the socket no longer holds it, so nothing
      // overwrites it in flight. Measured faster than copying out.
      const regions = txbs.readRegions();
      const written = (this.#written ??= (error?: Error | null): void => {
        if (error === undefined || error === null) this.#confirm();
      });
      const wirelog = this.wirelog;
      let skip = this.#inflight;
      for (let index = 0; index < regions.length; index++) {
        const region = regions[index]!;
        if (skip >= region.length) {
          skip -= region.length;
          continue;
        }
        const view = skip > 0 ? region.subarray(skip) : region;
        skip = 0;
        if (wirelog !== undefined) wirelog.tx(view, this.#peerName());
        this.#host.touched(this.#owner);
        this.#inflight += view.length;
        const more = socket.write(view, written);
        this.#confirm();
        if (!more) {
          this.#needDrain = true;
          break;
        }
      }
    }
    if (txbs.length === this.#inflight) {
      if (this.#shutdown === SHUT_REQUESTED) {
        this.#shutdown = SHUT_SENT;
        if (this.#closeWhenFlushed) {
          socket.end(
            (this.#finished ??= (): void => {
              if (this.#closeWhenFlushed && this.#shutdown === SHUT_SENT) this.#owner.close();
            }),
          );
        } else socket.end();
      } else if (this.#shutdown === SHUT_NONE) {
        txbs.dataSignal.subscribe(this);
      }
    }
  }

  /**
   * Stops receiving, like `shutdown(SHUT_RD)`: `rxbs` ends after what it
   * holds and later bytes from the peer are read and dropped.
   */
  shutdownReceive(): void {
    if (this.#receiveShut) return;
    this.#receiveShut = true;
    const intake = this.#intake;
    if (intake !== undefined) {
      const paused = intake.paused;
      intake.reset();
      if (paused) this.#socket?.resume();
    }
    this.rxbs.end();
    this.#host.event(this.#owner);
  }

  /** Half-closes: sends FIN once `txbs` is flushed. */
  shutdownSend(): void {
    if (this.#shutdown !== SHUT_NONE) return;
    this.#shutdown = SHUT_REQUESTED;
    this.#host.event(this.#owner);
  }

  /** Closes gracefully: flushes `txbs`, sends FIN, then closes the owner; at once when not open. */
  endAfterFlush(): void {
    if (this.#socket === undefined || this.#state === "opening") {
      this.#owner.close();
      return;
    }
    this.#closeWhenFlushed = true;
    if (this.#shutdown === SHUT_SENT) {
      this.#owner.close(); // FIN already went out; nothing left to flush
      return;
    }
    this.shutdownSend();
  }

  /** Closes at once: destroys the socket, counts `unsent`, ends `rxbs`. Safe to call twice. */
  close(): void {
    this.closeSocket(true);
  }

  /**
   * Destroys the socket and sets the state to `closed`.
   * @param endReceive whether `rxbs` ends (false for a retry that comes next)
   */
  closeSocket(endReceive: boolean): void {
    const socket = this.#socket;
    if (socket === undefined && this.#state === "closed") {
      if (endReceive) this.rxbs.end();
      return;
    }
    if (socket !== undefined) {
      this.#detach(socket);
      this.unsent = this.txbs.length;
    }
    this.#intake?.reset();
    this.#endPending = false;
    this.#resetSend();
    this.txbs.dataSignal.unsubscribe(this); // waited for bytes to send: nothing is sent any more
    socket?.destroy();
    if (endReceive) this.rxbs.end();
    const wasOpen = socket !== undefined && this.#socketOpened;
    this.#socketOpened = false;
    this.setState("closed");
    if (wasOpen) this.#host.lost(this.#owner);
    this.#host.event(this.#owner);
  }

  /**
   * A promise of the attached socket's `close` event (the descriptor is
   * released then); resolved at once when no socket is attached.
   * @returns resolves once the current socket is gone
   */
  released(): Promise<void> {
    const socket = this.#socket;
    if (socket === undefined) return Promise.resolve();
    return new Promise<void>((resolve) => socket.on("close", () => resolve()));
  }

  /**
   * Sets the state and notifies `stateSignal`.
   * @param state the new state
   */
  setState(state: ConnectionState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#stateSignal?.notify();
  }

  // --- socket events (called by the shared listeners below) ----------------

  /** @internal The socket connected. */
  static connected(socket: PumpedSocket): void {
    const pump = owning(socket);
    if (pump !== undefined) pump.#opened();
  }

  /** @internal The peer half-closed. */
  static ended(socket: PumpedSocket): void {
    const pump = owning(socket);
    if (pump === undefined) return;
    pump.#peerEnded = true;
    pump.#endPending = true; // rxbs ends at the next serviceReceive
    if (pump.#state === "open") {
      // Half-open: we may still send until we close or the socket goes.
      pump.setState("cutoff");
      pump.#host.cutOff(pump.#owner);
    }
    pump.#host.event(pump.#owner);
  }

  /** @internal The socket took everything queued. */
  static drained(socket: PumpedSocket): void {
    const pump = owning(socket);
    if (pump === undefined) return;
    pump.#needDrain = false;
    // Give back what the socket no longer holds, even if the driver does not call write callbacks.
    pump.#confirm();
    pump.#host.event(pump.#owner);
  }

  /** @internal The socket failed. */
  static failed(socket: PumpedSocket, error: Error): void {
    const pump = owning(socket);
    if (pump !== undefined) pump.error = socketError(pump.#owner.label, error, pump.#state === "opening");
  }

  /** @internal The socket is gone. */
  static closed(socket: PumpedSocket): void {
    const pump = owning(socket);
    if (pump === undefined) return;
    pump.#detach(socket);
    pump.unsent = pump.txbs.length;
    pump.#resetSend();
    const wasOpen = pump.#socketOpened;
    pump.#socketOpened = false;
    const was = pump.#state;
    const host = pump.#host;
    const owner = pump.#owner;
    if (was === "opening") {
      pump.error ??= socketError(owner.label, new Error("connection closed during connect"), true);
      pump.setState("closed");
      host.connectFailed(owner);
    } else {
      pump.#peerEnded = true;
      pump.#endPending = true; // rxbs ends at the next serviceReceive
      if (was === "open") {
        pump.setState("cutoff");
        host.cutOff(owner);
      }
    }
    if (wasOpen) host.lost(owner);
    host.event(owner);
  }

  /** @internal Whether `socket` is the one this pump pumps now. */
  static owns(pump: StreamPump<PumpOwner>, socket: PumpedSocket): boolean {
    return pump.#socket === socket;
  }

  #opened(): void {
    const socket = this.#socket!;
    this.#socketOpened = true;
    socket.setNoDelay(this.noDelay);
    if (this.keepAlive > 0) socket.setKeepAlive(true, this.keepAlive * 1000);
    this.setState("open");
    this.#host.opened(this.#owner);
    this.#host.event(this.#owner);
  }

  /** Forgets `socket`: its late events find no pump. */
  #detach(socket: PumpedSocket): void {
    socket[PUMP] = undefined;
    if (this.#socket === socket) this.#socket = undefined;
  }

  #endIntake(): void {
    const intake = this.#intake;
    if (intake === undefined) this.rxbs.end();
    else intake.end();
  }

  #peerName(): string {
    if (this.#peer === undefined) this.#peer = formatAddress(this.#socket?.remoteAddress, this.#socket?.remotePort);
    return this.#peer;
  }

  #resetSend(): void {
    this.#needDrain = false;
    this.#inflight = 0;
  }

  /**
   * Gives back the lent bytes the socket no longer holds: the socket queues
   * only what the pump lent it, in order, so everything lent but what it
   * still holds (`writableLength`) was handed to the OS. Not after a failed
   * write (the peer reset): those bytes were not sent.
   */
  #confirm(): void {
    const inflight = this.#inflight;
    const socket = this.#socket;
    if (inflight === 0 || socket === undefined || socket.errored != null || socket.destroyed === true) return;
    const done = inflight - socket.writableLength;
    if (done <= 0) return;
    this.#inflight = inflight - done;
    this.sentBytes += done;
    this.txbs.consume(done);
  }
}

/**
 * The pump that owns `socket` now, if any: a socket forgotten by its pump
 * (closed, or replaced by a reconnect) finds none, so its late events touch
 * nothing.
 */
function owning(socket: PumpedSocket): StreamPump<PumpOwner> | undefined {
  const pump = socket[PUMP];
  return pump !== undefined && StreamPump.owns(pump, socket) ? pump : undefined;
}

// The socket listeners: one function each, shared by every socket (an
// EventEmitter calls them with the socket as `this`), not closures per
// connection.

function onData(this: PumpedSocket, chunk: Uint8Array): void {
  const pump = owning(this);
  if (pump !== undefined) pump.receive(chunk, false);
}

function onEnd(this: PumpedSocket): void {
  StreamPump.ended(this);
}

function onDrain(this: PumpedSocket): void {
  StreamPump.drained(this);
}

function onError(this: PumpedSocket, error: Error): void {
  StreamPump.failed(this, error);
}

function onClose(this: PumpedSocket): void {
  StreamPump.closed(this);
}

function onConnect(this: PumpedSocket): void {
  StreamPump.connected(this);
}
