/**
 * A simulated TCP-like stream endpoint.
 *
 * @module
 */
import { Signal } from "../core/index.js";
import { RingBuffer } from "../io/index.js";
import { Channel, type StreamEvent } from "./channel.js";
import { SimConnectionResetError, SimNetworkError, SimTimeoutError } from "./errors.js";
import type { SimEvent } from "./event-queue.js";
import type { SimHost } from "./host.js";
import type { SimKernel } from "./kernel.js";
import type { SimPath } from "./path.js";

/** Lifecycle of a simulated stream. */
export type SimStreamState = "connecting" | "open" | "closed";

/**
 * Callbacks a stream makes from the net's tick, in a fixed order. Driver
 * adapters use them to raise the events their transport expects.
 */
export interface SimStreamObserver {
  /** The connect completed. */
  connect?(stream: SimStream): void;
  /** New bytes can be read. */
  data?(stream: SimStream): void;
  /** The peer finished sending; the bytes before its FIN are all readable. */
  end?(stream: SimStream): void;
  /** Room freed up in the send buffer after a `write` took less than it was given. */
  drain?(stream: SimStream): void;
  /** The stream closed: `error` is undefined for a clean close or a local reset. */
  close?(stream: SimStream, error: SimNetworkError | undefined): void;
}

/** What the host passes when it makes a stream. Internal. */
export interface SimStreamInit {
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  state: SimStreamState;
  /** Called once when the stream closes (frees an ephemeral port). */
  release?: () => void;
}

/**
 * One end of a simulated stream connection. Bytes written are segmented and
 * carried over the link's conditions; they arrive complete and in order
 * (loss only delays them), or the stream fails with a typed error.
 *
 * Back pressure is end to end: `write` takes at most the free space of the
 * send buffer, which drains only as fast as the receiver's window (the free
 * space of its receive buffer) allows.
 *
 * `changed` is notified on every event, so a doer can `yield* waitFor(stream.changed)`.
 *
 * @example
 * ```ts
 * const stream = client.connect({ host: "server", port: 7 });
 * // ... in a doer, once stream.open:
 * stream.write(new TextEncoder().encode("hello\n"));
 * ```
 */
