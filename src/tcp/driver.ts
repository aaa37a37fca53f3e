/**
 * The seam between the TCP handles and the network: a driver opens sockets
 * and listeners. The default {@link nodeDriver} uses `node:net` and
 * `node:tls`; a simulated network implements the same small interfaces, so
 * Client, Server and Remoter run unchanged on it.
 *
 * The interfaces are the subsets of `net.Socket` / `net.Server` (and their
 * TLS variants) that the handles use, with plain types only.
 *
 * @module
 */
import { lstatSync, unlinkSync } from "node:fs";
import net from "node:net";
import tls from "node:tls";
import type { ClientTlsOptions, ServerTlsOptions } from "./tls-options.js";

/**
 * A connected (or connecting) byte stream. Events the handles listen for,
 * with `on(event, listener)`:
 * - `"connect"` (plain) / `"secureConnect"` (TLS): ready for data;
 * - `"data"` `(chunk: Uint8Array)`: bytes arrived (not emitted when the
 *   driver honours `onread`: then `onread.callback` gets them). The chunk is
 *   the handle's from then on, as a Node socket's fresh Buffers are: the
 *   driver must not change it or use its memory again (the handle may pass
 *   it on to a reader without copying);
 * - `"end"`: the peer half-closed; `"drain"`: writes may go on;
 * - `"error"` `(error: Error)` with a Node-style `code`; `"close"`: gone.
 *
 * Listeners are called with the socket as `this`, as an `EventEmitter`
 * does: the handles register the same listener functions on every socket.
 */
export interface StreamSocket {
  /** Peer address, once known. */
  readonly remoteAddress?: string | undefined;
  /** The socket was destroyed (e.g. reset before it was handed over). */
  readonly destroyed?: boolean;
  /** The error a failed write or read left (Node sets it at once, before the `error` event). */
  readonly errored?: Error | null;
  /** Peer port, once known. */
  readonly remotePort?: number | undefined;
  /** Local address, once bound. */
  readonly localAddress?: string | undefined;
  /** Local port, once bound. */
  readonly localPort?: number | undefined;
  /**
   * Bytes queued in the socket, not yet handed to the OS (0 when every write
   * so far went through). It counts every byte of a lent view the socket
   * still holds: lent bytes it no longer counts are given back to the ring.
   */
  readonly writableLength: number;
  /**
   * Queues bytes. `data` is a view of a handle's ring, lent: the socket may
   * keep it while `writableLength` counts it; the handle checks after `write`
   * returns, when `callback` runs without an error, and at `"drain"`, and
   * does not change the bytes before. A driver that copies what it takes may
   * ignore `callback` (then `"drain"` must follow a write that returned false).
   * @returns false when the caller should wait for `"drain"`
   */
  write(data: Uint8Array, callback?: (error?: Error | null) => void): boolean;
  /** Half-closes (sends FIN after queued writes); `callback` runs when they are flushed. */
  end(callback?: () => void): unknown;
  /** Closes at once; queued writes are dropped. */
  destroy(): unknown;
  /** Stops `"data"` / `onread` deliveries until `resume()`. */
  pause(): unknown;
  /** Restarts deliveries. */
  resume(): unknown;
  /** Turns Nagle's algorithm off (true) or on. */
  setNoDelay(noDelay?: boolean): unknown;
  /** Turns TCP keepalive probes on, after `initialDelay` ms of silence. */
  setKeepAlive(enable?: boolean, initialDelay?: number): unknown;
  /** Listens for received bytes (not emitted when the driver honours `onread`). */
  on(event: "data", listener: (chunk: Uint8Array) => void): unknown;
  /** Listens for a socket error (with a Node-style `code`). */
  on(event: "error", listener: (error: Error) => void): unknown;
  /** Listens for connect / TLS handshake done, the peer's FIN, drain, or the socket being gone. */
  on(event: "connect" | "secureConnect" | "end" | "drain" | "close", listener: () => void): unknown;
}

