/**
 * Framers as Node streams: a `Transform` that turns a byte stream into one
 * chunk per frame (what node-serialport users type first:
 * `port.pipe(new ReadlineParser())`), and an async iterator of frames for
 * `for await`.
 *
 * @module
 */
import { Transform, type TransformCallback } from "node:stream";
import type { Framer } from "./framer.js";

const EMPTY = new Uint8Array(0);

/** Options of {@link FramerTransform}. */
export interface FramerTransformOptions {
  /**
   * At the end of the input, emit the bytes of an incomplete frame as a last
   * frame (as `@serialport/parser-delimiter` does not). Default false: they
   * are dropped, and `partial` says how many there were.
   */
  flushPartial?: boolean;
  /** Frames buffered before the transform stops reading. Default 16 (object mode). */
  highWaterMark?: number;
}

/**
 * A Transform stream that splits its input with a {@link Framer}: each frame
 * comes out as one object-mode chunk, the framer's own `Uint8Array` (not
 * wrapped in a Buffer: wrapping costs more than the framing; use
 * `Buffer.from(frame.buffer, frame.byteOffset, frame.length)` where a Buffer
 * is needed). The framer's
 * errors (a frame over `max`) destroy the stream with that error; the
 * framer has already dropped the bad frame, so a new stream over the same
 * framer resumes at the next frame boundary.
 *
 * @example
 * ```ts
 * const lines = toDuplex(serial).pipe(new FramerTransform(new LineFramer({ max: 256 })));
 * for await (const line of lines) console.log(decodeUtf8(line));
 * ```
 */
export class FramerTransform extends Transform {
  /** The framer it runs. */
  readonly framer: Framer;
  /** Bytes of an incomplete frame left at the end of the input (when not flushed). */
  partial = 0;
  readonly #flushPartial: boolean;

  /**
   * @param framer the framer (e.g. `new DelimiterFramer({ delimiter: "\r\n" })`)
   * @param options `flushPartial`, `highWaterMark`
   * @throws TypeError when `framer` has no `push`
   */
  constructor(framer: Framer, options: FramerTransformOptions = {}) {
    if (typeof framer?.push !== "function") throw new TypeError("framer must be a Framer (with push)");
    super({ readableObjectMode: true, readableHighWaterMark: options.highWaterMark ?? 16 });
    this.framer = framer;
    this.#flushPartial = options.flushPartial === true;
  }

  /**
   * Feeds a chunk to the framer and pushes every frame it completes (stream
   * internals; called by Node, not by users).
   * @param chunk the bytes received
   * @param _encoding unused: chunks are bytes
   * @param callback called once the chunk is framed, with the framer's error if any
   */
  override _transform(chunk: Uint8Array, _encoding: BufferEncoding, callback: TransformCallback): void {
    let frames: Uint8Array[];
    try {
      frames = this.framer.push(chunk);
    } catch (error) {
      callback(error as Error);
      return;
    }
    for (let index = 0; index < frames.length; index++) {
      const frame = frames[index]!;
      this.push(frame);
    }
    callback();
  }

  /**
   * At the end of input: pushes what the framer still completes, then the
   * unframed tail when `flushPartial` is set (else counts it in `partial`)
   * (stream internals; called by Node, not by users).
   * @param callback called once the end is handled
   */
  override _flush(callback: TransformCallback): void {
    // An error that followed frames in the last push comes out of the next one.
    let pending: Uint8Array[];
    try {
      pending = this.framer.push(EMPTY);
    } catch (error) {
      callback(error as Error);
      return;
    }
    for (const frame of pending) this.push(frame);
    const rest = this.framer.drain?.() ?? new Uint8Array(0);
    if (rest.length > 0) {
      if (this.#flushPartial) this.push(rest);
      else this.partial = rest.length;
    }
    callback();
  }
}

/**
 * Iterates over the frames of a byte source with `for await`.
 *
 * @param source any async iterable of byte chunks: a Readable, `toDuplex(handle)`,
 *   `ringReadable(ring)`, a file stream
 * @param framer the framer to split with
 * @returns an async generator of frames; it throws the framer's errors, and
 *   breaking out of the loop ends (destroys) the source
 * @example
 * ```ts
 * for await (const frame of frames(toDuplex(client), new SlipFramer())) handle(frame);
 * ```
 */
export async function* frames(source: AsyncIterable<Uint8Array>, framer: Framer): AsyncGenerator<Uint8Array, void, undefined> {
  for await (const chunk of source) {
    const out = framer.push(chunk);
    for (let index = 0; index < out.length; index++) yield out[index]!;
  }
  const last = framer.push(EMPTY); // throws an error that followed the last frames
  for (let index = 0; index < last.length; index++) yield last[index]!;
}
