/**
 * Client: a TCP connection that we open, with optional reconnection.
 *
 * @module
 */
import { checkAbortSignal, currentTyme, currentWaker, type Operation, WAIT, type Tymth, type Waker, whenAborted } from "../core/index.js";
import { formatAddress, socketPathOption } from "./address.js";
import type { Handle, OpenOptions } from "../io/handle.js";
import type { ConnectionOptions } from "./connection.js";
import type { StreamPumpHost } from "./stream-pump.js";
import { StreamHandle } from "./stream-handle.js";
import { checkSeconds } from "./validate.js";
import { nodeDriver, type TcpDriver } from "./driver.js";
import { ConnectError, type TcpError } from "./errors.js";
import type { ClientTlsOptions } from "./tls-options.js";

/** Options of {@link Client}. */
export interface ClientOptions extends ConnectionOptions {
  /** Host name, IPv4 or IPv6 address. Default `127.0.0.1`. Not with `path`. */
  host?: string;
  /** TCP port (1–65535). Required unless `path` is given. */
  port?: number;
  /**
   * Connect to the Unix stream socket at this path instead of `host` and
   * `port` (exactly one of the two is given). At most 107 bytes on Linux
   * (103 elsewhere); on Linux a leading `\0` names an abstract socket.
   */
  path?: string;
  /** After a failed attempt or a lost connection, try again every `tymeout`. Default false. */
  reconnectable?: boolean;
  /**
   * Seconds of tyme between connect attempts when `reconnectable`; an
   * attempt still pending after `tymeout` is abandoned. 0: no attempt
   * timeout, and retry at the next service. Default 1.
   */
  tymeout?: number;
  /** Tyme base (ClientDoer winds it). */
  tymth?: Tymth | undefined;
  /** Where sockets come from. Default: {@link nodeDriver}. */
  driver?: TcpDriver;
}

/** Options of {@link Client.waitConnected}. */
export interface WaitConnectedOptions {
  /** Seconds of tyme to wait at most. Default: no limit. */
  timeout?: number;
}

/** One static receive buffer for every plain Client: `onread` copies out of it at once. */
const READ_BUFFER = new Uint8Array(64 * 1024);

const noop = (): void => {};

/**
 * A TCP client. `open()` starts a non-blocking connect; `service()` (called
 * by its {@link ClientDoer} every time it runs) retries connects when
 * `reconnectable`, moves received bytes into `rxbs` (pausing while it is
 * full) and sends what protocol code wrote to `txbs` (waiting while the
 * socket needs drain).
 *
 * The peer's FIN makes the client `cutoff` (rxbs ends; it may still send,
 * half-open). A reconnect waits until protocol code has read what the old
 * connection delivered. Delivery contract across reconnects: a write (one
 * `writeAll` call) reaches one connection whole or not at all, never part on
 * one and the rest on the next. When a connection is lost, what is left in
 * `txbs` is dropped and counted (`unsentBytes`, `unsentWrites`, cumulative),
 * and a writer blocked part-way in `writeAll` gives up the rest of its write
 * (counted too); writes made while disconnected wait in `txbs` for the next
 * connection (failed attempts drop nothing). Bytes the OS took
 * (`sentBytes`) but the peer never read are beyond the client's knowledge,
 * as with any TCP socket.
 *
 * @example
 * ```ts
 * const client = new Client({ host: "127.0.0.1", port: 7000 });
 * const talk = doify(function* () {
 *   yield* client.waitConnected({ timeout: 5 });
 *   client.txbs.write(new TextEncoder().encode("ping\n"));
 *   const line = yield* readLine(client.rxbs);
 *   return true;
 * });
 * await new Doist({ doers: [new ClientDoer({ client }), talk], real: true, limit: 10 }).do();
 * ```
 */
