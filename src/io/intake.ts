/**
 * Intake: "take what fits, hold the rest, pause the source", once for every
 * handle that moves chunks from an event source into an `rxbs`.
 *
 * @module
 */
import type { Waker } from "../core/index.js";
import type { RingBuffer } from "./ring-buffer.js";

/** What an {@link Intake} tells to stop and go on: a stream, a socket, a pump. */
export interface IntakeSource {
  /** Stops delivering chunks: a chunk did not fit. */
  pause(): void;
  /** Delivers chunks again: every held byte is in the ring. */
  resume(): void;
}

/** Options of {@link Intake}. */
export interface IntakeOptions {
  /** Told to pause when a chunk does not fit, and to resume once the held bytes are in. */
  source?: IntakeSource | undefined;
  /**
   * Copy the tail it holds: the source reuses its buffer for the next chunk
   * (a scratch read buffer). Default false: the chunk is stable (a Node
   * stream's `Buffer`), and the tail is held as a view of it.
   */
  copy?: boolean | undefined;
  /**
   * The source's chunks are fresh arrays that it never changes or reads
   * again once delivered (a Node socket's `data` Buffers): a chunk that
   * arrives while the ring is empty is handed to it whole (`ring.adopt`), so
   * a reader that takes it all gets that array with no copy. Only with the
   * default `feed`, and not for a chunk offered with `copy`. Default false.
   */
  adopt?: boolean | undefined;
  /**
   * Moves bytes into the ring and returns how many it took; default
   * `ring.write`. A line editor that turns keystrokes into lines plugs in here.
   */
  feed?: ((bytes: Uint8Array, ring: RingBuffer) => number) | undefined;
  /**
   * Wait for the next microtask before moving held bytes in once room frees
   * up. Room frees up inside a reader's `consume()`; a consumer that must not
   * see the ring grow under it asks for this. Default false (at once).
   */
  defer?: boolean | undefined;
  /** Called after held bytes went in once room freed up (to wake the consumer). */
  delivered?: (() => void) | undefined;
  /**
   * Who to wake when room frees up, instead of moving the held bytes in at
   * once: a handle whose `service()` calls {@link Intake.flush} (so the move
   * happens in its Doer's pass). Default: move them at once (or, with
   * `defer`, in a microtask).
   */
  wake?: Waker | undefined;
}

const EMPTY = new Uint8Array(0);
const writeToRing = (bytes: Uint8Array, ring: RingBuffer): number => ring.write(bytes);

/**
 * Moves chunks from a source into a ring without ever dropping a byte: it
 * offers each chunk to the ring, holds the tail that does not fit, pauses the
 * source, and, when the ring's `spaceSignal` says a reader made room, moves
 * the held tail in and resumes the source. An end of input marked with
 * {@link Intake.end} ends the ring only once the held tail is in.
 *
 * The only bytes it drops are those offered after the ring was ended (the
 * consumer closed and no longer wants them).
 *
 * @example
 * ```ts
 * const intake = new Intake(rxbs, { source: socket });
 * socket.on("data", (chunk) => intake.offer(chunk));
 * socket.on("end", () => intake.end());
 * ```
 */
export class Intake {
  /** The ring it fills. */
  readonly ring: RingBuffer;
  readonly #source: IntakeSource | undefined;
  readonly #copy: boolean;
  readonly #adopt: boolean;
  readonly #feed: (bytes: Uint8Array, ring: RingBuffer) => number;
  readonly #defer: boolean;
  readonly #delivered: (() => void) | undefined;
  readonly #room: Waker;
  #held: Uint8Array = EMPTY;
  #paused = false;
  #ending = false;
  #queued = false;
  /** Moves the held bytes in a microtask (`defer`); made at the first use. */
  #flushSoon: (() => void) | undefined;

