/**
 * Connection setup of simulated streams: SYN, SYN-ACK or refusal, SYN
 * retries with backoff, and the connect timeout. Internal to src/sim.
 *
 * @module
 */
import type { SimEvent } from "./event-queue.js";
import { SimConnectionRefusedError, SimTimeoutError } from "./errors.js";
import type { SimHost } from "./host.js";
import type { SimKernel } from "./kernel.js";
import type { Parcel, SimPath } from "./path.js";
import { SimStream } from "./stream.js";

/** The first SYN retry waits this long, then twice as long each time (as Linux does). */
const SYN_RETRY = 1;

/** A SYN in flight. */
class Syn implements SimEvent, Parcel {
  at = 0;
  seq = 0;
  constructor(readonly handshake: Handshake) {}
  fire(at: number): void {
    this.handshake.up.land(this, at);
  }
  arrive(): void {
    this.handshake.synArrived();
  }
  cutOff(): void {}
}

/** A SYN-ACK, or a refusal, on its way back. */
class Answer implements SimEvent, Parcel {
  at = 0;
  seq = 0;
  constructor(
    readonly handshake: Handshake,
    readonly refused: boolean,
  ) {}
  fire(at: number): void {
    this.handshake.down.land(this, at);
  }
  arrive(): void {
    if (this.refused) this.handshake.refusedArrived();
    else this.handshake.answerArrived();
  }
  cutOff(): void {}
}

/** The SYN retry timer. */
class Retry implements SimEvent {
  at = 0;
  seq = 0;
  constructor(readonly handshake: Handshake) {}
  fire(): void {
    this.handshake.retry();
  }
}

/** One connect in progress. */
export class Handshake {
  /** Client host → server host. */
  readonly up: SimPath;
  /** Server host → client host. */
  readonly down: SimPath;
  readonly #kernel: SimKernel;
  readonly #client: SimStream;
  readonly #server: SimHost;
  readonly #port: number;
  readonly #timeout: number;
  readonly #started: number;
  #tries = 0;
  #accepted: SimStream | undefined;
  #established = false;

  /**
   * Starts connecting `client` to `server:port`.
   * @param kernel the net
   * @param client the connecting stream
   * @param server the host it connects to
   * @param port the port
   * @param timeout seconds before `ETIMEDOUT`
   */
  constructor(kernel: SimKernel, client: SimStream, server: SimHost, port: number, timeout: number) {
    this.#kernel = kernel;
    this.#client = client;
    this.#server = server;
    this.#port = port;
    this.#timeout = timeout;
    this.#started = kernel.now();
    this.up = kernel.path(client.host, server);
    this.down = kernel.path(server, client.host);
    this.#sendSyn();
  }

  /** A SYN reached the server host. */
  synArrived(): void {
    const client = this.#client;
    if (this.#accepted !== undefined) {
      this.#answer(false); // our SYN-ACK was lost; the client asked again
      return;
    }
    const listener = this.#server.listener(this.#port);
    if (listener === undefined) {
      if (this.#kernel.tracing) this.#kernel.trace("refuse", client.label);
      this.#answer(true);
      return;
    }
    const server = new SimStream(this.#kernel, this.#server, {
      localPort: this.#port,
      remoteAddress: client.localAddress,
      remotePort: client.localPort,
      state: "open",
    });
    SimStream.pair(this.#kernel, client, server, this.up, this.down);
    if (!listener.offer(server)) return; // backlog full: drop the SYN, the client retries
    this.#accepted = server;
    this.#kernel.stats.connections++;
    if (this.#kernel.tracing) this.#kernel.trace("accept", server.label);
    this.#answer(false);
  }

  /** The SYN-ACK reached the client. */
  answerArrived(): void {
    const client = this.#client;
    if (client.connecting) {
      this.#established = true;
      if (this.#kernel.tracing) this.#kernel.trace("connect", client.label);
      client.established();
    } else if (!this.#established && this.#accepted !== undefined) {
      this.#accepted.reset(); // the client gave up before the answer came
    }
  }

  /** The refusal reached the client. */
  refusedArrived(): void {
    if (this.#client.connecting) this.#client.fail(new SimConnectionRefusedError(`${this.#server.address}:${this.#port}`));
  }

  /** The retry timer fired. */
  retry(): void {
    if (!this.#client.connecting) return;
    if (this.#kernel.now() - this.#started >= this.#timeout) {
      this.#client.fail(new SimTimeoutError(`${this.#server.address}:${this.#port}`, "connect"));
      return;
    }
    this.#sendSyn();
  }

  #sendSyn(): void {
    const kernel = this.#kernel;
    const at = this.up.arrival(0);
    if (!this.up.random.chance(this.up.conditions.loss)) kernel.schedule(new Syn(this), at);
    const wait = Math.min(SYN_RETRY * 2 ** this.#tries, Math.max(this.#timeout - (kernel.now() - this.#started), 0));
    this.#tries++;
    kernel.schedule(new Retry(this), kernel.now() + wait);
  }

  #answer(refused: boolean): void {
    const at = this.down.arrival(0);
    if (!this.down.random.chance(this.down.conditions.loss)) this.#kernel.schedule(new Answer(this, refused), at);
  }
}
