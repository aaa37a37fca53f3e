/**
 * The TCP driver over a SimNet: `Client`, `Server` and `Remoter` from
 * hio-ts/tcp run unchanged on simulated streams.
 *
 * @module
 */
import { EventEmitter } from "node:events";
import type { DriverConnectOptions, DriverListenOptions, ListenHandlers, StreamServer, StreamSocket, TcpDriver } from "../tcp/index.js";
import { SimNetworkError } from "./errors.js";
import type { SimHost } from "./host.js";
import type { SimListener } from "./listener.js";
import type { SimStream, SimStreamObserver } from "./stream.js";

/** Addresses that mean "this host" when listening. */
const ANY = new Set(["0.0.0.0", "::", "127.0.0.1", "::1", "localhost", ""]);

/**
 * A `StreamSocket` over a {@link SimStream}, with Node's socket semantics:
 * `write` always takes the bytes (what the stream cannot take yet waits here,
 * counted in `writableLength`) and returns false until `"drain"`; `pause`
 * stops reading, which closes the receive window and stalls the sender.
 *
 * Events from the network are emitted from the SimNet's tick; events caused
 * by a call (`close` after `destroy`, data after `resume`) are emitted in a
 * microtask, as Node emits them on a later turn.
 */
export class SimSocket extends EventEmitter implements StreamSocket {
  /** The simulated stream underneath. */
  readonly stream: SimStream;
  readonly #connectEvent: "connect" | "secureConnect";
  readonly #overflow: Uint8Array[] = [];
  #overflowBytes = 0;
  #needDrain = false;
  #paused = false;
  #destroyed = false;
  #endRequested = false;
  #endCallback: (() => void) | undefined;
  #remoteEnded = false;
  #endEmitted = false;
  #closePending = false;
  #closeEmitted = false;
  #deliverQueued = false;

  /**
   * @param stream the stream
   * @param tls whether the caller asked for TLS: the socket then reports
   *   `secureConnect` (the simulation does not encrypt)
   */
  constructor(stream: SimStream, tls: boolean) {
    super();
    this.stream = stream;
    this.#connectEvent = tls ? "secureConnect" : "connect";
    const observer: SimStreamObserver = {
      connect: () => this.#connected(),
      data: () => this.#deliver(),
      end: () => this.#peerEnded(),
      drain: () => this.#drain(),
      close: (_stream, error) => this.#closed(error),
    };
    stream.observer = observer;
  }

  /** The peer's address. */
  get remoteAddress(): string {
    return this.stream.remoteAddress;
  }
  /** The peer's port. */
  get remotePort(): number {
    return this.stream.remotePort;
  }
  /** This end's address (its host's). */
  get localAddress(): string {
    return this.stream.localAddress;
  }
  /** This end's port. */
  get localPort(): number {
    return this.stream.localPort;
  }
  /** Bytes written that the stream has not taken yet. */
  get writableLength(): number {
    return this.#overflowBytes;
  }

