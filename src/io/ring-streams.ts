/**
 * Node streams over rings: the bridge between `node:stream` libraries
 * (zlib, tls, readline, parsers, `pipeline`) and hio-ts's byte rings, with
 * back pressure both ways and no polling. A ring's Signals wake the stream
 * side (a `Waker` is any object with `wake()`), and the handle's Doer is woken
 * by the same rings, so data moves as soon as either side can take it.
 *
 * @module
 */
import { Duplex, Readable, Writable } from "node:stream";
import { HioError, type Waker } from "../core/index.js";
import type { RingBuffer } from "./ring-buffer.js";

/** Most bytes handed to a stream in one chunk. */
const MAX_CHUNK = 64 * 1024;

/**
 * Moves bytes from a ring into a Readable while the Readable wants more
 * (internal). Sleeps on `ring.dataSignal` when the ring is empty; the wake
 * is deferred to a microtask so the ring's writer is never re-entered.
 */
class RingSource implements Waker {
  #scheduled = false;
  #stopped = false;
  readonly #run = (): void => {
    this.#scheduled = false;
    this.pull();
  };

  constructor(
    readonly ring: RingBuffer,
    readonly stream: Readable,
  ) {}

  /** Pushes what the ring holds until the stream is full; then waits for `_read`. */
  pull(): void {
    if (this.#stopped) return;
    const ring = this.ring;
    for (;;) {
      const length = ring.length;
      if (length > 0) {
        if (!this.stream.push(ring.read(Math.min(length, MAX_CHUNK)))) return;
        continue;
      }
      if (ring.ended) {
        this.#stopped = true;
        this.stream.push(null);
        return;
      }
      ring.dataSignal.subscribe(this);
      return;
    }
  }

  wake(): void {
    if (this.#scheduled || this.#stopped) return;
    this.#scheduled = true;
    queueMicrotask(this.#run);
  }

  stop(): void {
    this.#stopped = true;
    this.ring.dataSignal.unsubscribe(this);
  }
}

/**
 * Writes stream chunks into a ring, holding the callback while the ring is
 * full (internal): that is the Writable's back pressure.
 */
class RingSink implements Waker {
  #pending: Uint8Array | undefined;
  #callback: ((error?: Error | null) => void) | undefined;
  #draining = false;
  #scheduled = false;
  readonly #run = (): void => {
    this.#scheduled = false;
    this.#resume();
  };

  constructor(
    readonly ring: RingBuffer,
    readonly canSend: () => boolean,
    readonly label: string,
  ) {}

  write(chunk: Uint8Array, callback: (error?: Error | null) => void): void {
    this.#pending = chunk;
    this.#callback = callback;
    this.#resume();
  }

  /** Calls back once the ring is empty (its handle sent everything). */
  drain(callback: (error?: Error | null) => void): void {
    this.#draining = true;
    this.#callback = callback;
    this.#resume();
  }

  wake(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(this.#run);
  }

  stop(): void {
    this.ring.spaceSignal.unsubscribe(this);
    this.#pending = undefined;
    this.#callback = undefined;
  }

  #resume(): void {
    const callback = this.#callback;
    if (callback === undefined) return;
    const ring = this.ring;
    if (!this.canSend()) {
      this.#finish(new HioError(`${this.label}: closed, cannot send`));
      return;
    }
    if (this.#draining) {
      if (ring.length === 0) this.#finish(null);
      else ring.spaceSignal.subscribe(this);
      return;
    }
    const pending = this.#pending!;
    let written: number;
    try {
      written = ring.write(pending);
    } catch (error) {
      this.#finish(error as Error);
      return;
    }
    if (written === pending.length) {
      this.#finish(null);
      return;
    }
    this.#pending = pending.subarray(written);
    ring.spaceSignal.subscribe(this);
  }

  #finish(error: Error | null): void {
    const callback = this.#callback!;
    this.#callback = undefined;
    this.#pending = undefined;
    this.#draining = false;
    callback(error);
  }
}

/** Options of {@link ringReadable}. */
export interface RingReadableOptions {
  /** The stream's buffer before it stops pulling from the ring. Default 64 KiB. */
  highWaterMark?: number;
}

/**
 * Makes a Readable that yields the bytes of `ring` as they arrive and ends
 * when the ring is ended and drained. It takes bytes out of the ring only
 * while the stream's consumer keeps up, so a slow consumer leaves them in the
 * ring, and a full `rxbs` pauses the handle: back pressure end to end.
 * It must be the ring's only consumer.
 *
 * @param ring the ring to read (e.g. a handle's `rxbs`)
 * @param options `highWaterMark`
 * @returns the Readable (destroying it stops reading; the ring is kept)
 * @example
 * ```ts
 * for await (const chunk of ringReadable(client.rxbs)) console.log(chunk.length);
 * ```
 */
