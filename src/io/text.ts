/**
 * UTF-8 helpers for text protocols over byte rings.
 *
 * @module
 */
import type { RingBuffer } from "./ring-buffer.js";
import type { Operation } from "../core/operation.js";
import { readLine, type ReadLineOptions, type ReadOptions } from "./readers.js";
import { writeAll } from "./write-all.js";

const decoder = new TextDecoder("utf-8");
const encoder = new TextEncoder();

/**
 * Decodes UTF-8 bytes to a string; invalid sequences become U+FFFD.
 * @param bytes the bytes
 * @returns the text
 */
export function decodeUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/**
 * Encodes a string as UTF-8 bytes.
 * @param text the text
 * @returns a new array with its bytes
 */
export function encodeUtf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/**
 * Reads one line (as {@link readLine}) and decodes it as UTF-8.
 * @param ring the ring to read
 * @param options `max` bytes (not characters) in the line, `timeout`
 * @returns the line without its LF or CRLF
 * @throws as {@link readLine}
 * @example
 * ```ts
 * const command = yield* readLineText(remoter.rxbs);
 * if (command === "QUIT") return true;
 * ```
 */
export function* readLineText(ring: RingBuffer, options: ReadLineOptions = {}): Operation<string> {
  return decoder.decode(yield* readLine(ring, options));
}

/**
 * Writes `text` as UTF-8, waiting for room (as {@link writeAll}).
 * @param ring the ring to write
 * @param text the text
 * @param options `timeout`
 * @returns how many bytes it wrote
 * @throws as {@link writeAll}
 */
export function* writeText(ring: RingBuffer, text: string, options: ReadOptions = {}): Operation<number> {
  return yield* writeAll(ring, encoder.encode(text), options);
}