/** A listening socket. Events: `"listening"`, `"error"` `(error: Error)`, `"close"`. */
export interface StreamServer {
  /** The bound address, or null before listening. */
  address():
    | {
        /** The bound IP address. */
        address: string;
        /** The bound port. */
        port: number;
        /** `"IPv4"` or `"IPv6"`. */
        family: string;
      }
    | string
    | null;
  /** Stops accepting; open connections are not touched. */
  close(): unknown;
  /** Listens for the listener being bound, or it being closed. */
  on(event: "listening" | "close", listener: () => void): unknown;
  /** Listens for a failed listen (e.g. `EADDRINUSE`). */
  on(event: "error", listener: (error: Error) => void): unknown;
}

/** What a Client asks of `driver.connect`. */
export interface DriverConnectOptions {
  /** Host name or IP address (ignored when `path` is set). */
  host: string;
  /** TCP port (ignored when `path` is set). */
  port: number;
  /** Connect to the Unix stream socket at this path instead of `host` and `port`. Drivers without Unix sockets fail the connect. */
  path?: string | undefined;
  /** Give every received chunk to `callback` in `buffer` instead of `"data"` events; return false to pause. Drivers may ignore it (then they emit `"data"`). */
  onread?: {
    /** The buffer every chunk is read into (reused). */
    buffer: Uint8Array;
    /** Gets the byte count of a chunk now at the start of `buffer`; returns false to pause. */
    callback: (bytes: number, buffer: Uint8Array) => boolean;
  };
  /** Speak TLS over the connection. */
  tls?: ClientTlsOptions | undefined;
}

/** What a Server asks of `driver.listen`. */
export interface DriverListenOptions {
  /** Address to bind (ignored when `path` is set). */
  host: string;
  /** Port to bind; 0 for an ephemeral one (ignored when `path` is set). */
  port: number;
  /**
   * Listen on a Unix stream socket at this path instead of `host` and
   * `port`. The node driver removes a stale socket file there first (one
   * nobody listens on) and fails with `EADDRINUSE` when a server listens
   * on it or the path is not a socket; closing the listener removes the file.
   */
  path?: string | undefined;
  /** Length of the pending-connection queue. */
  backlog?: number | undefined;
  /** Speak TLS on every accepted connection. */
  tls?: ServerTlsOptions | undefined;
}

/** Callbacks of `driver.listen`. */
export interface ListenHandlers {
  /** A connection was accepted (for TLS: after its handshake succeeded). */
  connection(socket: StreamSocket): void;
  /** An incoming connection failed before it was handed over (e.g. a TLS handshake error). */
  clientError?(error: Error, socket: StreamSocket): void;
  /**
   * TLS only: a TCP connection arrived and its handshake starts; return
   * false to drop it at once (e.g. too many connections and handshakes).
   * Each admitted one later ends in `connection` or `clientError`.
   */
  admit?(socket: StreamSocket): boolean;
}

/** Opens sockets and listeners: the one place the TCP handles touch the network. */
export interface TcpDriver {
  /**
   * Starts a non-blocking connect; the socket reports `"connect"` / `"secureConnect"` or `"error"`.
   * @param options where to connect and how
   * @returns the socket, not yet connected
   */
  connect(options: DriverConnectOptions): StreamSocket;
  /**
   * Starts listening; the server reports `"listening"` or `"error"`.
   * Accepted sockets must allow half-open connections (a peer's FIN does not end ours).
   * @param options where to listen and how
   * @param handlers what to call for each connection
   * @returns the server
   */
  listen(options: DriverListenOptions, handlers: ListenHandlers): StreamServer;
}

/**
 * The driver on `node:net` and `node:tls`. Connections are half-open capable
 * and honour `onread` for plain TCP (TLS sockets emit `"data"`). Both TCP
 * and Unix stream sockets (`path`) are supported, with or without TLS.
 */