export class Client extends StreamHandle<Client> implements Handle {
  /** Host to connect to; `localhost` for a `path` client (the name a TLS certificate is checked against). */
  readonly host: string;
  /** Port to connect to; 0 for a `path` client. */
  readonly port: number;
  /** Unix stream socket path to connect to, or undefined for TCP. */
  readonly path: string | undefined;
  /** Retry failed or lost connections. */
  reconnectable: boolean;
  /** Seconds of tyme between attempts (and per attempt) when reconnectable. */
  readonly tymeout: number;
  /** Where sockets come from. */
  readonly driver: TcpDriver;
  /** Connect attempts made so far. */
  attempts = 0;
  /** Woken on every socket event (set by the Doer that services this handle). */
  waker: Waker | undefined;
  /** Takes the chunks `onread` reads into READ_BUFFER; made at the first attempt. */
  #onread: ((bytes: number, buffer: Uint8Array) => boolean) | undefined;
  #tymth: Tymth | undefined;
  #wanted = false;
  #attemptAt = 0;
  #retryAt: number | undefined;
  /** `#attemptAt`/`#retryAt` still hold the tyme read at an event: restamp them at the next service. */
  #stampAttempt = false;
  #stampRetry = false;

  /**
   * Creates a client; it does not connect until `open()`.
   * @param options `host` and `port`, or `path`; `reconnectable`, `tymeout`, ring size, socket options, `wirelog`, `driver`
   * @throws TypeError / RangeError naming a bad option (also `host` or `port` given with `path`)
   */
  constructor(options: ClientOptions) {
    const path = socketPathOption(options);
    const host = path === undefined ? (options.host ?? "127.0.0.1") : "localhost";
    if (typeof host !== "string" || host.length === 0) throw new TypeError(`host must be a non-empty string, got ${typeof host}`);
    const port = path === undefined ? options.port : 0;
    if (typeof port !== "number") throw new TypeError(`port must be a number (or give a Unix socket path), got ${typeof port}`);
    if (path === undefined && (!Number.isInteger(port) || port < 1 || port > 65_535)) throw new RangeError(`port must be a whole number from 1 to 65535, got ${port}`);
    super(Client.#pumpHost, options, true);
    this.host = host;
    this.port = port;
    this.path = path;
    this.reconnectable = options.reconnectable ?? false;
    this.tymeout = checkSeconds("tymeout", options.tymeout ?? 1);
    this.driver = options.driver ?? nodeDriver;
    this.#tymth = options.tymth;
  }

  /** `client host:port` (or `client /path/to.sock`), for messages. */
  get label(): string {
    return this.path === undefined ? `client ${formatAddress(this.host, this.port)}` : `client ${this.path}`;
  }

  /** TLS settings; plain TCP here, overridden by ClientTls. */
  get tls(): ClientTlsOptions | undefined {
    return undefined;
  }

  /**
   * Moves the client onto a tyme base (reconnect timing reads it).
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
   * Starts connecting (non-blocking) unless already opening or open. A
   * failure shows as `state === "closed"` with `error` set (a ConnectError
   * or TlsError), or as a retry when `reconnectable`.
   * @returns resolves once connected; rejects with the ConnectError or
   *   TlsError of an attempt that failed and will not be retried, or a
   *   ConnectError when `close()` comes first; rejects with an `AbortError`
   *   when `signal` aborts first (the client is closed). Need not be
   *   awaited: an unawaited rejection is not reported as unhandled.
   * @param options `signal`: aborting it closes the client
   * @throws TypeError when `signal` is not an AbortSignal
   * @example
   * ```ts
   * await client.open({ signal: AbortSignal.timeout(2000) });
   * ```
   */
  open(options: OpenOptions = {}): Promise<void> {
    const signal = checkAbortSignal("signal", options.signal);
    if (signal?.aborted === true) {
      const aborted = whenAborted(Promise.resolve(), signal, `${this.label} open`, () => this.close());
      aborted.catch(() => {});
      return aborted;
    }
    this.#wanted = true;
    if (this.state === "open") return Promise.resolve();
    const pending = this.#pendingOpen();
    if (this.state !== "opening") this.#attempt();
    if (signal === undefined) return pending;
    const aborted = whenAborted(pending, signal, `${this.label} open`, () => this.close());
    aborted.catch(() => {}); // awaiting is optional, as without a signal
    return aborted;
  }

  #openPromise: Promise<void> | undefined;
  #openResolve: (() => void) | undefined;
  #openReject: ((error: Error) => void) | undefined;

  #pendingOpen(): Promise<void> {
    if (this.#openPromise !== undefined) return this.#openPromise;
    const promise = new Promise<void>((resolve, reject) => {
      this.#openResolve = resolve;
      this.#openReject = reject;
    });
    promise.catch(() => {}); // awaiting is optional: the failure is also in `error`
    this.#openPromise = promise;
    return promise;
  }

  #settleOpen(error: Error | undefined): void {
    const resolve = this.#openResolve;
    const reject = this.#openReject;
    this.#openPromise = undefined;
    this.#openResolve = undefined;
    this.#openReject = undefined;
    if (error === undefined) resolve?.();
    else reject?.(error);
  }

