/**
 * Server: listens, accepts each connection into a Remoter, and services only
 * the Remoters that had events.
 *
 * @module
 */
import { checkAbortSignal, type Tymth, type Waker, whenAborted } from "../core/index.js";
import type { OpenOptions } from "../io/handle.js";
import { formatAddress, socketPathOption } from "./address.js";
import type { ConnectionOptions } from "./connection.js";
import { checkCount, checkSeconds } from "./validate.js";
import type { WireTap } from "./wire-tap.js";
import { nodeDriver, type StreamServer, type StreamSocket, type TcpDriver } from "./driver.js";
import { IdleTimeoutError, FirstByteTimeoutError, ListenError, TcpError } from "./errors.js";
import { Remoter, type RemoterHost } from "./remoter.js";
import type { ServerTlsOptions } from "./tls-options.js";
import { IdTable } from "./id-table.js";
import { WorkList } from "./work-list.js";

/** Received bytes waiting in a remoter's rxbs past which its server wakes at once instead of once per event-loop turn. */
const URGENT_BYTES = 4096;

/**
 * Most remoters a pass sends for, and most removed remoters it hands over:
 * when 10 000 connections close at once, the rest wait for the next
 * event-loop turn (`setImmediate`), so no single pass stalls the loop for
 * long and timers and sockets get their turn in between.
 */
export const SERVICE_BATCH = 512;

/**
 * A server's lifecycle: `"closed"`, `"opening"` (binding), `"open"`
 * (accepting), `"draining"` (shutting down gracefully: no longer accepting,
 * open connections finish until the grace period ends; see `shutdown`).
 */
export type ServerState = "closed" | "opening" | "open" | "draining";

/** Options of {@link Server}. */
export interface ServerOptions extends ConnectionOptions {
  /** Address to bind. Default `127.0.0.1`; `::` or `0.0.0.0` for every interface. Not with `path`. */
  host?: string;
  /** Port to bind; 0 (default) for an ephemeral one, reported by `port` once open. Not with `path`. */
  port?: number;
  /**
   * Listen on a Unix stream socket at this path instead of `host` and
   * `port`. A stale socket file there (nobody accepts on it) is removed
   * first; a file that is not a socket, or a socket another server accepts
   * on, fails `open()` with a ListenError naming the path. Closing the
   * server removes its socket file. At most 107 bytes on Linux (103
   * elsewhere); on Linux a leading `\0` names an abstract socket (no file).
   */
  path?: string;
  /** Length of the OS queue of pending connections. Default: Node's (511). */
  backlog?: number;
  /**
   * Most connections open at once. Past it a new connection is accepted by
   * the OS and closed at once without reading or writing (the peer sees its
   * connection end), and `refused` counts it. Default: no limit.
   */
  maxConnections?: number;
  /** Close a connection that moved no bytes for this many seconds of tyme; 0 (default): never. */
  idleTimeout?: number;
  /**
   * Close a connection whose first byte has not arrived this many seconds
   * of tyme after it was accepted (with a `FirstByteTimeoutError`): sheds
   * slowloris and half-open peers, like Go's `ReadHeaderTimeout`. 0
   * (default): never.
   */
  firstByteTimeout?: number;
  /** Tyme base (ServerDoer winds it). */
  tymth?: Tymth | undefined;
  /** Where sockets come from. Default: {@link nodeDriver}. */
  driver?: TcpDriver;
}

/**
 * A TCP server. `open()` starts listening; each accepted connection becomes
 * a {@link Remoter} in `remoters`, keyed by the peer's `host:port`. Socket
 * events mark their Remoter as having work, so a service pass costs nothing
 * for idle connections, however many there are.
 *
 * Servicing comes in steps so a {@link ServerDoer} can run handlers between
 * them: `serviceAccepts()`, `serviceReceives()`, `serviceSends()`,
 * `serviceReaps()`; `service()` runs all four.
 *
 * @example
 * ```ts
 * const server = new Server({ port: 0 });
 * await server.open();
 * console.log("listening on", server.port);
 * const doist = new Doist({ doers: [new EchoServerDoer({ server })], real: true });
 * await doist.do();
 * ```
 */