export const nodeDriver: TcpDriver = {
  connect(options: DriverConnectOptions): StreamSocket {
    const { host, port, path, onread } = options;
    // Over a path, a TLS certificate is checked against `host` (or `servername`).
    const where: { host: string; port?: number; path?: string } = path === undefined ? { host, port } : { host, path };
    if (options.tls !== undefined) {
      const { servername, ...rest } = options.tls;
      return tls.connect({
        ...rest,
        ...where,
        allowHalfOpen: true,
        // Node would otherwise send an IP address as SNI and warn about it.
        ...(servername !== undefined ? { servername } : net.isIP(host) === 0 ? { servername: host } : {}),
      } as tls.ConnectionOptions);
    }
    const reading = onread === undefined ? {} : { onread };
    if (path !== undefined) return net.connect({ path, allowHalfOpen: true, ...reading });
    return net.connect({ host, port, allowHalfOpen: true, ...reading });
  },

  listen(options: DriverListenOptions, handlers: ListenHandlers): StreamServer {
    let server: net.Server;
    if (options.tls !== undefined) {
      const { sni, handshakeTimeout, ...rest } = options.tls;
      const contexts = new Map<string, tls.SecureContext>();
      if (sni !== undefined) for (const [name, context] of Object.entries(sni)) contexts.set(name.toLowerCase(), tls.createSecureContext(context as tls.SecureContextOptions));
      const tlsServer = tls.createServer({
        ...rest,
        allowHalfOpen: true,
        ...(handshakeTimeout === undefined ? {} : { handshakeTimeout: Math.max(1, Math.round(handshakeTimeout * 1000)) }),
        ...(sni === undefined
          ? {}
          : { SNICallback: (name: string, done: (error: Error | null, context?: tls.SecureContext) => void) => done(null, contexts.get(name.toLowerCase())) }),
      } as tls.TlsOptions);
      tlsServer.on("secureConnection", handlers.connection);
      const admit = handlers.admit;
      if (admit !== undefined) {
        // Registered first, so a refused socket is gone before TLS starts on it.
        tlsServer.prependListener("connection", (raw: net.Socket) => {
          if (!admit(raw)) raw.destroy();
        });
      }
      tlsServer.on("tlsClientError", (error: Error, socket: tls.TLSSocket) => {
        socket.destroy();
        handlers.clientError?.(error, socket);
      });
      server = tlsServer;
    } else {
      server = net.createServer({ allowHalfOpen: true }, handlers.connection);
    }
    const backlog = options.backlog === undefined ? {} : { backlog: options.backlog };
    if (options.path === undefined) server.listen({ host: options.host, port: options.port, ...backlog });
    else listenOnPath(server, options.path, backlog);
    return server as StreamServer;
  },
};

/**
 * Listens on a Unix socket path, first removing a stale socket file there.
 * A socket file is stale when connecting to it is refused (its server is
 * gone without removing it, e.g. it crashed). A file that is not a socket,
 * or a socket a server accepts on, is left alone, and `server` reports
 * `EADDRINUSE` naming the path. Abstract (`\0`) names have no file.
 * Not atomic: two servers starting at the same moment on one stale path
 * may both find it stale, and the later one then takes the path over.
 */
function listenOnPath(server: net.Server, path: string, backlog: { backlog?: number }): void {
  const listen = (): void => {
    server.listen({ path, ...backlog });
  };
  if (path.startsWith("\0") || process.platform === "win32" || !isSocketFile(path)) {
    // No file to check, nothing there (listen reports a bad path), or not a
    // socket (never removed: listen fails with EADDRINUSE).
    listen();
    return;
  }
  let closed = false;
  server.once("close", () => (closed = true));
  const probe = net.connect({ path });
  probe.once("connect", () => {
    probe.destroy();
    if (closed) return;
    const error = Object.assign(new Error(`listen EADDRINUSE: a server is listening on ${path}`), { code: "EADDRINUSE" });
    server.emit("error", error);
  });
  probe.once("error", (error: Error) => {
    probe.destroy();
    if (closed) return;
    if ((error as { code?: unknown }).code === "ECONNREFUSED") {
      try {
        unlinkSync(path);
      } catch {
        // gone already, or not ours to remove: listen reports it
      }
    }
    listen();
  });
}

/** Whether a Unix socket file is at `path` (false when nothing, or something else, is there). */
function isSocketFile(path: string): boolean {
  try {
    return lstatSync(path).isSocket();
  } catch {
    return false;
  }
}
