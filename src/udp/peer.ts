/**
 * Peer: a UDP socket turned into two bounded datagram queues, after hio's
 * `udping.Peer`. The only code of the UDP layer that touches `dgram`.
 *
 * @module
 */
import { checkAbortSignal, Signal, WAIT, type Tymth, type Waker, whenAborted } from "../core/index.js";
import type { Handle, OpenOptions } from "../io/handle.js";
import { checkDestination, formatUdpAddress, type UdpAddress, type UdpType } from "./address.js";
import { DatagramQueue } from "./datagram-queue.js";
import type { DatagramSocket, UdpRemoteInfo } from "./driver.js";
import { UdpDatagramSizeError, UdpError, UdpMulticastError, UdpOpenError, UdpSendError, UdpSocketError, UdpStateError } from "./errors.js";
import { newPeerCounters, peerSettings, type Datagram, type PeerCounters, type PeerOptions, type PeerSettings, type PeerState, type PeerWireLog } from "./peer-options.js";

interface Outgoing {
  readonly data: Uint8Array;
  readonly host: string;
  readonly port: number;
}

/** One opened socket and its sends in flight; it outlives close() until they complete. */
interface Link {
  readonly socket: DatagramSocket;
  inFlightCount: number;
  inFlightBytes: number;
  closing: boolean;
}

/**
 * A UDP endpoint with bounded datagram queues. Node's events fill the receive
 * queue (a full queue drops and counts, as a kernel does); `send` fills the
 * send queue and `service()` hands it to the socket. Nothing is dropped
 * silently: a full send queue makes `send` return false, a refused datagram is
 * reported as a {@link UdpSendError}, and every loss is counted in `counters`.
 *
 * Send errors go to `onError` when given, else into `errors` (the latest
 * `maxErrors`); `counters.errors` counts them all. A failed `open()` rejects
 * with a {@link UdpOpenError}; until the next `open()` or `close()`,
 * `service()`, `send()` and the readers throw that same error, so a
 * {@link PeerDoer} that opened the peer fails with it.
 *
 * Run it with a {@link PeerDoer}, or call `open()`, `service()` and `close()`
 * yourself. Set `waker` to be woken when a datagram arrives, the socket binds,
 * or a send fails; dogs can also wait on `receiveSignal` and `sendSignal`.
 *
 * @example
 * ```ts
 * const peer = new Peer({ host: "127.0.0.1", port: 0 });
 * await peer.open();
 * peer.send(new TextEncoder().encode("hello"), { host: "127.0.0.1", port: 7000 });
 * peer.service();                 // hands the datagram to the OS
 * const datagram = peer.receive(); // { data, from } or undefined
 * peer.close();
 * ```
 */
export class Peer implements Handle {
  /** A name for messages and errors. */
  readonly name: string;
  /** Socket family. */
  readonly type: UdpType;
  /** Largest datagram `send` accepts. */
  readonly maxDatagramSize: number;
  /** Datagrams queued or in flight at most. */
  readonly maxSendCount: number;
  /** Payload bytes queued or in flight at most. */
  readonly maxSendBytes: number;
  /** Errors kept in `errors` at most. */
  readonly maxErrors: number;
  /** Notified when a datagram arrives and when the peer opens, fails or closes. */
  readonly receiveSignal = new Signal();
  /** Notified when room frees in the send queue and when the peer opens, fails or closes. */
  readonly sendSignal = new Signal();
  /** Notified on every change of `state` (open, opening, closed). */
  readonly stateSignal = new Signal();
  /** Running totals. */
  readonly counters: PeerCounters = newPeerCounters();
  /** Reported errors not yet taken, oldest first (unused with `onError`); take them with `takeErrors()`. */
  readonly errors: UdpError[] = [];
  /** Woken when datagrams arrive, the peer binds, fails or closes, or a send fails. */
  waker: Waker | undefined;
  /** Records every datagram received and sent. */
  wirelog: PeerWireLog | undefined;
  /** Called with each reported error instead of keeping it in `errors`. */
  onError: ((error: UdpError) => void) | undefined;