  /** Takes `data` (keeping what the stream cannot take yet); returns false when the caller should wait for `drain`. */
  write(data: Uint8Array): boolean {
    if (this.#destroyed || this.stream.closed) return false;
    if (this.#endRequested) {
      queueMicrotask(() => this.emit("error", new SimNetworkError("EPIPE", `write after end on ${this.stream.label}`)));
      return false;
    }
    let rest = data;
    if (this.#overflow.length === 0) {
      const taken = this.stream.write(data);
      if (taken === data.length) return true;
      rest = data.subarray(taken);
    }
    this.#overflow.push(rest);
    this.#overflowBytes += rest.length;
    this.#needDrain = true;
    return false;
  }

  /** Half-closes after the bytes written; `callback` runs once they are all handed to the stream. */
  end(callback?: () => void): this {
    if (this.#destroyed || this.#endRequested) return this;
    this.#endRequested = true;
    this.#endCallback = callback;
    if (this.#overflow.length === 0) this.#finish();
    return this;
  }

  /** Closes at once (FIN, or a reset when received bytes were unread); `close` follows in a microtask. */
  destroy(): this {
    if (this.#destroyed) return this;
    this.#destroyed = true;
    this.stream.observer = undefined;
    this.stream.close();
    if (!this.#closeEmitted) {
      this.#closeEmitted = true;
      queueMicrotask(() => this.emit("close", false));
    }
    return this;
  }

  /** Stops reading: the receive window closes and the sender stalls. */
  pause(): this {
    this.#paused = true;
    return this;
  }

  /** Reads again: waiting bytes come as `data` in a microtask. */
  resume(): this {
    if (!this.#paused) return this;
    this.#paused = false;
    if (!this.#deliverQueued) {
      this.#deliverQueued = true;
      queueMicrotask(() => {
        this.#deliverQueued = false;
        this.#deliver();
      });
    }
    return this;
  }

  /** Accepted and ignored: there is no Nagle delay to turn off. */
  setNoDelay(): this {
    return this; // segments go out as soon as the window allows: there is no Nagle delay to turn off
  }

  /** Accepted and ignored: the simulation sends no keepalive probes. */
  setKeepAlive(): this {
    return this;
  }

  #connected(): void {
    if (!this.#destroyed) this.emit(this.#connectEvent);
  }

  #peerEnded(): void {
    this.#remoteEnded = true;
    this.#deliver();
  }

  #drain(): void {
    const overflow = this.#overflow;
    while (overflow.length > 0 && !this.stream.closed && !this.stream.ending) {
      const chunk = overflow[0]!;
      const taken = this.stream.write(chunk);
      this.#overflowBytes -= taken;
      if (taken < chunk.length) {
        overflow[0] = chunk.subarray(taken);
        return;
      }
      overflow.shift();
    }
    if (overflow.length > 0) return;
    if (this.#endRequested) this.#finish();
    if (this.#needDrain) {
      this.#needDrain = false;
      this.emit("drain");
    }
  }

  #closed(error: SimNetworkError | undefined): void {
    if (this.#destroyed) return;
    if (error !== undefined) {
      this.#closeEmitted = true;
      this.emit("error", error);
      this.emit("close", true);
      return;
    }
    this.#closePending = true;
    this.#deliver();
  }

  #finish(): void {
    this.stream.end();
    const callback = this.#endCallback;
    this.#endCallback = undefined;
    if (callback !== undefined) queueMicrotask(callback);
  }

  #deliver(): void {
    const stream = this.stream;
    while (!this.#paused && !this.#destroyed && stream.readableLength > 0) this.emit("data", stream.read());
    if (this.#paused || this.#destroyed || stream.readableLength > 0) return;
    if (this.#remoteEnded && !this.#endEmitted) {
      this.#endEmitted = true;
      this.emit("end");
    }
    if (this.#closePending && !this.#closeEmitted) {
      this.#closeEmitted = true;
      this.emit("close", false);
    }
  }
}

/**
 * A `StreamServer` over a {@link SimListener}: accepted connections are
 * handed to the `connection` handler from the net's tick; `listening` and
 * `close` are emitted in a microtask, as Node emits them on a later turn.
 */
export class SimServer extends EventEmitter implements StreamServer {
  readonly #host: SimHost;
  readonly #handlers: ListenHandlers;
  readonly #tls: boolean;
  #listener: SimListener | undefined;
  #closed = false;

  /**
   * @param host the host it listens on
   * @param options where and how to listen
   * @param handlers what to call per connection
   */
  constructor(host: SimHost, options: DriverListenOptions, handlers: ListenHandlers) {
    super();
    this.#host = host;
    this.#handlers = handlers;
    this.#tls = options.tls !== undefined;
    if (options.path !== undefined) {
      const error = noUnixSockets(host, `listen on ${options.path}`);
      queueMicrotask(() => this.emit("error", error));
      return;
    }
    if (!ANY.has(options.host) && options.host !== host.address && options.host !== host.name) {
      const error = new SimNetworkError("EADDRNOTAVAIL", `sim host ${host.name} (${host.address}) cannot listen on ${options.host}:${options.port}`);
      queueMicrotask(() => this.emit("error", error));
      return;
    }
    let listener: SimListener;
    try {
      listener = host.listen({ port: options.port, ...(options.backlog === undefined ? {} : { backlog: options.backlog }) });
    } catch (error) {
      queueMicrotask(() => this.emit("error", error));
      return;
    }
    this.#listener = listener;
    listener.observer = { connection: () => this.#accept() };
    queueMicrotask(() => {
      if (!this.#closed) this.emit("listening");
    });
  }

  /** The bound address, or null before listening or after close. */
  address(): {
    /** The host's address. */
    address: string;
    /** The listening port. */
    port: number;
    /** Always `"IPv4"`. */
    family: string;
  } | null {
    const listener = this.#listener;
    if (listener === undefined || this.#closed) return null;
    return { address: this.#host.address, port: listener.port, family: "IPv4" };
  }

  /** Stops listening (queued connections are reset); `close` follows in a microtask. */
  close(): this {
    if (this.#closed) return this;
    this.#closed = true;
    this.#listener?.close();
    queueMicrotask(() => this.emit("close"));
    return this;
  }

  #accept(): void {
    const listener = this.#listener;
    if (listener === undefined) return;
    for (let stream = listener.accept(); stream !== undefined; stream = listener.accept()) {
      this.#handlers.connection(new SimSocket(stream, this.#tls));
    }
  }
}

/**
 * Makes the TCP driver of one simulated host: its connects leave from that
 * host, its listeners listen on it. Use `net.tcpDriver(host)`.
 * @param host the host
 * @returns a driver for `new Client({ driver })` / `new Server({ driver })`
 */
export function createTcpDriver(host: SimHost): TcpDriver {
  return {
    connect(options: DriverConnectOptions): StreamSocket {
      // The simulated network has TCP only: a Unix socket path fails the connect, as the driver contract says.
      if (options.path !== undefined) return new UnsupportedSocket(noUnixSockets(host, `connect to ${options.path}`));
      return new SimSocket(host.connect({ host: options.host, port: options.port }), options.tls !== undefined);
    },
    listen(options: DriverListenOptions, handlers: ListenHandlers): StreamServer {
      return new SimServer(host, options, handlers);
    },
  };
}

/**
 * The error for a Unix stream socket on a simulated host, which has none.
 * @param host the host
 * @param what what was asked, naming the path
 * @returns an `EAFNOSUPPORT` SimNetworkError
 */
function noUnixSockets(host: SimHost, what: string): SimNetworkError {
  return new SimNetworkError("EAFNOSUPPORT", `sim host ${host.name} has no Unix stream sockets: cannot ${what}`);
}

/**
 * A connect that cannot start (a Unix socket path on a simulated host):
 * reports `error`, then `close`, in a microtask, as a failed Node connect
 * does on a later turn; nothing else happens on it.
 */
class UnsupportedSocket extends EventEmitter implements StreamSocket {
  readonly writableLength = 0;
  destroyed = false;

  /** @param error the error it reports */
  constructor(error: SimNetworkError) {
    super();
    queueMicrotask(() => {
      if (this.destroyed) return;
      this.destroyed = true;
      this.emit("error", error);
      this.emit("close");
    });
  }

  /** Takes nothing: it never connected. */
  write(): boolean {
    return false;
  }
  end(): this {
    return this;
  }
  destroy(): this {
    this.destroyed = true;
    return this;
  }
  pause(): this {
    return this;
  }
  resume(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
}
