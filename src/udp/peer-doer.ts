/**
 * PeerDoer: runs a Peer (and optionally a protocol handler) under a Doist,
 * after hio's `udping.PeerDoer`.
 *
 * @module
 */
import { DoDoer, Doer, doify, type DoDoerOptions, type Doable, type DoGeneratorFunction, type Operation, type RecurDog } from "../core/index.js";
import { tockUntil } from "../io/handle.js";
import { UdpHandlerError } from "./errors.js";
import { memoerOf, type Memoer } from "./memoer.js";
import type { Peer } from "./peer.js";

/**
 * A protocol handler: a generator that consumes the peer's datagrams with
 * `yield*` (`readDatagram`, `readMemo`, ...) and sends with `peer.send` or
 * `writeDatagram`. It yields tocks like any dog and is sent the tyme.
 */
export type PeerHandler = (peer: Peer) => Operation<unknown>;

/** Options of {@link PeerDoer}. */
export interface PeerDoerOptions extends Omit<DoDoerOptions, "doers" | "always"> {
  /** The peer to run; the PeerDoer opens it (unless already open) and closes it on exit. */
  peer: Peer;
  /** Protocol code run next to the peer; when it returns, the PeerDoer is done. */
  handler?: PeerHandler;
  /** Service this Memoer too: drain the peer into memos and expire stale ones on time. */
  memoer?: Memoer;
  /**
   * Called with a {@link UdpHandlerError} when the handler throws (the PeerDoer
   * then ends and closes the peer). Without it the error, naming the peer, and
   * the handler's stack are printed to stderr. Must not throw.
   */
  onError?: (error: UdpHandlerError) => void;
}

/**
 * Runs a {@link Peer}: opens it in enter, services it whenever there is
 * something to do, and closes it in exit, on every path. It is a DoDoer with
 * up to two children, in this order:
 *
 * 1. the `handler`, if given, as its own dog, so it sleeps on the peer's
 *    signals (or its own tocks) exactly as written;
 * 2. the service doer, which sets itself as `peer.waker`, sends what is
 *    queued, services the `memoer`, and otherwise sleeps (`WAIT`, or until the
 *    memoer's next expiry) until the peer wakes it. Running after the handler,
 *    it flushes the handler's sends in the same pass.
 *
 * It is done when the handler returns (once what the handler queued has been
 * handed to the socket), or (without a handler) when the peer is closed by
 * someone else. A handler that throws ends it too: the error is reported as a
 * {@link UdpHandlerError} to `onError`, or printed to stderr without one, and
 * kept in `error`. A failed open makes it throw the
 * {@link UdpOpenError} (the Doist's `do()` rejects with it).
 *
 * @example
 * ```ts
 * const peer = new Peer({ host: "127.0.0.1", port: 7000 });
 * const echo = new PeerDoer({ peer, handler: function* (peer) {
 *   for (;;) {
 *     const { data, from } = yield* readDatagram(peer);
 *     yield* writeDatagram(peer, data, from);
 *   }
 * } });
 * await new Doist({ doers: [echo], real: true }).do();
 * ```
 */
export class PeerDoer extends DoDoer {
  /** The peer it runs. */
  readonly peer: Peer;
  /** The Memoer it services, if any. */
  readonly memoer: Memoer | undefined;
  /** Called when the handler throws; default: print to stderr. */
  onError: ((error: UdpHandlerError) => void) | undefined;
  /** What the handler threw (wrapped), if it did. */
  error: UdpHandlerError | undefined;
  readonly #handler: Doable | undefined;

