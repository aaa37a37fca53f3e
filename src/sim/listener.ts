/**
 * A simulated listening socket.
 *
 * @module
 */
import { Signal } from "../core/index.js";
import type { SimHost } from "./host.js";
import type { SimStream } from "./stream.js";

/** Lifecycle of a listener. */
export type SimListenerState = "listening" | "closed";

/** Callbacks a listener makes from the net's tick. */
export interface SimListenerObserver {
  /** A connection completed and waits in the accept queue. */
  connection?(listener: SimListener): void;
}

/**
 * Listens on a host's port. Connections complete in the net and wait in the
 * accept queue (at most `backlog`; SYNs beyond that are dropped and retried
 * by the client, as a real kernel does) until `accept()` takes them.
 *
 * @example
 * ```ts
 * const listener = server.listen({ port: 7 });
 * // in a doer:
 * for (let stream = listener.accept(); stream; stream = listener.accept()) serve(stream);
 * ```
 */
export class SimListener {
  /** The host it listens on. */
  readonly host: SimHost;
  /** The address it listens on (the host's). */
  readonly address: string;
  /** The port it listens on. */
  readonly port: number;
  /** Most connections that wait to be accepted. */
  readonly backlog: number;
  /** Notified when a connection waits or the listener closes. */
  readonly changed = new Signal();
  /** Receives the listener's events. */
  observer: SimListenerObserver | undefined;
  readonly #queue: SimStream[] = [];
  readonly #release: () => void;
  #state: SimListenerState = "listening";

  /**
   * Made by `host.listen`; not by applications.
   * @param host the host
   * @param port the port
   * @param backlog most connections waiting
   * @param release frees the port when it closes
   */
  constructor(host: SimHost, port: number, backlog: number, release: () => void) {
    this.host = host;
    this.address = host.address;
    this.port = port;
    this.backlog = backlog;
    this.#release = release;
  }

  /** Lifecycle state. */
  get state(): SimListenerState {
    return this.#state;
  }

  /** Still listening. */
  get listening(): boolean {
    return this.#state === "listening";
  }

  /** Connections waiting to be accepted. */
  get pending(): number {
    return this.#queue.length;
  }

  /**
   * Takes the next completed connection.
   * @returns it, or undefined when none waits
   */
  accept(): SimStream | undefined {
    return this.#queue.shift();
  }

  /**
   * Queues a new connection, if there is room. Internal: the handshake calls it.
   * @param stream the server end
   * @returns false when the backlog is full or the listener closed
   */
  offer(stream: SimStream): boolean {
    if (this.#state !== "listening" || this.#queue.length >= this.backlog) return false;
    this.#queue.push(stream);
    this.observer?.connection?.(this);
    this.changed.notify();
    return true;
  }

  /** Stops listening and resets the connections nobody accepted. Safe to call twice. */
  close(): void {
    if (this.#state === "closed") return;
    this.#state = "closed";
    this.#release();
    for (const stream of this.#queue.splice(0)) stream.reset();
    this.changed.notify();
  }
}