  /** Sending may still happen: on this connection, or on the next one when reconnecting. */
  override get maySend(): boolean {
    return this.pump.maySend || (this.reconnectable && this.#wanted);
  }

  /**
   * More bytes may still arrive in `rxbs`: connecting or open and the peer
   * has not ended its side, or received bytes are still held back; or a
   * new connection may bring more when reconnecting.
   */
  override get mayReceive(): boolean {
    return this.pump.mayReceive || (this.reconnectable && this.#wanted);
  }

  /**
   * Bytes written to `txbs` that never reached a connection, in total: what
   * was still in `txbs` when a connection was lost or the client closed,
   * plus the unwritten rest of writes cut by that. Every byte a writer put in
   * is either handed to the OS (`sentBytes`), still in `txbs`, or counted
   * here.
   */
  get unsentBytes(): number {
    return this.txbs.droppedBytes;
  }

  /**
   * Writes (one `writeAll` call, or one `txbs.write` that took all its
   * bytes) that did not reach a connection whole, in total: dropped whole,
   * or cut after their first part went to a connection that was then lost.
   * A write never continues on the next connection.
   */
  get unsentWrites(): number {
    return this.txbs.droppedWrites;
  }

  /**
   * Closes the connection and stops reconnecting. What is left in `txbs` is
   * dropped and counted (`unsentBytes`, `unsentWrites`), and `txbs` ends:
   * writing to a closed client throws `RingEndedError` until it is opened
   * again. Safe to call twice.
   */
  close(): void {
    this.#wanted = false;
    this.#retryAt = undefined;
    this.pump.close();
    this.#stopSending();
    if (this.#openPromise !== undefined) this.#settleOpen(new ConnectError(`${this.label}: closed before it connected`));
  }

  /** Nothing will send `txbs` any more: drop and count what is in it, and refuse further writes. */
  #stopSending(): void {
    this.txbs.discard();
    this.txbs.end();
  }

  /** Connects, reconnects, receives and sends, once, without blocking. */
  service(): void {
    this.serviceConnect();
    this.pump.serviceReceive();
    this.pump.serviceSend();
  }

  /**
   * Abandons an attempt that took longer than `tymeout` and starts a retry
   * that is due. Retries wait until `rxbs` has been read empty.
   */
  serviceConnect(): void {
    if (!this.#wanted) return;
    const tyme = this.tyme;
    // Deadlines set at socket events read a tyme that lags the wall clock
    // while a real-time Doist sleeps: count them from this pass instead.
    if (this.#stampAttempt) {
      this.#stampAttempt = false;
      this.#attemptAt = tyme;
    }
    if (this.#stampRetry) {
      this.#stampRetry = false;
      if (this.#retryAt !== undefined) this.#retryAt = tyme + this.tymeout;
    }
    if (this.state === "opening" && this.reconnectable && this.tymeout > 0 && tyme >= this.#attemptAt + this.tymeout) {
      const error = new ConnectError(`${this.label}: connect timed out after ${this.tymeout} s`);
      this.pump.closeSocket(false);
      this.pump.error = error;
      this.#retryAt = tyme;
    }
    const retryAt = this.#retryAt;
    if (retryAt === undefined || tyme < retryAt || this.state === "opening" || this.state === "open") return;
    if (!this.rxbs.isEmpty || this.receivePaused) {
      this.rxbs.spaceSignal.subscribe(this.pump);
      return;
    }
    this.#attempt();
  }

  /**
   * Tyme at which `service()` has timed work to do (a retry, or an attempt
   * to abandon), for the Doer's sleep (see `tockUntil`); `WAIT` (Infinity)
   * when none.
   */
  get due(): number {
    if (!this.#wanted || !this.reconnectable) return WAIT;
    if (this.#stampAttempt || this.#stampRetry) return this.tyme; // to be stamped by the next service
    if (this.state === "opening") return this.tymeout > 0 ? this.#attemptAt + this.tymeout : WAIT;
    return this.#retryAt ?? WAIT;
  }

  /** @deprecated renamed {@link Client.due}. */
  get nextDeadline(): number {
    return this.due;
  }

  /**
   * Waits (inside a dog, with `yield*`) until the client is connected. A
   * client not opened yet is waited for (its ClientDoer may enter later).
   * @param options `timeout` in seconds of tyme
   * @returns when connected
   * @throws ConnectError / TlsError when the attempt failed and the client will not retry, or on timeout
   */
  *waitConnected(options: WaitConnectedOptions = {}): Operation<void> {
    const timeout = options.timeout === undefined ? WAIT : checkSeconds("timeout", options.timeout);
    const start = currentTyme() ?? this.tyme;
    for (;;) {
      if (this.state === "open") return;
      const idle = this.state !== "opening" && (!this.reconnectable || this.#retryAt === undefined);
      if (this.attempts > 0 && !this.#wanted) throw new ConnectError(`${this.label}: closed while waiting to connect`);
      if (this.attempts > 0 && idle) {
        throw this.error ?? new ConnectError(`${this.label}: not connected`);
      }
      const remaining = timeout === WAIT ? WAIT : start + timeout - (currentTyme() ?? this.tyme);
      if (remaining <= 0) {
        const cause: TcpError | undefined = this.error;
        throw new ConnectError(`${this.label}: not connected within ${timeout} s${cause === undefined ? "" : ` (last error: ${cause.message})`}`, cause);
      }
      const waker = currentWaker();
      const subscribed = this.stateSignal.subscribe(waker);
      try {
        yield subscribed ? remaining : 0;
      } finally {
        // Also when the waiting dog is force-closed: it must not stay pinned to the signal.
        if (subscribed) this.stateSignal.unsubscribe(waker);
      }
    }
  }

  #connectFailed(): void {
    if (this.reconnectable && this.#wanted) {
      this.#retryAt = this.tyme + this.tymeout;
      this.#stampRetry = true;
    } else {
      this.#retryAt = undefined;
      this.rxbs.end(); // nobody will fill it: let readers stop
      this.#stopSending();
      this.#settleOpen(this.error ?? new ConnectError(`${this.label}: connect failed`));
    }
  }

  #cutOff(): void {
    this.#retryAt = this.reconnectable && this.#wanted ? this.tyme + this.tymeout : undefined;
    this.#stampRetry = this.#retryAt !== undefined;
  }

  /** The connection these bytes were meant for is gone. */
  #lost(): void {
    // A write never continues on the next connection. Writes made from now on wait for it.
    this.txbs.discard();
    if (!this.reconnectable || !this.#wanted) this.txbs.end();
  }

  /**
   * What the pump reports to, for every Client. An event wakes the servicing
   * Doer; one raised during a pass (bytes moved from held bytes into `rxbs`
   * by this service) is run by the Doist in a wake pass in the same
   * event-loop turn.
   */
  static readonly #pumpHost: StreamPumpHost<Client> = {
    event: (client) => client.waker?.wake(),
    touched: noop,
    firstBytes: noop,
    opened: (client) => {
      void client.pump.localPort; // kept for after the connection
      void client.pump.localAddress;
      client.#settleOpen(undefined);
    },
    cutOff: (client) => client.#cutOff(),
    lost: (client) => client.#lost(),
    connectFailed: (client) => client.#connectFailed(),
  };

  #attempt(): void {
    this.#retryAt = undefined;
    this.#stampRetry = false;
    // A fresh connection starts with an empty, unended rxbs (retries wait
    // until the old bytes were read). txbs keeps what was written since the
    // last connection was lost (it was emptied then, and counted): failed
    // attempts drop nothing. A closed client's ended txbs opens again.
    if (this.rxbs.ended) this.rxbs.reset();
    if (this.txbs.ended) this.txbs.reset();
    const unsent = this.unsent;
    this.attempts++;
    this.#attemptAt = this.tyme;
    this.#stampAttempt = true;
    const tls = this.tls;
    const pump = this.pump;
    const socket = this.driver.connect({
      host: this.host,
      port: this.port,
      path: this.path,
      ...(tls === undefined
        ? { onread: { buffer: READ_BUFFER, callback: (this.#onread ??= (bytes: number, buffer: Uint8Array) => pump.receive(buffer.subarray(0, bytes), true)) } }
        : { tls }),
    });
    pump.attach(socket, false, tls === undefined ? "connect" : "secureConnect");
    pump.unsent = unsent;
  }
}
