/**
 * ServerDoer and EchoServerDoer: run a Server inside a Doist, with one
 * handler dog per connection.
 *
 * @module
 */
import { currentWaker, DoDoer, type DoerLike, type DoerOptions, type DoOptions, type Dog, type Operation, type Tymth, type Waker } from "../core/index.js";
import { EndOfStreamError } from "../io/errors.js";
import { tockUntil } from "../io/handle.js";
import { HandlerError } from "./errors.js";
import { IdTable } from "./id-table.js";
import type { Remoter } from "./remoter.js";
import type { Server } from "./server.js";

/**
 * A connection handler: a generator function that reads `remoter.rxbs` and
 * writes `remoter.txbs` with `yield*` readers, one copy per connection.
 */
export type ConnectionHandler = (remoter: Remoter) => Operation<unknown>;

/** Options of {@link ServerDoer}. */
export interface ServerDoerOptions extends Omit<DoerOptions, "tock"> {
  /** The server to run; opened in enter if it is not yet. */
  server: Server;
  /** Runs once per connection. Without it, connections are accepted and serviced only. */
  handler?: ConnectionHandler;
  /**
   * Called with each error a handler throws (after its connection was
   * closed). Without it, each error is printed to stderr (handle, peer,
   * stack), so a failing handler is never silent.
   */
  onError?: (error: HandlerError) => void;
  /** Most errors kept in `errors` (oldest dropped first). Default 100. */
  maxErrors?: number;
}

/**
 * Runs a {@link Server}: a DoDoer (always alive) whose children are one
 * handler dog per connection. Each time it runs it
 * 1. accepts new connections and starts their handlers (each runs to its first yield),
 * 2. resumes reading where `rxbs` has room again,
 * 3. runs the handler dogs that are due (`super.recur`),
 * 4. sends what they wrote (so a request is answered in the same pass),
 * 5. removes closed connections and force-closes their handlers.
 *
 * Only connections that had events are serviced, and it sleeps (`WAIT`)
 * until a socket event, a handler or an idle timeout needs it.
 *
 * A handler's end closes its connection: when it returns, `txbs` is flushed
 * and the connection half-closed, then closed. When the peer goes away
 * (reset, or the connection broke) the handler is force-closed (its
 * `finally` runs). An error thrown by a handler closes that connection at
 * once, is wrapped in a {@link HandlerError} naming the peer, appended to
 * `errors` and passed to `onError`; the server goes on. An `EndOfStreamError`
 * with an empty `partial` (the peer closed between frames) is a normal end,
 * not an error. A failure to listen is thrown from recur (a ListenError).
 *
 * @example
 * ```ts
 * const server = new Server({ port: 7000 });
 * const doer = new ServerDoer({
 *   server,
 *   handler: function* (remoter) {
 *     for (;;) {
 *       const line = yield* readLine(remoter.rxbs);
 *       yield* writeAll(remoter.txbs, line);
 *     }
 *   },
 * });
 * await new Doist({ doers: [doer], real: true }).do();
 * ```
 */
export class ServerDoer extends DoDoer {
  /** The server it runs. */
  readonly server: Server;
  /** The connection handler, if any. */
  readonly handler: ConnectionHandler | undefined;
  /** Errors thrown by handlers, oldest first (at most `maxErrors`). */
  readonly errors: HandlerError[] = [];
  /** Called with each handler error. */
  onError: ((error: HandlerError) => void) | undefined;
  readonly #maxErrors: number;
  /** The handler doers by connection id (see IdTable for why not a Map). */
  readonly #handlers = new IdTable<ConnectionDoer>();
  readonly #groups: DoDoer[] = [];
  #open: DoDoer | undefined;