  /**
   * @param ring where the bytes go (a handle's `rxbs`)
   * @param options `source`, `copy`, `adopt`, `feed`, `defer`, `delivered`, `wake`
   */
  constructor(ring: RingBuffer, options: IntakeOptions = {}) {
    this.ring = ring;
    this.#source = options.source;
    this.#copy = options.copy === true;
    this.#adopt = options.adopt === true && options.feed === undefined;
    this.#feed = options.feed ?? writeToRing;
    this.#defer = options.defer === true;
    this.#delivered = options.delivered;
    // With a `wake` of its own (a handle's pump), an Intake makes no closures.
    this.#room = options.wake ?? {
      wake: () => {
        if (!this.#defer) this.#resume();
        else if (!this.#queued) {
          this.#queued = true;
          queueMicrotask(
            (this.#flushSoon ??= (): void => {
              this.#queued = false;
              this.#resume();
            }),
          );
        }
      },
    };
  }

  /** Bytes held, waiting for room in the ring. */
  get held(): number {
    return this.#held.length;
  }

  /** The source is paused because bytes are held. */
  get paused(): boolean {
    return this.#paused;
  }

  /** The input ended ({@link Intake.end}) and the ring ends once the held bytes are in. */
  get ending(): boolean {
    return this.#ending;
  }

  /**
   * Offers a chunk: what fits goes into the ring now, the rest is held (a
   * view, or a copy with `copy`) and the source is paused.
   * @param chunk bytes from the source
   * @param copy copy the tail it holds (this chunk's buffer is reused);
   *   default: the `copy` option
   * @returns how many bytes went into the ring now (the rest is held, or
   *   dropped when the ring has ended)
   */
  offer(chunk: Uint8Array, copy: boolean = this.#copy): number {
    const ring = this.ring;
    if (ring.ended) return 0;
    if (this.#held.length > 0) {
      // A source that delivers after pause(): queue behind what is held.
      this.#hold(concat(this.#held, chunk), false);
      return 0;
    }
    if (this.#adopt && !copy && ring.adopt(chunk)) return chunk.length;
    const used = this.#feed(chunk, ring);
    if (used < chunk.length && !ring.ended) this.#hold(chunk.subarray(used), copy);
    return used;
  }

  /**
   * Moves held bytes in if there is room now (a handle's `service()` calls
   * it), resuming the source once none are left.
   * @returns true when nothing is held any more
   */
  flush(): boolean {
    if (this.#held.length === 0) {
      this.#resumeSource();
      return true;
    }
    this.#resume();
    return this.#held.length === 0;
  }

  /** Marks the end of input: the ring is ended now, or once the held bytes are in. */
  end(): void {
    this.#ending = true;
    if (this.#held.length === 0) this.ring.end();
  }

  /**
   * Forgets held bytes, the pause and the end mark (the handle closed, or
   * opens anew); the source is not resumed.
   */
  reset(): void {
    this.#held = EMPTY;
    this.#paused = false;
    this.#ending = false;
    this.ring.spaceSignal.unsubscribe(this.#room);
  }

  #hold(tail: Uint8Array, copy: boolean): void {
    this.#held = copy ? tail.slice() : tail;
    if (!this.#paused) {
      this.#paused = true;
      this.#source?.pause();
    }
    this.ring.spaceSignal.subscribe(this.#room);
  }

  #resume(): void {
    const ring = this.ring;
    const held = this.#held;
    if (held.length > 0) {
      if (ring.ended) {
        this.#held = EMPTY;
        return;
      }
      const used = this.#feed(held, ring);
      if (used < held.length && !ring.ended) {
        this.#held = held.subarray(used);
        ring.spaceSignal.subscribe(this.#room);
        return;
      }
      this.#held = EMPTY;
      if (this.#ending) ring.end();
      this.#delivered?.();
    }
    this.#resumeSource();
  }

  #resumeSource(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#source?.resume();
  }
}

function concat(first: Uint8Array, second: Uint8Array): Uint8Array {
  const out = new Uint8Array(first.length + second.length);
  out.set(first, 0);
  out.set(second, first.length);
  return out;
}