  readonly #settings: PeerSettings;
  readonly #received: DatagramQueue<Datagram>;
  readonly #sending: DatagramQueue<Outgoing>;
  #state: PeerState = "closed";
  #link: Link | undefined;
  #local: UdpAddress | undefined;
  #label: string;
  #opening: Promise<void> | undefined;
  #settleOpen: ((error?: UdpError) => void) | undefined;
  #openError: UdpOpenError | undefined;
  #flushPending = false;
  readonly #flush = (): void => {
    this.#flushPending = false;
    this.receiveSignal.notify();
    this.waker?.wake();
  };

  /**
   * Creates a closed peer; `open()` binds it.
   * @param options bind address, family, queue bounds, socket options, driver, wirelog, onError
   * @throws TypeError/RangeError naming the option that is wrong
   */
  constructor(options: PeerOptions = {}) {
    const settings = peerSettings(options);
    this.#settings = settings;
    this.type = settings.type;
    this.name = settings.name;
    this.maxDatagramSize = settings.maxDatagramSize;
    this.maxSendCount = settings.maxSendCount;
    this.maxSendBytes = settings.maxSendBytes;
    this.maxErrors = settings.maxErrors;
    this.#received = new DatagramQueue(settings.maxReceiveCount, settings.maxReceiveBytes);
    this.#sending = new DatagramQueue(settings.maxSendCount, settings.maxSendBytes);
    this.wirelog = options.wirelog;
    this.onError = options.onError;
    this.waker = options.waker;
    this.#label = this.#describe({ host: settings.host, port: settings.port });
  }

  /** Lifecycle state. */
  get state(): PeerState {
    return this.#state;
  }

  /** Names the peer and its address for messages, e.g. `udp peer 127.0.0.1:7000` (the `Handle` label). */
  get label(): string {
    return this.#label;
  }

  /** Datagrams sent now may still go: the peer is open, or binding (they go once bound). */
  get maySend(): boolean {
    return this.#state !== "closed";
  }

  /** Datagrams may still arrive (or wait in the receive queue): the peer is not closed, or datagrams are queued. */
  get mayReceive(): boolean {
    return this.#state !== "closed" || this.#received.length > 0;
  }

  /** Why the last open failed, if it did (the `Handle` error). */
  get error(): Error | undefined {
    return this.#openError;
  }

  /** A peer has no timed duty of its own: `WAIT` (only I/O events wake its Doer). */
  get due(): number {
    return WAIT;
  }

  /**
   * Part of the `Handle` contract; a peer keeps no tyme of its own, so this does nothing.
   * @param _tymth the Doer's tyme base
   */
  wind(_tymth: Tymth): void {}

  /** The socket is bound and datagrams flow. */
  get opened(): boolean {
    return this.#state === "open";
  }

  /** `open()` is binding the socket. */
  get opening(): boolean {
    return this.#state === "opening";
  }

  /** Not open and not opening. */
  get closed(): boolean {
    return this.#state === "closed";
  }

  /** The bound address once open (the real port when bound to 0), else undefined. */
  get address(): UdpAddress | undefined {
    return this.#local;
  }

  /** Bound host once open, else the host it will bind. */
  get host(): string {
    return this.#local?.host ?? this.#settings.host;
  }

  /** Bound port once open (the ephemeral one for port 0), else the port it will bind. */
  get port(): number {
    return this.#local?.port ?? this.#settings.port;
  }

  /** Datagrams waiting in the receive queue. */
  get receiveQueueLength(): number {
    return this.#received.length;
  }

  /** Payload bytes waiting in the receive queue. */
  get receiveQueueBytes(): number {
    return this.#received.bytes;
  }

  /** Datagrams queued or in flight. */
  get sendQueueLength(): number {
    return this.#sending.length + (this.#link?.inFlightCount ?? 0);
  }

  /** Datagrams queued and not yet handed to the socket by `service()`. */
  get unsentLength(): number {
    return this.#sending.length;
  }

  /** Payload bytes queued or in flight. */
  get sendQueueBytes(): number {
    return this.#sending.bytes + (this.#link?.inFlightBytes ?? 0);
  }

  /** The failure of the last `open()`, until the next `open()` or `close()`. */
  get openError(): UdpOpenError | undefined {
    return this.#openError;
  }

  /** A datagram is waiting to be received. */
  get canReceive(): boolean {
    return this.#received.length > 0;
  }

  /**
   * Binds the socket. Idempotent: while opening it returns the same promise,
   * once open a resolved one. Sends queued while opening go out once bound.
   * Keep (or catch) the promise: it rejects when the bind fails.
   * @param options `signal`: aborting it closes the peer (`open()` then rejects with an `AbortError`)
   * @returns resolves when bound
   * @throws (rejects with) UdpOpenError naming the peer and address, with the Node error as `cause`; AbortError
   */
  open(options: OpenOptions = {}): Promise<void> {
    const signal = checkAbortSignal("signal", options.signal);
    if (signal !== undefined) {
      const opening = signal.aborted ? Promise.resolve() : this.open();
      opening.catch(() => {});
      return whenAborted(opening, signal, `${this.#label} open`, () => this.close());
    }
    if (this.#state === "open") return Promise.resolve();
    if (this.#state === "opening" && this.#opening !== undefined) return this.#opening;
    this.#openError = undefined;
    this.#local = undefined;
    this.#label = this.#describe({ host: this.#settings.host, port: this.#settings.port });
    let socket: DatagramSocket;
    try {
      socket = this.#settings.driver.createSocket({ ...this.#settings.socketOptions });
    } catch (error) {
      const failure = this.#openFailure(error);
      this.#openError = failure;
      return Promise.reject(failure);
    }
    const link: Link = { socket, inFlightCount: 0, inFlightBytes: 0, closing: false };
    this.#state = "opening";
    this.stateSignal.notify();
    this.#link = link;
    this.#opening = new Promise<void>((resolve, reject) => {
      this.#settleOpen = (error?: UdpError) => (error === undefined ? resolve() : reject(error));
    });
    socket.on("message", (data: Uint8Array, from: UdpRemoteInfo) => this.#receive(link, data, from));
    socket.on("error", (error: Error) => this.#socketError(link, error));
    try {
      socket.bind(this.#settings.port, this.#settings.host, () => this.#bound(link));
    } catch (error) {
      this.#failOpen(link, error);
    }
    return this.#opening;
  }

  /**
   * Closes the peer. Safe to call twice. Nothing more is received or queued.
   * Datagrams still queued (not yet handed to the socket by `service()`) are
   * discarded and counted in `counters.discarded`; datagrams already handed
   * over still complete (the socket lingers until they have), so a reply sent
   * just before close is not lost. Received datagrams stay readable. An
   * `open()` in progress rejects with a {@link UdpOpenError}.
   */
  close(): void {
    this.#openError = undefined;
    if (this.#state === "closed") return;
    const link = this.#link;
    const settle = this.#settleOpen;
    const wasOpening = this.#state === "opening";
    this.#state = "closed";
    this.stateSignal.notify();
    this.#link = undefined;
    this.#settleOpen = undefined;
    this.#opening = undefined;
    this.counters.discarded += this.#sending.length;
    this.#sending.clear();
    if (link !== undefined) {
      link.closing = true;
      if (link.inFlightCount === 0) closeSocket(link.socket);
    }
    if (wasOpening) settle?.(new UdpOpenError(`${this.#label}: closed while opening`));
    this.waker?.wake(); // its doer sees the close (a PeerDoer without a handler ends)
    this.receiveSignal.notify();
    this.sendSignal.notify();
  }

  /**
   * Takes the oldest received datagram.
   * @returns `{ data, from }`, or undefined when none is waiting
   */
  receive(): Datagram | undefined {
    return this.#received.shift();
  }

  /**
   * Tells whether `count` more datagrams totalling `bytes` would fit in the send queue now.
   * @param count datagrams
   * @param bytes their payload bytes
   * @returns false when closed or when either bound would be passed
   */
  canSend(count = 1, bytes = 0): boolean {
    const link = this.#link;
    return link !== undefined && this.#sending.length + link.inFlightCount + count <= this.maxSendCount && this.#sending.bytes + link.inFlightBytes + bytes <= this.maxSendBytes;
  }

  /**
   * Queues a datagram for `service()` to send. The bytes are not copied: do
   * not change them until they are sent (`sendQueueLength` drops).
   * @param data the payload
   * @param to destination `{ host, port }` (a received datagram's `from` works)
   * @returns true when queued; false when the send queue is full (nothing queued: keep it and retry, or use `writeDatagram`)
   * @throws UdpDatagramSizeError when larger than `maxDatagramSize` (or than `maxSendBytes`);
   *   UdpStateError when the peer is closed (its `openError` when the open failed);
   *   TypeError/RangeError for bad arguments
   */
  send(data: Uint8Array, to: UdpAddress): boolean {
    if (!(data instanceof Uint8Array)) throw new TypeError(`data must be a Uint8Array, got ${data === null ? "null" : typeof data}`);
    checkDestination("to", to);
    if (this.#state === "closed") throw this.closedError(`send to ${formatUdpAddress(to)}`);
    const limit = Math.min(this.maxDatagramSize, this.maxSendBytes);
    if (data.length > limit) {
      const which = limit === this.maxDatagramSize ? "maxDatagramSize" : "maxSendBytes";
      throw new UdpDatagramSizeError(`${this.#label}: datagram of ${data.length} bytes to ${formatUdpAddress(to)} is over ${which} (${limit} bytes)`, data.length, limit);
    }
    if (!this.canSend(1, data.length)) return false;
    this.#sending.push({ data, host: to.host, port: to.port });
    this.waker?.wake();
    return true;
  }

  /**
   * Hands every queued datagram to the socket, once, without blocking.
   * Its Doer calls it every run; outcomes arrive later as counters, `sendSignal`
   * and reported errors.
   * @throws UdpOpenError after an `open()` that failed, until `open()` or `close()`
   */
  service(): void {
    const failure = this.#openError;
    if (failure !== undefined) throw failure;
    const link = this.#link;
    if (this.#state !== "open" || link === undefined) return;
    const socket = link.socket;
    for (;;) {
      const item = this.#sending.shift();
      if (item === undefined) break;
      link.inFlightCount++;
      link.inFlightBytes += item.data.length;
      try {
        // One closure per datagram: completions can come back out of order
        // (a host name waits for DNS), so each must know its own datagram.
        socket.send(item.data, item.port, item.host, (error: Error | null) => this.#sent(link, item, error));
      } catch (error) {
        this.#sent(link, item, error instanceof Error ? error : new Error(String(error)));
      }
    }
  }

  /**
   * Makes the error for an operation on a closed peer: its `openError` when
   * the last open failed (so protocol code sees why), else a UdpStateError.
   * @param what the operation, e.g. `receive`
   * @returns the error to throw
   */
  closedError(what: string): UdpError {
    return this.#openError ?? new UdpStateError(`${this.#label}: cannot ${what}: the peer is closed`);
  }

  /**
   * Takes the errors kept in `errors` (those reported without `onError`).
   * @returns them, oldest first; `errors` is then empty
   */
  takeErrors(): UdpError[] {
    return this.errors.splice(0, this.errors.length);
  }

  /**
   * Joins a multicast group, so datagrams sent to it (at this peer's port) arrive.
   * @param group the group address, e.g. `239.1.2.3`
   * @param interfaceAddress the local interface to join on (default: the OS's choice)
   * @throws UdpStateError when not open; UdpMulticastError when the OS refuses
   */
  join(group: string, interfaceAddress?: string): void {
    const socket = this.#require(`join multicast group ${group}`);
    try {
      if (interfaceAddress === undefined) socket.addMembership(group);
      else socket.addMembership(group, interfaceAddress);
    } catch (error) {
      throw this.#multicastError("join", group, interfaceAddress, error);
    }
  }

  /**
   * Leaves a multicast group joined with `join`.
   * @param group the group address
   * @param interfaceAddress the interface it was joined on
   * @throws UdpStateError when not open; UdpMulticastError when the OS refuses
   */
  leave(group: string, interfaceAddress?: string): void {
    const socket = this.#require(`leave multicast group ${group}`);
    try {
      if (interfaceAddress === undefined) socket.dropMembership(group);
      else socket.dropMembership(group, interfaceAddress);
    } catch (error) {
      throw this.#multicastError("leave", group, interfaceAddress, error);
    }
  }

  /**
   * Describes the peer for messages: name, family and address.
   * @returns e.g. `udp peer 127.0.0.1:40000`
   */
  toString(): string {
    return this.#label;
  }

  #describe(address: UdpAddress): string {
    const where = formatUdpAddress(address);
    return this.name === "peer" ? `udp peer ${where}` : `udp peer ${this.name} ${where}`;
  }

  #require(what: string): DatagramSocket {
    const link = this.#link;
    if (this.#state !== "open" || link === undefined) {
      throw new UdpStateError(`${this.#label}: cannot ${what}: the peer is ${this.#state}`);
    }
    return link.socket;
  }

  #multicastError(verb: string, group: string, interfaceAddress: string | undefined, error: unknown): UdpMulticastError {
    const on = interfaceAddress === undefined ? "" : ` on ${interfaceAddress}`;
    return new UdpMulticastError(`${this.#label}: cannot ${verb} multicast group ${group}${on}: ${messageOf(error)}`, group, {
      cause: error,
    });
  }

  #bound(link: Link): void {
    if (link !== this.#link) return;
    const socket = link.socket;
    try {
      const settings = this.#settings;
      if (settings.broadcast) socket.setBroadcast(true);
      if (settings.multicastTtl !== undefined) socket.setMulticastTTL(settings.multicastTtl);
      if (settings.multicastLoopback !== undefined) socket.setMulticastLoopback(settings.multicastLoopback);
      if (settings.multicastInterface !== undefined) socket.setMulticastInterface(settings.multicastInterface);
      const local = socket.address();
      this.#local = { host: local.address, port: local.port };
    } catch (error) {
      this.#failOpen(link, error);
      return;
    }
    this.#label = this.#describe(this.#local);
    this.#state = "open";
    this.stateSignal.notify();
    const settle = this.#settleOpen;
    this.#settleOpen = undefined;
    settle?.();
    this.waker?.wake(); // sends queued while opening can go now
    this.receiveSignal.notify();
    this.sendSignal.notify();
  }

  #failOpen(link: Link, error: unknown): void {
    if (link !== this.#link) return;
    const failure = this.#openFailure(error);
    const settle = this.#settleOpen;
    this.#state = "closed";
    this.stateSignal.notify();
    this.#link = undefined;
    this.#settleOpen = undefined;
    this.#opening = undefined;
    this.#openError = failure;
    this.counters.discarded += this.#sending.length;
    this.#sending.clear();
    link.closing = true;
    closeSocket(link.socket);
    settle?.(failure);
    this.waker?.wake();
    this.receiveSignal.notify();
    this.sendSignal.notify();
  }

  #openFailure(error: unknown): UdpOpenError {
    return new UdpOpenError(`${this.#label}: cannot open: ${messageOf(error)}`, { cause: error });
  }

  #socketError(link: Link, error: Error): void {
    if (link !== this.#link) return;
    if (this.#state === "opening") {
      this.#failOpen(link, error);
      return;
    }
    this.#report(new UdpSocketError(`${this.#label}: socket error: ${error.message}`, { cause: error }));
  }

  #receive(link: Link, data: Uint8Array, info: UdpRemoteInfo): void {
    if (link !== this.#link) return;
    const datagram: Datagram = { data, from: { host: info.address, port: info.port } };
    this.wirelog?.rx(data, formatUdpAddress(datagram.from));
    const counters = this.counters;
    if (this.#received.push(datagram)) {
      counters.received++;
      counters.receivedBytes += data.length;
    } else {
      counters.dropped++;
      counters.droppedBytes += data.length;
    }
    const driver = this.#settings.driver;
    if (driver.coalesce === undefined) {
      this.#flush();
    } else if (!this.#flushPending) {
      this.#flushPending = true;
      driver.coalesce(this.#flush);
    }
  }

  #sent(link: Link, item: Outgoing, error: Error | null): void {
    const counters = this.counters;
    link.inFlightCount--;
    link.inFlightBytes -= item.data.length;
    // The last send of a closed peer's socket completed: now it may go.
    if (link.closing && link.inFlightCount === 0) closeSocket(link.socket);
    if (error === null) {
      counters.sent++;
      counters.sentBytes += item.data.length;
      this.wirelog?.tx(item.data, formatUdpAddress(item));
    } else {
      counters.sendErrors++;
      const to = formatUdpAddress(item);
      this.#report(
        new UdpSendError(`${this.#label}: cannot send ${item.data.length} bytes to ${to}: ${error.message}`, to, item.data.length, {
          cause: error,
        }),
      );
    }
    if (link === this.#link) this.sendSignal.notify();
  }

  /** Closes it when a `using` block ends. */
  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * Closes it when an `await using` block ends. A datagram socket has no
   * release to wait for (sends already handed over complete in the background).
   * @returns resolves once closed
   */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }

  #report(error: UdpError): void {
    this.counters.errors++;
    const onError = this.onError;
    if (onError !== undefined) {
      onError(error);
    } else if (this.maxErrors > 0) {
      if (this.errors.length >= this.maxErrors) this.errors.shift();
      this.errors.push(error);
    }
    this.waker?.wake();
  }
}

function closeSocket(socket: DatagramSocket): void {
  try {
    socket.close();
  } catch {
    // Already closed (or never bound): nothing left to release.
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