  /**
   * Creates the doer.
   * @param options `server`, `handler`, `onError`, `maxErrors`
   * @throws TypeError when `server` is missing or `handler` is not a function
   */
  constructor(options: ServerDoerOptions) {
    super({ ...options, always: true, tock: 0 });
    if (options?.server === undefined) throw new TypeError("server must be a Server, got undefined");
    if (options.handler !== undefined && typeof options.handler !== "function") throw new TypeError(`handler must be a generator function, got ${typeof options.handler}`);
    this.server = options.server;
    this.handler = options.handler;
    this.onError = options.onError;
    this.#maxErrors = options.maxErrors ?? 100;
  }

  /**
   * Winds this doer and its server onto a tyme base.
   * @param tymth the tyme base
   */
  override wind(tymth: Tymth): void {
    super.wind(tymth);
    this.server?.wind(tymth);
  }

  /**
   * Wakes it for a handler (a socket event woke a handler dog): once per
   * event-loop turn, in that turn's check phase (`setImmediate`), so the
   * small events of many connections in one turn are answered in one pass,
   * not one pass each (a pass per event cost a Doist sleep and wake per
   * round trip). Inside a pass the wake goes up at once (the Doist then runs
   * a wake pass in the same turn), except in its own recur before the
   * handlers run: that pass runs the woken handler. The server's own events (bulk data that
   * must make room in `rxbs` now, accepts) wake it at once through
   * `server.waker`; small ones the server also defers to the check phase.
   */
  override wake(): void {
    // Inside recur before the handlers run: this pass runs the woken one.
    if (this.#ahead) return;
    if (currentWaker() !== undefined) {
      super.wake();
      return;
    }
    if (this.#wakeQueued) return;
    this.#wakeQueued = true;
    this.#queuedAt = this.#passes;
    setImmediate(this.#wakeTurn);
  }

  #wakeQueued = false;
  /**
   * Inside recur, before the handlers run (accepting, receiving): a handler
   * woken then (a new one entered, its rxbs ended) runs later in this pass,
   * so the wake needs no wake pass of its own.
   */
  #ahead = false;
  /** Passes (recurs) run so far: a queued wake is dropped when a pass ran since it was queued. */
  #passes = 0;
  #queuedAt = 0;

  readonly #wakeTurn = (): void => {
    this.#wakeQueued = false;
    // A pass since the wake was queued (the server's own wake, or a tock) ran the woken handlers.
    if (this.#passes === this.#queuedAt) super.wake();
  };

  /** Wakes it at once: the server's waker. */
  readonly #wakeNow: Waker = { wake: () => super.wake() };

  /** Enter context: winds the server, makes it wake this doer, and opens it. */
  override enter(): void {
    const server = this.server;
    if (this.tymth !== undefined) server.wind(this.tymth);
    server.waker = this.#wakeNow;
    if (server.state === "closed") void server.open();
    super.enter();
  }

  /**
   * Recur context: accept, receive, handlers, send, reap (see the class doc).
   * @param tyme the current tyme
   * @returns false: it runs until removed or its Doist stops
   * @throws ListenError when the server could not listen
   */
  override recur(tyme: number): boolean {
    const server = this.server;
    this.#passes++;
    if (server.error !== undefined && server.state === "closed") throw server.error;
    this.#ahead = true;
    try {
      const fresh = server.serviceAccepts();
      for (let index = 0; index < fresh.length; index++) this.connected(fresh[index]!);
      if (this.#shuttingDown && this.handler === undefined) for (let index = 0; index < fresh.length; index++) fresh[index]!.endAfterFlush();
      try {
        server.serviceReceives();
        this.process();
        this.#ahead = false;
        super.recur(tyme);
      } finally {
        this.#ahead = false;
        server.serviceSends();
      }
    } finally {
      this.#ahead = false;
    }
    const reaped = server.serviceReaps();
    for (let index = 0; index < reaped.length; index++) {
      const remoter = reaped[index]!;
      this.disconnected(remoter);
      // Its handler is gone: the next connection's rings take its stores
      // (kept only when nothing waits in them: a force-close leaves unsent bytes).
      remoter.rxbs.release();
      remoter.txbs.release();
    }
    // Done once a graceful shutdown has finished: the Doist may end.
    return this.#shuttingDown && server.state === "closed";
  }

  #shuttingDown = false;

  protected override recurring(): boolean {
    if (this.#shuttingDown && this.server.state === "closed") return false;
    return super.recurring();
  }

  /**
   * Shuts the server down gracefully (see `Server.shutdown`): no new
   * connections; handlers run on for up to `grace` seconds of tyme, each
   * one's end flushing and closing its connection; connections without a
   * handler are flushed and half-closed at once; then the rest are
   * force-closed (their handlers' `finally` runs), and this doer is done, so
   * a Doist with nothing else to run ends.
   *
   * A Doist calls it on SIGTERM (with its `shutdownGrace`, default 5 s) and
   * runs on until it is done, then ends the process by the signal.
   * @param grace seconds of tyme to let connections finish. Default 5.
   * @returns resolves once every connection is gone and the server is closed
   */
  shutdown(grace = 5): Promise<void> {
    this.#shuttingDown = true;
    const done = this.server.shutdown(grace);
    if (this.handler === undefined) for (const remoter of this.server.remoters.values()) remoter.endAfterFlush();
    return done;
  }

  /** Exit context: closes the server and force-closes every handler. */
  override exit(): void {
    try {
      super.exit();
    } finally {
      this.server.close();
      this.#handlers.clear();
      this.#groups.length = 0;
      this.#open = undefined;
      if (this.server.waker === this.#wakeNow) this.server.waker = undefined;
    }
  }

  /**
   * Starts work for a new connection: its handler dog, if there is a handler.
   * @param remoter the new connection
   */
  protected connected(remoter: Remoter): void {
    const handler = this.handler;
    if (handler === undefined) return;
    const group = this.#groupWithRoom();
    const doer = new ConnectionDoer(handler, remoter, this.#reportError, group);
    this.#handlers.add(doer);
    group.extend([doer]);
  }

  /** Reports a handler's error (one function per ServerDoer, shared by its connections). */
  readonly #reportError = (remoter: Remoter, error: unknown): void => this.#report(remoter, error);

  /**
   * Ends work for a removed connection: force-closes its handler.
   * @param remoter the removed connection
   */
  protected disconnected(remoter: Remoter): void {
    const doer = this.#handlers.get(remoter.id);
    if (doer === undefined) return;
    this.#handlers.delete(remoter.id);
    const group = doer.group;
    group.remove([doer]);
    if (this.#open === undefined || this.#open.doers.length >= GROUP_SIZE) this.#open = group;
  }

  /** Between receiving and the handlers: a hook for subclasses that move bytes themselves. */
  protected process(): void {}

  protected override nextTock(): number | undefined {
    const tock = super.nextTock();
    if (tock === undefined || tock === 0) return tock;
    const until = tockUntil(this.server.due, this.tyme);
    return until === undefined ? undefined : Math.min(tock, until);
  }

  /**
   * Finds a group of handlers with room, or adds one. Handlers run in groups
   * (nested DoDoers of at most GROUP_SIZE) so that a pass visits only the
   * groups with a due handler: a DoDoer walks all its children each pass,
   * and 10 000 sleeping handlers in one would cost that on every event.
   */
  #groupWithRoom(): DoDoer {
    const open = this.#open;
    if (open !== undefined && open.doers.length < GROUP_SIZE) return open;
    for (const group of this.#groups) {
      if (group.doers.length < GROUP_SIZE) return (this.#open = group);
    }
    const group = new DoDoer({ always: true });
    this.#groups.push(group);
    this.extend([group]);
    return (this.#open = group);
  }

  #report(remoter: Remoter, error: unknown): void {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const wrapped = new HandlerError(`${this.server.label}: handler for ${remoter.key} failed: ${reason}`, remoter.key, error);
    if (this.errors.length >= this.#maxErrors) this.errors.shift();
    this.errors.push(wrapped);
    if (this.onError !== undefined) this.onError(wrapped);
    else process.stderr.write(`hio: ${wrapped.message}\n${error instanceof Error && error.stack !== undefined ? `${error.stack}\n` : ""}`);
  }
}

/**
 * Runs a Server that echoes every byte back, without a handler dog: each
 * pass copies `rxbs` into `txbs` for the connections that had events, and
 * closes a connection once the peer has half-closed and its echo is sent.
 *
 * @example
 * ```ts
 * const server = new Server({ port: 0 });
 * await new Doist({ doers: [new EchoServerDoer({ server })], real: true }).do();
 * ```
 */
export class EchoServerDoer extends ServerDoer {
  /**
   * Creates the doer.
   * @param options `server`
   */
  constructor(options: Omit<ServerDoerOptions, "handler">) {
    super(options);
  }

  protected override process(): void {
    for (const remoter of this.server.pendingRemoters) {
      const rxbs = remoter.rxbs;
      if (rxbs.length > 0) {
        const txbs = remoter.txbs;
        const regions = rxbs.readRegions();
        let moved = 0;
        for (let index = 0; index < regions.length && txbs.free > 0; index++) {
          const region = regions[index]!;
          const taken = txbs.write(region.length <= txbs.free ? region : region.subarray(0, txbs.free));
          moved += taken;
          if (taken < region.length) break;
        }
        rxbs.consume(moved);
        // txbs is full: come back when sending has made room.
        if (rxbs.length > 0) txbs.spaceSignal.subscribe(remoter.eventWaker);
      }
      if (rxbs.exhausted && remoter.alive) remoter.endAfterFlush();
    }
  }
}

const NO_OPTS: DoOptions = Object.freeze({}) as DoOptions;

/**
 * One connection's handler as a doer: a plain object holding what its dog
 * needs, so a connection costs no closures (a doified generator function per
 * connection cost a function, its closure, a name string and an options copy).
 */
class ConnectionDoer implements DoerLike {
  done: boolean | undefined = undefined;
  readonly tock = 0;
  readonly opts = NO_OPTS;
  readonly #handler: ConnectionHandler;
  readonly #remoter: Remoter;
  readonly #report: (remoter: Remoter, error: unknown) => void;
  /** The handler group it runs in. */
  readonly group: DoDoer;
  /** Its slot in the ServerDoer's table of handlers. */
  tableSlot = -1;

  constructor(handler: ConnectionHandler, remoter: Remoter, report: (remoter: Remoter, error: unknown) => void, group: DoDoer) {
    this.#handler = handler;
    this.#remoter = remoter;
    this.#report = report;
    this.group = group;
  }

  /** Its connection's id (its key in the ServerDoer's table of handlers). */
  get id(): number {
    return this.#remoter.id;
  }

  /** `handler host:port`, for messages (built only when asked). */
  get name(): string {
    return `handler ${this.#remoter.key}`;
  }

  do(): Dog {
    return serve(this.#handler, this.#remoter, this.#report);
  }
}

/**
 * Runs a connection's handler: its end flushes and half-closes the
 * connection, a clean end of stream too; another error closes it and is
 * reported; a force-close (the peer went away, the server stops) closes it.
 */
function* serve(handler: ConnectionHandler, remoter: Remoter, report: (remoter: Remoter, error: unknown) => void): Dog {
  let ended = false;
  try {
    yield* handler(remoter);
    ended = true;
    remoter.endAfterFlush();
  } catch (error) {
    ended = true;
    if (isCleanEnd(error)) remoter.endAfterFlush();
    else {
      remoter.close();
      report(remoter, error);
    }
  } finally {
    if (!ended) remoter.close(); // force-closed: the peer went away or the server stops
  }
  return true;
}

/** Most handlers in one group (see ServerDoer's `#groupWithRoom`). */
const GROUP_SIZE = 128;

function isCleanEnd(error: unknown): boolean {
  return error instanceof EndOfStreamError && error.partial.length === 0;
}