  /**
   * @param options `peer`, `handler`, `memoer`, and DoDoer's `tock`, `tymth`, `opts`
   * @throws TypeError when `peer` is not a Peer, `handler` is not a generator function, or `memoer` is over another peer
   */
  constructor(options: PeerDoerOptions) {
    const peer = options?.peer;
    if (typeof peer !== "object" || peer === null || typeof peer.service !== "function") throw new TypeError("peer must be a Peer");
    const handler = options.handler;
    if (handler !== undefined && typeof handler !== "function") throw new TypeError(`handler must be a generator function, got ${typeof handler}`);
    if (options.memoer !== undefined && options.memoer.peer !== peer) throw new TypeError("memoer must be a Memoer over the same peer");
    // A Memoer over this peer needs servicing (pacing, expiry) even when not passed here.
    const memoer = options.memoer ?? memoerOf(peer);
    const service = new PeerServiceDoer(peer, memoer);
    if (options.onError !== undefined && typeof options.onError !== "function") throw new TypeError(`onError must be a function, got ${typeof options.onError}`);
    const report = (error: unknown): void => this.#report(handler!, error);
    const handlerDoer = handler === undefined ? undefined : doify(runHandler(peer, handler, report), { name: handler.name || "peerHandler" });
    const { peer: _peer, handler: _handler, memoer: _memoer, onError, ...rest } = options;
    super({ ...rest, doers: handlerDoer === undefined ? [service] : [handlerDoer, service] });
    this.peer = peer;
    this.memoer = memoer;
    this.onError = onError;
    this.error = undefined;
    this.#handler = handlerDoer;
  }

  #report(handler: PeerHandler, thrown: unknown): void {
    const reason = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
    const error = new UdpHandlerError(`${this.peer.label}: handler ${handler.name || "(anonymous)"} failed: ${reason}`, { cause: thrown });
    this.error = error;
    if (this.onError !== undefined) {
      this.onError(error);
      return;
    }
    const stack = thrown instanceof Error && thrown.stack !== undefined ? thrown.stack : reason;
    process.stderr.write(`hio-ts: ${error.message}\n${stack}\n`);
  }

  /** Enter context: opens the peer (binding completes later; see `Peer.open`), then enters the children. */
  override enter(): void {
    const peer = this.peer;
    // A failed open is rethrown by peer.service() in the service doer, so the
    // promise's rejection is handled there, not here.
    if (peer.closed) peer.open().catch(ignore);
    super.enter();
  }

  /**
   * Recur context: one pass over the handler and the service doer.
   * @param tyme the current tyme
   * @returns true when no child is left, or when the handler returned and
   *   everything it queued was handed to the socket
   */
  override recur(tyme: number): boolean {
    if (super.recur(tyme)) return true;
    if (this.#handler?.done !== true) return false;
    // What the handler sent last must not die in the queue: wait for the bind
    // and the service doer's flush (close() then lets in-flight sends finish).
    const peer = this.peer;
    return !(peer.opening || (peer.opened && (peer.unsentLength > 0 || (this.memoer !== undefined && this.memoer.queuedBytes > 0))));
  }

  /** Exit context: closes the children, then the peer. */
  override exit(): void {
    try {
      super.exit();
    } finally {
      this.peer.close();
    }
  }
}

/** Services a Peer (and a Memoer) only when woken or when a memo may expire. Internal to PeerDoer. */
class PeerServiceDoer extends Doer {
  readonly #peer: Peer;
  readonly #memoer: Memoer | undefined;

  constructor(peer: Peer, memoer: Memoer | undefined) {
    super();
    this.#peer = peer;
    this.#memoer = memoer;
  }

  override enter(): void {
    this.#peer.waker = this;
  }

  override *recur(): RecurDog {
    const peer = this.#peer;
    const memoer = this.#memoer;
    let tyme = yield 0; // end of enter: due at once
    for (;;) {
      peer.service();
      if (peer.closed) return true;
      if (memoer === undefined) {
        tyme = yield tockUntil(peer.due, tyme) ?? 0; // WAIT: nothing to do until the peer wakes us
        continue;
      }
      memoer.service(tyme);
      if (peer.unsentLength > 0) peer.service(); // grams the memoer paced out just now
      tyme = yield tockUntil(Math.min(peer.due, memoer.nextDeadline), tyme) ?? 0;
    }
  }

  override exit(): void {
    if (this.#peer.waker === this) this.#peer.waker = undefined;
  }
}

function runHandler(peer: Peer, handler: PeerHandler, report: (error: unknown) => void): DoGeneratorFunction {
  return function* peerHandler() {
    yield 0; // end of enter: the handler starts in the first pass, after the peer began opening
    try {
      yield* handler(peer);
    } catch (error) {
      if (error === peer.error) throw error; // the peer's failed open, not the handler's fault: do() rejects with it
      report(error);
    }
    return true;
  };
}

function ignore(): void {}
