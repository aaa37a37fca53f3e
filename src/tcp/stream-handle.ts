/**
 * StreamHandle: the members Client and Remoter share, each a plain delegation
 * to the {@link StreamPump} the handle holds. The pumping itself is composed,
 * not inherited: this base only holds the pump and forwards to it, so the
 * two handles do not spell the same two dozen getters twice.
 *
 * @module
 */
import type { Signal, Waker } from "../core/index.js";
import type { RingBuffer } from "../io/index.js";
import type { ConnectionOptions, ConnectionState } from "./connection.js";
import type { TcpError } from "./errors.js";
import { StreamPump, type PumpOwner, type StreamPumpHost } from "./stream-pump.js";
import type { WireTap } from "./wire-tap.js";

/**
 * A stream connection's handle (Client, Remoter): its rings, state and
 * shutdown, forwarded to the pump it holds.
 */
export abstract class StreamHandle<Self extends PumpOwner> implements PumpOwner {
  /**
   * The pump between the socket and the rings.
   * @internal
   */
  protected readonly pump: StreamPump<Self>;

  /**
   * @param host what the pump reports to (one constant object per handle class)
   * @param options ring size, socket options, wirelog
   * @param trackWrites keep write boundaries in `txbs` (to count dropped writes)
   */
  constructor(host: StreamPumpHost<Self>, options: ConnectionOptions, trackWrites = false) {
    this.pump = new StreamPump<Self>(this as unknown as Self, host, options, trackWrites);
  }

  /** Names the handle and its address for messages. */
  abstract get label(): string;

  /** Closes at once; safe to call twice. */
  abstract close(): void;

  /** Bytes received, for protocol code to read. */
  get rxbs(): RingBuffer {
    return this.pump.rxbs;
  }

  /** Bytes to send, written by protocol code. */
  get txbs(): RingBuffer {
    return this.pump.txbs;
  }

  /** Notified on every change of `state`. */
  get stateSignal(): Signal {
    return this.pump.stateSignal;
  }

  /** Where chunks are recorded, if anywhere. */
  get wirelog(): WireTap | undefined {
    return this.pump.wirelog;
  }

  set wirelog(wirelog: WireTap | undefined) {
    this.pump.wirelog = wirelog;
  }

  /** The last error: a failed connect, a reset, a TLS failure, a timeout. A client clears it at a new attempt. */
  get error(): TcpError | undefined {
    return this.pump.error;
  }

  set error(error: TcpError | undefined) {
    this.pump.error = error;
  }

  /** Bytes left in `txbs` (not handed to the OS) when the last connection ended. */
  get unsent(): number {
    return this.pump.unsent;
  }

  /** Bytes handed to the OS since the handle was made, over every connection. */
  get sentBytes(): number {
    return this.pump.sentBytes;
  }

  /** Nagle's algorithm is disabled. */
  get noDelay(): boolean {
    return this.pump.noDelay;
  }

  /** Keepalive delay in seconds; 0: off. */
  get keepAlive(): number {
    return this.pump.keepAlive;
  }

  /** The lifecycle state. */
  get state(): ConnectionState {
    return this.pump.state;
  }

  /** Bytes can flow (`state === "open"`). */
  get connected(): boolean {
    return this.pump.state === "open";
  }

  /** The peer closed its side or the connection broke (`state === "cutoff"`). */
  get cutoff(): boolean {
    return this.pump.state === "cutoff";
  }

  /** A socket is attached: connecting, open, or half-open after the peer's FIN. */
  get alive(): boolean {
    return this.pump.socket !== undefined;
  }

  /**
   * A waker that marks this handle as having work for whoever services it
   * (a Remoter's server, a Client's Doer). Subscribe it to a ring signal
   * when servicing code waits on one, e.g. `txbs.spaceSignal`.
   */
  get eventWaker(): Waker {
    return this.pump;
  }

  /** Reading is paused because `rxbs` is full. */
  get receivePaused(): boolean {
    return this.pump.receivePaused;
  }

  /**
   * Bytes written to `txbs` now may still reach the peer: a socket is
   * attached (also half-open after the peer's FIN) and our side was not shut down.
   */
  get maySend(): boolean {
    return this.pump.maySend;
  }

  /** More bytes may still arrive in `rxbs`: the peer has not ended its side, or received bytes are still held back. */
  get mayReceive(): boolean {
    return this.pump.mayReceive;
  }

  /** The socket's local IP address, once connected. */
  get localAddress(): string | undefined {
    return this.pump.localAddress;
  }

  /** The socket's local port, once connected. */
  get localPort(): number | undefined {
    return this.pump.localPort;
  }

  /** Moves held received bytes into `rxbs` while it has room; costs nothing unless bytes are held. */
  serviceReceive(): void {
    this.pump.serviceReceive();
  }

  /** Hands the unsent bytes of `txbs` to the socket unless it waits for drain; sends FIN once flushed, if asked to. */
  serviceSend(): void {
    this.pump.serviceSend();
  }

  /**
   * Stops receiving, like `shutdown(SHUT_RD)`: `rxbs` ends after what it
   * holds (readers drain it, then see the end) and later bytes from the peer
   * are read and dropped, so the peer is not stalled. Sending goes on.
   */
  shutdownReceive(): void {
    this.pump.shutdownReceive();
  }

  /** Half-closes: sends FIN once `txbs` is flushed; receiving goes on until the peer closes too. */
  shutdownSend(): void {
    this.pump.shutdownSend();
  }

  /**
   * Shuts both directions down: receiving stops at once
   * (`shutdownReceive`), and FIN goes out once `txbs` is flushed; the
   * connection closes once that is done.
   */
  shutdown(): void {
    this.pump.shutdownReceive();
    this.pump.endAfterFlush();
  }

  /** Closes gracefully: flushes `txbs`, sends FIN, then closes. Closes at once when not open. */
  endAfterFlush(): void {
    this.pump.endAfterFlush();
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
    const released = this.pump.released();
    this.close();
    return released;
  }
}