export function ringReadable(ring: RingBuffer, options: RingReadableOptions = {}): Readable {
  let source: RingSource | undefined;
  const stream = new Readable({
    highWaterMark: options.highWaterMark ?? MAX_CHUNK,
    read() {
      source!.pull();
    },
    destroy(error, callback) {
      source!.stop();
      callback(error);
    },
  });
  source = new RingSource(ring, stream);
  return stream;
}

/** Options of {@link ringWritable}. */
export interface RingWritableOptions {
  /** `ring.end()` when the stream finishes, so readers see the end. Default true. */
  end?: boolean;
  /** The stream's buffer before `write()` returns false. Default 16 KiB. */
  highWaterMark?: number;
}

/**
 * Makes a Writable that writes into `ring`, waiting (not dropping) while the
 * ring is full, so `pipeline(source, ringWritable(txbs))` works with back
 * pressure. When the stream finishes it ends the ring (unless `end: false`).
 *
 * @param ring the ring to write (e.g. a handle's `txbs`, or a ring a doer reads)
 * @param options `end`, `highWaterMark`
 * @returns the Writable
 * @example
 * ```ts
 * await pipeline(createReadStream("firmware.bin"), ringWritable(serial.txbs, { end: false }));
 * ```
 */
export function ringWritable(ring: RingBuffer, options: RingWritableOptions = {}): Writable {
  const sink = new RingSink(ring, () => !ring.ended, ring.name);
  const end = options.end ?? true;
  return new Writable({
    highWaterMark: options.highWaterMark ?? 16 * 1024,
    write(chunk: Uint8Array, _encoding, callback) {
      sink.write(chunk, callback);
    },
    final(callback) {
      if (end) ring.end();
      callback();
    },
    destroy(error, callback) {
      sink.stop();
      callback(error);
    },
  });
}

/**
 * What {@link toDuplex} needs of a handle: its two rings and `close()`.
 * Every hio-ts handle (Client, Remoter, Serial, a simulated one) fits.
 */
export interface RingHandle {
  /** Bytes received. */
  readonly rxbs: RingBuffer;
  /** Bytes to send. */
  readonly txbs: RingBuffer;
  /** Closes the handle. */
  close(): unknown;
  /** Names it in messages (optional). */
  readonly label?: string;
  /** Bytes written now may still reach the peer (optional: assumed true). */
  readonly maySend?: boolean;
}

/** Options of {@link toDuplex}. */
export interface ToDuplexOptions {
  /** Close the handle when the stream is destroyed or both sides have ended. Default true. */
  close?: boolean;
  /** The readable side's buffer. Default 64 KiB. */
  readableHighWaterMark?: number;
  /** The writable side's buffer. Default 16 KiB. */
  writableHighWaterMark?: number;
}

/**
 * Makes a Duplex stream over a handle: reading gives the bytes of `rxbs`
 * (ending when the peer has closed and they are drained), writing puts bytes
 * into `txbs`, waiting while it is full. Its `end()` finishes once the handle
 * has taken every byte out of `txbs`. Stream libraries then run over any
 * hio-ts handle: `zlib`, `readline`, `tls.connect({ socket })`, parsers.
 *
 * The handle's Doer must be running (a Doist's `do()`), and the stream must
 * be the only reader of `rxbs` and the only writer of `txbs`.
 *
 * The Duplex supports `Symbol.asyncDispose` (as every Node stream does):
 * `await using` destroys it and, with `close` (the default), the handle.
 *
 * @param handle a handle with `rxbs`, `txbs` and `close()`
 * @param options `close`, `readableHighWaterMark`, `writableHighWaterMark`
 * @returns the Duplex
 * @example
 * ```ts
 * const socket = toDuplex(client);
 * for await (const line of createInterface({ input: socket })) console.log(line);
 * ```
 */
export function toDuplex(handle: RingHandle, options: ToDuplexOptions = {}): Duplex {
  const label = handle.label ?? handle.rxbs.name;
  const sink = new RingSink(handle.txbs, () => handle.maySend !== false && !handle.txbs.ended, label);
  let source: RingSource | undefined;
  const close = options.close ?? true;
  const duplex = new Duplex({
    readableHighWaterMark: options.readableHighWaterMark ?? MAX_CHUNK,
    writableHighWaterMark: options.writableHighWaterMark ?? 16 * 1024,
    read() {
      source!.pull();
    },
    write(chunk: Uint8Array, _encoding, callback) {
      sink.write(chunk, callback);
    },
    final(callback) {
      sink.drain(callback);
    },
    destroy(error, callback) {
      source!.stop();
      sink.stop();
      if (close) {
        try {
          handle.close();
        } catch (closeError) {
          error ??= closeError as Error;
        }
      }
      callback(error);
    },
  });
  source = new RingSource(handle.rxbs, duplex);
  return duplex;
}