export class Server implements RemoterHost {
  /** Address bound (as given); `localhost` for a `path` server. */
  readonly host: string;
  /** Port: as given, then the one bound once open; 0 for a `path` server. */
  port: number;
  /** Unix stream socket path listened on, or undefined for TCP. */
  readonly path: string | undefined;
  /**
   * Connections open now, keyed by their unique `id` (a counter), never by
   * address: two connections from one `host:port` (a reused local port) are
   * two entries. The peer's address is in `remoteAddress`/`remotePort`/`key`.
   * Read-only (the server adds and removes them). Iterating it visits the
   * connections open when the iteration began, in the order they were
   * accepted, so code may close them, or wait, as it goes.
   */
  get remoters(): ReadonlyMap<number, Remoter> {
    return this.#remoters;
  }

  /** The connections by id (see IdTable for why not a Map). */
  readonly #remoters = new IdTable<Remoter>();
  /** Woken on every event of the server or its remoters (set by the ServerDoer). */
  waker: Waker | undefined;
  /** Where every remoter records what crossed the wire. */
  wirelog: WireTap | undefined;
  /** Why listening failed, if it did. */
  error: TcpError | undefined;
  /** Connections refused because `maxConnections` were open. */
  refused = 0;
  /** Connections accepted since it opened. */
  accepted = 0;
  /**
   * Connections handed over by the OS already dead (the peer reset before
   * accept: no peer address): closed at once, never made into Remoters.
   */
  aborted = 0;
  /** Incoming connections that failed before they were accepted (e.g. TLS handshakes). */
  readonly clientErrors: TcpError[] = [];
  /** Most connections open at once. */
  readonly maxConnections: number;
  /** Seconds of tyme of silence after which a connection is closed; 0: never. */
  readonly idleTimeout: number;
  /** Seconds of tyme a new connection has to send its first byte; 0: no limit. */
  readonly firstByteTimeout: number;
  /** Length of the OS accept queue. */
  readonly backlog: number | undefined;
  /** Where sockets come from. */
  readonly driver: TcpDriver;
  readonly #connection: ConnectionOptions;
  #state: ServerState = "closed";
  #listener: StreamServer | undefined;
  #tymth: Tymth | undefined;
  #fresh: Remoter[] = [];
  #reaped: Remoter[] = [];
  /** Remoters with events since they were last serviced (see WorkList for why not a Set). */
  readonly #dirty = new WorkList<Remoter>();
  /** Remoters with events past a pass's SERVICE_BATCH: serviced in the next pass. */
  readonly #backlog = new Set<Remoter>();
  /** Remoters in order of last activity (oldest first), for idle timeouts. */
  readonly #activity = new Map<Remoter, number>();
  /** Remoters waiting for their first byte, oldest first, with their accept tyme (NaN: stamp at the next pass). */
  readonly #silent = new Map<Remoter, number>();
  /** Raw TCP connections of a TLS server (handshaking or established), for `maxConnections`. */
  readonly #raw = new Set<StreamSocket>();
  /** Remoters that moved bytes since the last pass: stamped with that pass's tyme. */
  readonly #touched = new Set<Remoter>();
  #nextId = 1;
  #servicing = false;

