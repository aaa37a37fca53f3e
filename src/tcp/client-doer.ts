/**
 * ClientDoer: services a Client inside a Doist, optionally with a handler.
 *
 * @module
 */
import { DoDoer, doify, type DoerOptions, type Operation, type Tymth } from "../core/index.js";
import { EndOfStreamError } from "../io/errors.js";
import { tockUntil } from "../io/handle.js";
import type { Client } from "./client.js";
import { TlsError } from "./errors.js";

/** A client's protocol code: a generator function that reads `client.rxbs` and writes `client.txbs`. */
export type ClientHandler = (client: Client) => Operation<unknown>;

/** Options of {@link ClientDoer}. */
export interface ClientDoerOptions extends DoerOptions {
  /** The client to service; opened in enter if it is closed. */
  client: Client;
  /**
   * Protocol code run once as this doer's child; the doer is done when it
   * returns and what it wrote has been sent (like SerialDoer and PeerDoer).
   * Without it the doer services the client until it is removed or its
   * Doist stops.
   */
  handler?: ClientHandler;
}

/**
 * Services a {@link Client}: opens it in enter, then each time it runs
 * connects or reconnects (per `reconnectable` and `tymeout`), moves received
 * bytes into `rxbs` and sends `txbs`. It sleeps until a socket event or a
 * retry is due (`client.due`, through `tockUntil`) instead of running every
 * tick, and closes the client in exit.
 *
 * With a `handler`, the handler runs as its child and the doer is done once
 * the handler has returned and `txbs` is sent (or can no longer be). A
 * handler that fails because the stream ended while the client holds a TLS
 * error (e.g. a client certificate refused after a TLS 1.3 handshake) fails
 * with that TlsError, not with the EndOfStreamError.
 *
 * A connect failure of a client that is not reconnectable does not stop the
 * Doist: the client is `closed` with `error` set, and `waitConnected()`
 * throws it to the protocol dog that waits.
 *
 * @example
 * ```ts
 * const client = new Client({ port: 7000 });
 * const doer = new ClientDoer({
 *   client,
 *   handler: function* (client) {
 *     yield* client.waitConnected({ timeout: 5 });
 *     yield* writeAll(client.txbs, encodeUtf8("ping\n"));
 *     console.log(decodeUtf8(yield* readLine(client.rxbs)));
 *   },
 * });
 * await new Doist({ doers: [doer], real: true }).do(); // ends after the reply
 * ```
 */
export class ClientDoer extends DoDoer {
  /** The client it services. */
  readonly client: Client;
  readonly #handled: boolean;

  /**
   * Creates the doer.
   * @param options `client`, `handler`, `tock`
   * @throws TypeError when `client` is missing or `handler` is not a function
   */
  constructor(options: ClientDoerOptions) {
    if (options?.client === undefined) throw new TypeError("client must be a Client, got undefined");
    const { client, handler, ...rest } = options;
    if (handler !== undefined && typeof handler !== "function") throw new TypeError(`handler must be a generator function, got ${typeof handler}`);
    const doers =
      handler === undefined
        ? []
        : [
            doify(
              function* clientHandler() {
                try {
                  yield* handler(client);
                } catch (error) {
                  if (error instanceof EndOfStreamError && client.error instanceof TlsError) throw client.error;
                  throw error;
                }
                return true;
              },
              { name: `${client.label} handler` },
            ),
          ];
    super({ ...rest, doers });
    this.client = client;
    this.#handled = handler !== undefined;
  }

  /**
   * Winds this doer and its client onto a tyme base.
   * @param tymth the tyme base
   */
  override wind(tymth: Tymth): void {
    super.wind(tymth);
    this.client?.wind(tymth);
  }

  /** Enter context: winds the client, makes it wake this doer, opens it, enters the handler. */
  override enter(): void {
    const client = this.client;
    if (this.tymth !== undefined) client.wind(this.tymth);
    client.waker = this;
    if (client.state === "closed") void client.open();
    super.enter();
  }

  /**
   * Recur context: one service of the client, then the handler if it is due.
   * @param tyme the current tyme
   * @returns with a handler: true once it returned and `txbs` is sent (or
   *   cannot be); without: false, it runs until removed
   */
  override recur(tyme: number): boolean {
    const client = this.client;
    client.service();
    if (!this.#handled) return false;
    const finished = super.recur(tyme);
    if (!finished) return false;
    // The handler's last words must leave before exit closes the client.
    if (client.txbs.isEmpty || !client.connected) return true;
    client.txbs.spaceSignal.subscribe(this);
    return false;
  }

  /** Exit context: force-closes the handler, then closes the client. */
  override exit(): void {
    try {
      super.exit();
    } finally {
      this.client.close();
      if (this.client.waker === this) this.client.waker = undefined;
    }
  }

  protected override nextTock(): number | undefined {
    if (this.tock > 0) return this.tock;
    const until = tockUntil(this.client.due, this.tyme);
    if (!this.#handled) return until;
    const tock = super.nextTock();
    if (tock === undefined || until === undefined) return undefined;
    return Math.min(tock, until);
  }
}
