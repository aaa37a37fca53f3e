/**
 * ClientDoer: services a Client inside a Doist.
 *
 * @module
 */
import { Doer, WAIT, type DoerOptions } from "../core/index.js";
import type { Client } from "./client.js";

/** Options of {@link ClientDoer}. */
export interface ClientDoerOptions extends DoerOptions {
  /** The client to service; opened in enter if it is closed. */
  client: Client;
}

/**
 * Services a {@link Client}: opens it in enter, then each time it runs
 * connects or reconnects (per `reconnectable` and `tymeout`), moves received
 * bytes into `rxbs` and sends `txbs`. It sleeps until a socket event or a
 * retry is due instead of running every tick, and closes the client in exit.
 *
 * A connect failure of a client that is not reconnectable does not stop the
 * Doist: the client is `closed` with `error` set, and `waitConnected()`
 * throws it to the protocol dog that waits.
 *
 * @example
 * ```ts
 * const client = new Client({ port: 7000, reconnectable: true, tymeout: 0.5 });
 * await new Doist({ doers: [new ClientDoer({ client }), protocol], real: true }).do();
 * ```
 */
export class ClientDoer extends Doer {
  /** The client it services. */
  readonly client: Client;

  /**
   * Creates the doer.
   * @param options `client`, `tock`
   * @throws TypeError when `client` is missing
   */
  constructor(options: ClientDoerOptions) {
    super(options);
    if (options?.client === undefined) throw new TypeError("client must be a Client, got undefined");
    this.client = options.client;
  }

  /** Enter context: winds the client, makes it wake this doer, and opens it. */
  override enter(): void {
    const client = this.client;
    if (this.tymth !== undefined) client.wind(this.tymth);
    client.waker = this;
    if (client.state === "closed") client.open();
  }

  /**
   * Recur context: one service of the client.
   * @param tyme the current tyme
   * @returns false: it runs until removed
   */
  override recur(tyme: number): boolean {
    void tyme;
    this.client.service();
    return false;
  }

  /** Exit context: closes the client. */
  override exit(): void {
    this.client.close();
    if (this.client.waker === this) this.client.waker = undefined;
  }

  protected override nextTock(): number | undefined {
    if (this.tock > 0) return this.tock;
    const deadline = this.client.nextDeadline;
    if (deadline === WAIT) return WAIT;
    const wait = deadline - (this.tyme ?? 0);
    return wait > 0 ? wait : undefined;
  }
}