  /**
   * Creates a server; it does not listen until `open()`.
   * @param options `host` and `port`, or `path`; `backlog`, `maxConnections`, `idleTimeout`, ring size, socket options, `wirelog`, `driver`
   * @throws TypeError / RangeError naming a bad option (also `host` or `port` given with `path`)
   */
  constructor(options: ServerOptions = {}) {
    const path = socketPathOption(options);
    const host = path === undefined ? (options.host ?? "127.0.0.1") : "localhost";
    if (typeof host !== "string" || host.length === 0) throw new TypeError(`host must be a non-empty string, got ${typeof host}`);
    const port = checkCount("port", options.port ?? 0, 0);
    if (port > 65_535) throw new RangeError(`port must be a whole number from 0 to 65535, got ${port}`);
    this.host = host;
    this.port = port;
    this.path = path;
    this.backlog = options.backlog === undefined ? undefined : checkCount("backlog", options.backlog, 1);
    this.maxConnections = options.maxConnections === undefined ? Number.POSITIVE_INFINITY : checkCount("maxConnections", options.maxConnections, 1);
    this.idleTimeout = checkSeconds("idleTimeout", options.idleTimeout ?? 0);
    this.firstByteTimeout = checkSeconds("firstByteTimeout", options.firstByteTimeout ?? 0);
    this.driver = options.driver ?? nodeDriver;
    this.wirelog = options.wirelog;
    this.#tymth = options.tymth;
    checkCount("bufferSize", options.bufferSize ?? 65_536, 1);
    this.#connection = {
      ...(options.bufferSize === undefined ? {} : { bufferSize: options.bufferSize }),
      ...(options.noDelay === undefined ? {} : { noDelay: options.noDelay }),
      ...(options.keepAlive === undefined ? {} : { keepAlive: options.keepAlive }),
    };
  }

  /**
   * `server host:port` (or `server /path/to.sock`), for messages (one
   * string per port, not one per call: every remoter's name includes it).
   */
  get label(): string {
    if (this.#labelPort !== this.port) {
      this.#labelPort = this.port;
      this.#label = this.path === undefined ? `server ${formatAddress(this.host, this.port)}` : `server ${this.path}`;
    }
    return this.#label;
  }

  #label = "";
  #labelPort = -1;

  /** The lifecycle state. */
  get state(): ServerState {
    return this.#state;
  }

  /** Accepting connections (`state === "open"`). */
  get opened(): boolean {
    return this.#state === "open";
  }

  /** TLS settings; plain TCP here, overridden by ServerTls. */
  get tls(): ServerTlsOptions | undefined {
    return undefined;
  }

  /**
   * Moves the server onto a tyme base (idle timeouts read it).
   * @param tymth the tyme base
   */
  wind(tymth: Tymth): void {
    this.#tymth = tymth;
  }

  /** Current tyme, 0 before it is wound. */
  get tyme(): number {
    return this.#tymth?.() ?? 0;
  }

  /**
   * Starts listening. Non-blocking: the returned promise says when it is
   * bound (then `port` is the real one), and need not be awaited; a failure
   * also shows as `error` with `state === "closed"`.
   * @param options `signal`: aborting it closes the server (`open()` then rejects with an `AbortError`)
   * @returns resolves once listening
   * @throws (rejects with) ListenError naming the address, e.g. when it is in use; AbortError
   */
  open(options: OpenOptions = {}): Promise<void> {
    const signal = checkAbortSignal("signal", options.signal);
    if (signal !== undefined) return abortableOpen(signal.aborted ? Promise.resolve() : this.open(), signal, this.label, () => this.close());
    if (this.#state !== "closed") return this.#state === "open" ? Promise.resolve() : this.#opening;
    this.error = undefined;
    this.#state = "opening";
    const listener = this.driver.listen(
      { host: this.host, port: this.port, path: this.path, backlog: this.backlog, tls: this.tls },
      {
        connection: (socket) => this.#accept(socket),
        clientError: (error, socket) => this.#clientError(error, socket),
        ...(this.tls === undefined ? {} : { admit: (socket: StreamSocket) => this.#admit(socket) }),
      },
    );
    this.#listener = listener;
    this.#opening = new Promise<void>((resolve, reject) => {
      listener.on("listening", () => {
        if (this.#listener !== listener) return;
        const address = listener.address();
        if (address !== null && typeof address === "object") this.port = address.port;
        this.#state = "open";
        this.waker?.wake();
        resolve();
      });
      listener.on("error", (error: Error) => {
        if (this.#listener !== listener || this.#state !== "opening") return;
        const code = (error as { code?: unknown }).code;
        this.error = new ListenError(`${this.label}: cannot listen: ${typeof code === "string" ? `${code} ` : ""}${error.message}`, error);
        this.#listener = undefined;
        this.#state = "closed";
        this.waker?.wake();
        reject(this.error);
      });
    });
    this.#opening.catch(() => {}); // the failure is also in `error`; awaiting is optional
    return this.#opening;
  }

  #opening: Promise<void> = Promise.resolve();

  /** Closes it when a `using` block ends (sockets are released in the background). */
  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * Closes it when an `await using` block ends.
   * @returns resolves once the listener and every connection's socket are released
   */
  async [Symbol.asyncDispose](): Promise<void> {
    const listener = this.#listener;
    const released = listener === undefined ? undefined : new Promise<void>((resolve) => listener.on("close", () => resolve()));
    const remoters = Array.from(this.remoters.values(), (remoter) => remoter[Symbol.asyncDispose]());
    this.close();
    await Promise.all(remoters);
    await released;
  }

  /** Stops listening and closes every connection at once. Safe to call twice. */
  close(): void {
    const listener = this.#listener;
    this.#listener = undefined;
    this.#state = "closed";
    listener?.close();
    for (const remoter of this.remoters.values()) remoter.close();
    this.serviceReaps();
    this.#drained();
  }

  /**
   * Shuts down gracefully, after Go's `http.Server.Shutdown`: stops
   * accepting at once (the listener closes, new connections are refused by
   * the OS; `state` is `"draining"`), lets open connections finish for up to
   * `grace` seconds of tyme (a {@link ServerDoer}'s handlers run on, and a
   * handler's end flushes `txbs`, sends FIN and closes as always; connections
   * without a handler are flushed and half-closed at once), then force-closes
   * whatever is left and becomes `"closed"`. The grace period counts from the
   * next service pass (see `touch`). Calling it again keeps the first grace
   * period; `close()` ends it at once.
   * @param grace seconds of tyme to let connections finish. Default 5.
   * @returns resolves once every connection is gone and the server is closed
   * @throws RangeError for a negative or non-finite `grace`
   */
  shutdown(grace = 5): Promise<void> {
    checkSeconds("grace", grace);
    if (this.#state === "closed") return Promise.resolve();
    if (this.#state !== "draining") {
      const listener = this.#listener;
      this.#listener = undefined;
      listener?.close();
      this.#state = "draining";
      this.#drainGrace = grace;
      this.#drainAt = Number.NaN; // stamped at the next pass
      this.#drainDone = new Promise((resolve) => (this.#resolveDrain = resolve));
    }
    this.waker?.wake();
    return this.#drainDone;
  }

  #drainGrace = 0;
  #drainAt = Number.NaN;
  #drainDone: Promise<void> = Promise.resolve();
  #resolveDrain: (() => void) | undefined;

  #drained(): void {
    const resolve = this.#resolveDrain;
    this.#resolveDrain = undefined;
    resolve?.();
  }

  /** Tyme at which a graceful shutdown force-closes what is left; `Infinity` when none is under way. */
  get drainDeadline(): number {
    return this.#state === "draining" && !Number.isNaN(this.#drainAt) ? this.#drainAt : Number.POSITIVE_INFINITY;
  }

  /** Runs every service step once: accepts, receives, sends, reaps. */
  service(): void {
    this.serviceAccepts();
    this.serviceReceives();
    this.serviceSends();
    this.serviceReaps();
  }

  /**
   * Hands over the connections accepted since the last call.
   * @returns the new remoters (the array is the caller's)
   */
  serviceAccepts(): Remoter[] {
    const fresh = this.#fresh;
    if (fresh.length === 0) return fresh;
    this.#fresh = [];
    return fresh;
  }

  /** Resumes reading on the remoters with events whose `rxbs` has room again. */
  serviceReceives(): void {
    this.#servicing = true;
    const backlog = this.#backlog;
    if (backlog.size > 0) {
      for (const remoter of backlog) this.#dirty.add(remoter);
      backlog.clear();
    }
    const dirty = this.#dirty;
    for (let slot = 0; slot < dirty.end; slot++) dirty.at(slot)?.serviceReceive();
  }

  /**
   * Sends what the remoters with events have in `txbs`, and notes closed
   * ones: at most SERVICE_BATCH of them; the rest are serviced in a pass at
   * the next event-loop turn.
   */
  serviceSends(): void {
    const work = this.#dirty;
    // The remoters in it now; each leaves it as it is serviced, so an event
    // from here on (a confirmation, bytes moved from a paused stash) adds it
    // again, for another pass.
    const upTo = work.end;
    this.#servicing = false;
    let budget = SERVICE_BATCH;
    for (let slot = 0; slot < upTo; slot++) {
      const remoter = work.at(slot);
      if (remoter === undefined) continue;
      work.delete(remoter);
      if (budget === 0) {
        this.#backlog.add(remoter);
        continue;
      }
      budget--;
      remoter.serviceReceive();
      remoter.serviceSend();
      if (!remoter.alive) this.#drop(remoter);
    }
    work.compact(upTo);
    if (this.#backlog.size > 0) this.#wakeNextTurn();
    // Work that arose during this pass needs another one: the Doist runs a
    // deed woken during a pass in a wake pass in the same event-loop turn.
    if (work.size > 0) this.waker?.wake();
  }

  /**
   * Closes connections idle past `idleTimeout`, and hands over the remoters
   * removed since the last call (closed, gone or timed out), at most
   * SERVICE_BATCH of them (the rest at the next event-loop turn).
   * @returns the removed remoters (the array is the caller's)
   */
  serviceReaps(): Remoter[] {
    if (this.idleTimeout > 0) {
      this.#stampActivity();
      const oldest = this.tyme - this.idleTimeout;
      for (const [remoter, tyme] of this.#activity) {
        if (tyme > oldest) break;
        this.#activity.delete(remoter); // never left behind, so the deadline moves on
        if (!remoter.alive && this.remoters.get(remoter.id) !== remoter) continue;
        remoter.close();
        remoter.error = new IdleTimeoutError(`${remoter.label}: closed after ${this.idleTimeout} s without traffic`);
        this.#drop(remoter);
      }
    }
    this.#dropClosed(false);
    if (this.#silent.size > 0) this.#serviceSilent();
    if (this.#state === "draining") this.#serviceDrain();
    const reaped = this.#reaped;
    if (reaped.length === 0) return reaped;
    if (reaped.length > SERVICE_BATCH && this.#state !== "closed") {
      this.#reaped = reaped.slice(SERVICE_BATCH);
      reaped.length = SERVICE_BATCH;
      this.#wakeNextTurn();
      return reaped;
    }
    this.#reaped = [];
    return reaped;
  }

  /**
   * Tyme at which the next idle timeout falls due, for the Doer's sleep
   * (turn it into a tock with `tockUntil`); `Infinity` when none can (no
   * idle timeout, or no connection).
   */
  get due(): number {
    if (this.#state === "draining" && Number.isNaN(this.#drainAt)) return this.tyme; // stamp it now
    let due = this.drainDeadline;
    // (The first entry of each is the oldest; the size checks spare an iterator per pass.)
    if (this.#silent.size > 0) {
      for (const at of this.#silent.values()) {
        due = Math.min(due, Number.isNaN(at) ? this.tyme : at + this.firstByteTimeout);
        break;
      }
    }
    if (this.idleTimeout === 0 || this.#activity.size === 0) return due;
    for (const tyme of this.#activity.values()) {
      due = Math.min(due, tyme + this.idleTimeout);
      break;
    }
    return due;
  }

  /** @deprecated renamed {@link Server.due}. */
  get nextDeadline(): number {
    return this.due;
  }

  /** Connections in the idle-timeout list (for leak checks: equals `remoters.size` when `idleTimeout` is set). */
  get idleCount(): number {
    return this.#activity.size + this.#touched.size - this.#overlap();
  }

  #overlap(): number {
    let count = 0;
    for (const remoter of this.#touched) if (this.#activity.has(remoter)) count++;
    return count;
  }

  /** Remoters that had events since they were last serviced (only these need work). */
  get pendingRemoters(): ReadonlySet<Remoter> {
    return this.#dirty;
  }

  /**
   * Marks a remoter as having work for the next pass and wakes the doer
   * (once per event-loop turn). Remoters call it on their socket events.
   * @param remoter the remoter with an event
   */
  dirty(remoter: Remoter): void {
    if (this.#dirty.has(remoter) || remoter === this.#dropping) return;
    this.#dirty.add(remoter);
    if (this.#servicing) return;
    if (remoter.rxbs.length >= URGENT_BYTES || remoter.rxbs.isFull) {
      // Bulk data: service it now, so rxbs has room before the next chunk.
      this.waker?.wake();
    } else if (!this.#wakeImmediate) {
      // Wake once per event-loop turn: the small events of many connections
      // in this turn are then serviced in one pass instead of one pass each.
      this.#wakeImmediate = true;
      setImmediate(this.#wakeTurn);
    }
  }

  #wakeImmediate = false;
  /** The remoter `#drop` is closing (its events are not work). */
  #dropping: Remoter | undefined;

  readonly #wakeTurn = (): void => {
    this.#wakeImmediate = false;
    if (this.#dirty.size > 0 || this.#backlog.size > 0 || this.#reaped.length > 0) this.waker?.wake();
  };

  /** Wakes the doer at the next event-loop turn (work left over past SERVICE_BATCH). */
  #wakeNextTurn(): void {
    if (this.#wakeImmediate) return;
    this.#wakeImmediate = true;
    setImmediate(this.#wakeTurn);
  }

  /**
   * Restarts a remoter's idle timeout (it moved bytes). Remoters call it.
   *
   * The activity is stamped lazily, with the tyme of the next service pass,
   * not with the tyme read now: a socket event arrives while a real-time
   * Doist sleeps, and its tyme then still says when it fell asleep (it
   * catches up with the wall clock before the pass that handles the event).
   * Stamping at the pass gives the real moment to within one tock, in real
   * time and in simulation alike.
   * @param remoter the remoter that moved bytes
   */
  touch(remoter: Remoter): void {
    if (this.idleTimeout === 0 || this.remoters.get(remoter.id) !== remoter) return;
    this.#touched.add(remoter);
  }

  #serviceSilent(): void {
    const tyme = this.tyme;
    const oldest = tyme - this.firstByteTimeout;
    for (const [remoter, at] of this.#silent) {
      if (Number.isNaN(at)) {
        this.#silent.set(remoter, tyme); // accepted since the last pass: its clock starts now
        continue;
      }
      if (at > oldest) break;
      this.#silent.delete(remoter);
      remoter.close();
      remoter.error = new FirstByteTimeoutError(`${remoter.label}: closed after ${this.firstByteTimeout} s without a first byte`);
      this.#drop(remoter);
    }
  }

  /**
   * A remoter received bytes (Remoters call it on their first chunk): its
   * first-byte deadline is met.
   * @param remoter the remoter
   */
  received(remoter: Remoter): void {
    this.#silent.delete(remoter);
  }

  /** TLS connections whose handshake is still under way (they count against `maxConnections`). */
  get handshaking(): number {
    return Math.max(0, this.#raw.size - this.remoters.size);
  }

  #admit(socket: StreamSocket): boolean {
    if (this.#state !== "open") return false;
    if (this.#raw.size >= this.maxConnections) {
      this.refused++;
      return false;
    }
    this.#raw.add(socket);
    socket.on("close", () => this.#raw.delete(socket));
    return true;
  }

  #serviceDrain(): void {
    const tyme = this.tyme;
    if (Number.isNaN(this.#drainAt)) this.#drainAt = tyme + this.#drainGrace;
    if (tyme >= this.#drainAt) {
      for (const remoter of this.remoters.values()) {
        remoter.close();
        this.#drop(remoter);
      }
    }
    if (this.remoters.size === 0) {
      this.#state = "closed";
      this.#drained();
    }
  }

  /** Stamps the remoters touched since the last pass with this pass's tyme (see `touch`). */
  #stampActivity(): void {
    const touched = this.#touched;
    if (touched.size === 0) return;
    const tyme = this.tyme;
    const activity = this.#activity;
    for (const remoter of touched) {
      activity.delete(remoter);
      if (this.remoters.get(remoter.id) === remoter) activity.set(remoter, tyme);
    }
    touched.clear();
  }

  #accept(socket: StreamSocket): void {
    // (A TLS server also counted this connection when its handshake began, in `#admit`.)
    if (this.#state === "open" && this.remoters.size >= this.maxConnections) this.#dropClosed();
    if (this.#state !== "open" || this.remoters.size >= this.maxConnections) {
      if (this.#state === "open") this.refused++;
      socket.destroy();
      return;
    }
    if ((socket.remoteAddress === undefined && this.path === undefined) || socket.destroyed === true) {
      // The peer reset before we got it: nothing to serve, nothing to keep.
      // (Unix socket peers have no address at all.)
      this.aborted++;
      socket.destroy();
      return;
    }
    const remoter = new Remoter(this, socket, this.#connection, this.#nextId++);
    remoter.wirelog = this.wirelog;
    this.accepted++;
    this.#remoters.add(remoter);
    if (this.firstByteTimeout > 0) this.#silent.set(remoter, Number.NaN);
    this.touch(remoter);
    this.#fresh.push(remoter);
    // No wake at once: dirty() wakes the doer in this turn's check phase,
    // once for every connection accepted in the turn (a pass per accept cost
    // a Doist sleep and wake per connection).
    this.dirty(remoter);
  }

  /**
   * Drops the remoters whose socket is gone but that wait for the next pass
   * to be handed over (they are among those with events), so a connection
   * that closed does not count against `maxConnections` until then.
   */
  #dropClosed(backlog = true): void {
    const dirty = this.#dirty;
    for (let slot = 0; slot < dirty.end; slot++) {
      const remoter = dirty.at(slot);
      if (remoter !== undefined && !remoter.alive) this.#drop(remoter);
    }
    if (backlog) for (const remoter of this.#backlog) if (!remoter.alive) this.#drop(remoter);
  }

  #clientError(error: Error, socket: StreamSocket): void {
    const peer = this.path === undefined ? formatAddress(socket.remoteAddress, socket.remotePort) : "a unix socket peer";
    const code = (error as { code?: unknown }).code;
    const wrapped = new TcpError(`${this.label}: connection from ${peer} failed before accept: ${typeof code === "string" ? `${code} ` : ""}${error.message}`, error);
    if (this.clientErrors.length >= 100) this.clientErrors.shift();
    this.clientErrors.push(wrapped);
  }

  #drop(remoter: Remoter): void {
    this.#activity.delete(remoter);
    this.#backlog.delete(remoter);
    this.#silent.delete(remoter);
    this.#touched.delete(remoter);
    this.#dirty.delete(remoter);
    if (this.remoters.get(remoter.id) !== remoter) return;
    // Its closing event needs no service (it is reaped now): no wake for it.
    this.#dropping = remoter;
    try {
      remoter.close();
    } finally {
      this.#dropping = undefined;
    }
    this.#remoters.delete(remoter.id);
    this.#reaped.push(remoter);
  }
}

/** `open()` with a signal: aborting closes the handle and rejects; awaiting stays optional. */
function abortableOpen(opening: Promise<void>, signal: AbortSignal, label: string, close: () => void): Promise<void> {
  const aborted = whenAborted(opening, signal, `${label} open`, close);
  aborted.catch(() => {});
  return aborted;
}