export class SimStream {
  /** The host it belongs to. */
  readonly host: SimHost;
  /** Local address. */
  readonly localAddress: string;
  /** Local port. */
  readonly localPort: number;
  /** Remote address. */
  readonly remoteAddress: string;
  /** Remote port. */
  readonly remotePort: number;
  /** `local>remote`, as recorded on the wire log. */
  readonly label: string;
  /** Notified on every event (connect, data, end, drain, close). */
  readonly changed = new Signal();
  /** Receives the stream's events. */
  observer: SimStreamObserver | undefined;
  readonly #kernel: SimKernel;
  readonly #receive: RingBuffer;
  readonly #send: RingBuffer;
  #state: SimStreamState;
  #error: SimNetworkError | undefined;
  #out: Channel | undefined;
  #in: Channel | undefined;
  #ending = false;
  #remoteEnded = false;
  #full = false;
  #writing = false;
  #drainScheduled = false;
  #release: (() => void) | undefined;
  /** Tells a writer whose `write` came up short that room is back, from the net's tick. */
  readonly #drainSoon: SimEvent = {
    at: 0,
    seq: 0,
    fire: () => {
      this.#drainScheduled = false;
      this.netEvent("drain");
    },
  };

  /**
   * Made by a host (`host.connect`) or a listener; not by applications.
   * @param kernel the net
   * @param host the host it belongs to
   * @param init ports, remote address and initial state
   * @internal
   */
  constructor(kernel: SimKernel, host: SimHost, init: SimStreamInit) {
    this.#kernel = kernel;
    this.host = host;
    this.localAddress = host.address;
    this.localPort = init.localPort;
    this.remoteAddress = init.remoteAddress;
    this.remotePort = init.remotePort;
    this.label = `${this.localAddress}:${this.localPort}>${this.remoteAddress}:${this.remotePort}`;
    this.#state = init.state;
    this.#release = init.release;
    const settings = kernel.settings;
    this.#receive = new RingBuffer({ capacity: settings.receiveBufferSize, name: `sim stream ${this.label} receive` });
    this.#send = new RingBuffer({ capacity: settings.sendBufferSize, name: `sim stream ${this.label} send` });
  }

  /**
   * Joins a client and a server stream with a channel each way. Internal: the handshake calls it.
   * @param kernel the net
   * @param client the connecting end
   * @param server the accepted end
   * @param up client host → server host
   * @param down server host → client host
   * @internal
   */
  static pair(kernel: SimKernel, client: SimStream, server: SimStream, up: SimPath, down: SimPath): void {
    client.#out = server.#in = new Channel(kernel, client, client.#send, server, server.#receive, up, down);
    server.#out = client.#in = new Channel(kernel, server, server.#send, client, client.#receive, down, up);
  }

  /** Lifecycle state. */
  get state(): SimStreamState {
    return this.#state;
  }

  /** The connect has not completed yet. */
  get connecting(): boolean {
    return this.#state === "connecting";
  }

  /** Connected and not closed. */
  get open(): boolean {
    return this.#state === "open";
  }

  /** Closed (by either side, cleanly or not). */
  get closed(): boolean {
    return this.#state === "closed";
  }

  /** Why it closed, when it failed (refused, reset, timed out). */
  get error(): SimNetworkError | undefined {
    return this.#error;
  }

  /** The peer sent its FIN: after the readable bytes, nothing more will come. */
  get remoteEnded(): boolean {
    return this.#remoteEnded;
  }

  /** `end()` or `close()` was called: nothing more may be written. */
  get ending(): boolean {
    return this.#ending;
  }

  /** Bytes waiting to be read. */
  get readableLength(): number {
    return this.#receive.length;
  }

  /** Bytes written and not yet delivered to the peer (buffered or in flight). */
  get writableLength(): number {
    return this.#send.length + (this.#out?.inFlight ?? 0);
  }

  /** Bytes `write` would take now. */
  get writableFree(): number {
    return this.#send.free;
  }

  /** Whether it still takes incoming data. Used by the net. */
  get accepting(): boolean {
    return this.#state !== "closed";
  }

  /**
   * Takes up to `max` received bytes (in order). Reading opens the window,
   * so a sender stalled on it resumes after one trip back.
   * @param max most bytes to take (default: all)
   * @returns the bytes, possibly none
   */
  read(max = Number.POSITIVE_INFINITY): Uint8Array {
    const bytes = this.#receive.read(Math.min(max, this.#receive.length));
    if (bytes.length > 0) this.#in?.windowOpened();
    return bytes;
  }

  /**
   * Queues bytes to send; they go out now if the window allows. While
   * connecting, they wait for the connection.
   * @param bytes what to send (copied)
   * @returns how many it took: less than given when the send buffer is full
   * @throws SimNetworkError (`EPIPE`) after `end()` or `close()`
   */
  write(bytes: Uint8Array): number {
    if (this.#ending || this.#state === "closed") {
      throw new SimNetworkError("EPIPE", `write on sim stream ${this.label} after ${this.#state === "closed" ? "close" : "end"}`);
    }
    const count = this.#send.write(bytes);
    if (this.#state === "open") {
      // No drain from inside the caller's own write: it learns from the count.
      this.#writing = true;
      try {
        this.#out?.pump();
      } finally {
        this.#writing = false;
      }
    }
    if (count < bytes.length) {
      this.#full = true;
      if (this.#send.free > 0 && !this.#drainScheduled) {
        // The pump already made room: say so on the next turn of the net.
        this.#drainScheduled = true;
        this.#kernel.schedule(this.#drainSoon, this.#kernel.now());
      }
    }
    return count;
  }

  /** Half-closes: sends a FIN after the bytes already written; reading goes on. */
  end(): void {
    if (this.#ending || this.#state === "closed") return;
    this.#ending = true;
    if (this.#state === "open") {
      this.#out?.finish();
      this.#closeIfDone();
    }
  }

  /**
   * Closes like closing a socket: a FIN after the bytes already written, or a
   * reset when received bytes were left unread. Bytes that arrive after it
   * make the peer's stream fail with `ECONNRESET`. Safe to call twice.
   */
  close(): void {
    if (this.#state === "closed") return;
    if (this.#state === "open") {
      if (this.#receive.length > 0) {
        this.#out?.reset();
        this.#send.clear();
      } else if (!this.#ending) {
        this.#ending = true;
        this.#out?.finish();
      }
    }
    this.#ending = true;
    this.#finish(undefined);
  }

  /** Aborts: sends a reset, drops what is buffered both ways. Safe to call twice. */
  reset(): void {
    if (this.#state === "closed") return;
    this.#out?.reset();
    this.#in?.kill();
    this.#receive.clear();
    this.#send.clear();
    this.#ending = true;
    this.#finish(undefined);
  }

  /**
   * The handshake completed: the stream opens and sends what was written meanwhile. Internal.
   */
  established(): void {
    if (this.#state !== "connecting") return;
    this.#state = "open";
    this.observer?.connect?.(this);
    this.changed.notify();
    if (this.#state !== "open") return; // the observer closed it
    if (this.#ending) this.#out?.finish();
    else this.#out?.pump();
  }

  /**
   * The stream failed (refused, reset, timed out). Internal.
   * @param error why
   */
  fail(error: SimNetworkError): void {
    if (this.#state === "closed") return;
    this.#out?.kill();
    this.#in?.kill();
    this.#receive.clear();
    this.#send.clear();
    this.#error = error;
    this.#ending = true;
    this.#finish(error);
  }

  /**
   * Something happened on a channel. Called by the net only.
   * @param kind what happened
   * @internal
   */
  netEvent(kind: StreamEvent): void {
    switch (kind) {
      case "data":
        this.observer?.data?.(this);
        this.changed.notify();
        return;
      case "end":
        this.#remoteEnded = true;
        this.observer?.end?.(this);
        this.changed.notify();
        this.#closeIfDone();
        return;
      case "drain":
        this.#closeIfDone();
        if (this.#full && !this.#writing && this.#state !== "closed") {
          this.#full = false;
          this.observer?.drain?.(this);
          this.changed.notify();
        }
        return;
      case "reset":
        if (this.#state === "closed") this.#out?.kill();
        else this.fail(new SimConnectionResetError(this.label));
        return;
      case "timeout":
        this.fail(new SimTimeoutError(`${this.remoteAddress}:${this.remotePort}`, `retransmission on ${this.label}`));
        return;
      case "refused-data":
        this.#out?.reset();
        return;
    }
  }

  #closeIfDone(): void {
    if (this.#state === "open" && this.#remoteEnded && this.#ending && this.#out?.finSent === true) this.#finish(undefined);
  }

  #finish(error: SimNetworkError | undefined): void {
    this.#state = "closed";
    const release = this.#release;
    this.#release = undefined;
    release?.();
    if (this.#kernel.tracing) this.#kernel.trace("close", `${this.label}${error === undefined ? "" : ` ${error.code}`}`);
    this.observer?.close?.(this, error);
    this.changed.notify();
  }
}
