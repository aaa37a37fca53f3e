/**
 * Reference parsers for io property tests: simple one-shot parses of a whole
 * stream, written independently of the readers and framers they check, and a
 * driver that feeds a stream to a reader through a small ring in chunks.
 */
import { EndOfStreamError, FrameTooLongError, RingBuffer, skipUntil, type Reader } from "../../src/io/index.js";
import { step } from "./io-drive.js";

/** A reference or observed event: a frame, an over-long frame, or the end. */
export type ParseEvent = { frame: number[] } | { tooLong: true } | { end: number[] };

const frame = (bytes: Uint8Array): ParseEvent => ({ frame: [...bytes] });
const TOO_LONG: ParseEvent = { tooLong: true };

/** Finds `needle` in `haystack` from `from` (leftmost), or -1. */
export function find(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  outer: for (let i = from; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/**
 * Splits a stream at each delimiter. A delimited segment longer than `max`
 * (after `strip` removes an ending) is too long; an undelimited tail of at
 * least `max + slack + delimiter.length` bytes is too long.
 */
export function splitReference(
  stream: Uint8Array,
  delimiter: Uint8Array,
  max: number,
  options: { slack?: number; strip?: (segment: Uint8Array) => Uint8Array; keep?: boolean; tail?: "end" | "hold" } = {},
): ParseEvent[] {
  const { slack = 0, strip = (segment: Uint8Array) => segment, keep = false, tail = "end" } = options;
  const events: ParseEvent[] = [];
  let start = 0;
  for (let index = find(stream, delimiter); index >= 0; index = find(stream, delimiter, start)) {
    const content = strip(stream.subarray(start, index));
    events.push(content.length > max ? TOO_LONG : frame(keep ? stream.subarray(start, index + delimiter.length) : content));
    start = index + delimiter.length;
  }
  const rest = stream.subarray(start);
  if (rest.length >= max + slack + delimiter.length) events.push(TOO_LONG, ...(tail === "end" ? [{ end: [] }] : []));
  else if (tail === "end") events.push({ end: [...rest] });
  return events;
}

/** Strips one CR at the end (a line's CRLF ending). */
export const stripCr = (segment: Uint8Array): Uint8Array => (segment.length > 0 && segment[segment.length - 1] === 0x0d ? segment.subarray(0, segment.length - 1) : segment);

/**
 * Feeds `stream` in `chunks` through a ring of `capacity`, reading with
 * readers made by `next` until the stream ends. After FrameTooLongError it
 * resynchronises with `skipUntil(resync)`.
 * @returns the events seen, ending with `{ end: partial }`
 */
export function driveReader(chunks: Uint8Array[], capacity: number, next: (ring: RingBuffer) => Reader<Uint8Array>, resync?: number | Uint8Array): ParseEvent[] {
  const ring = new RingBuffer({ capacity, name: "property rxbs" });
  const events: ParseEvent[] = [];
  let chunkIndex = 0;
  let offset = 0;
  let reader: Reader<Uint8Array | number> = next(ring);
  let skipping = false;
  for (let guard = 0; guard < 100_000; guard++) {
    const outcome = step(reader);
    if (outcome.state === "returned") {
      if (!skipping) events.push(frame(outcome.value as Uint8Array));
      skipping = false;
      reader = next(ring);
      continue;
    }
    if (outcome.state === "threw") {
      const error = outcome.error;
      if (error instanceof EndOfStreamError) {
        events.push({ end: [...error.partial] });
        return events;
      }
      if (error instanceof FrameTooLongError && resync !== undefined) {
        events.push(TOO_LONG);
        skipping = true;
        reader = skipUntil(ring, resync);
        continue;
      }
      throw error;
    }
    // Waiting: deliver more of the stream (what fits of the next chunk).
    if (chunkIndex >= chunks.length) {
      if (ring.ended) throw new Error("reader waits on an ended ring");
      ring.end();
      continue;
    }
    const chunk = chunks[chunkIndex]!;
    const taken = ring.write(chunk.subarray(offset));
    if (taken === 0 && chunk.length > offset) throw new Error(`reader waits on a full ring (${ring.length} bytes)`);
    offset += taken;
    if (offset >= chunk.length) {
      chunkIndex++;
      offset = 0;
    }
  }
  throw new Error("driver guard tripped");
}

/** Reference for LengthPrefixedFramer. */
export function lengthPrefixedReference(
  stream: Uint8Array,
  options: { lengthOffset: number; lengthSize: 1 | 2 | 4; endian: "big" | "little"; lengthAdjustment: number; max: number },
): ParseEvent[] {
  const { lengthOffset, lengthSize, endian, lengthAdjustment, max } = options;
  const header = lengthOffset + lengthSize;
  const view = new DataView(stream.buffer, stream.byteOffset, stream.length);
  const events: ParseEvent[] = [];
  let at = 0;
  while (stream.length - at >= header) {
    const field =
      lengthSize === 1
        ? view.getUint8(at + lengthOffset)
        : lengthSize === 2
          ? view.getUint16(at + lengthOffset, endian === "little")
          : view.getUint32(at + lengthOffset, endian === "little");
    const total = header + field + lengthAdjustment;
    if (total < header) {
      events.push({ frame: [-1] }); // FrameError marker
      at += header;
    } else if (total > max) {
      events.push(TOO_LONG);
      at += total;
    } else if (stream.length - at < total) break;
    else {
      events.push(frame(stream.subarray(at, at + total)));
      at += total;
    }
  }
  return events;
}

/** Reference for SlipFramer (decoding as RFC 1055's receiver, END always ends). */
export function slipReference(stream: Uint8Array, max: number): ParseEvent[] {
  const events: ParseEvent[] = [];
  const decode = (segment: Uint8Array): number[] => {
    const out: number[] = [];
    for (let i = 0; i < segment.length; i++) {
      let byte = segment[i]!;
      if (byte === 0xdb) {
        if (++i >= segment.length) break;
        byte = segment[i]!;
        if (byte === 0xdc) byte = 0xc0;
        else if (byte === 0xdd) byte = 0xdb;
      }
      out.push(byte);
    }
    return out;
  };
  let start = 0;
  for (let end = stream.indexOf(0xc0); end >= 0; end = stream.indexOf(0xc0, start)) {
    const decoded = decode(stream.subarray(start, end));
    if (decoded.length > max) events.push(TOO_LONG);
    else if (decoded.length > 0) events.push({ frame: decoded });
    start = end + 1;
  }
  if (decode(stream.subarray(start)).length > max) events.push(TOO_LONG);
  return events;
}

/** Converts framer output (frames and error class names) to ParseEvents. */
export function framerEvents(events: (Uint8Array | string)[]): ParseEvent[] {
  return events.map((event) => (typeof event === "string" ? (event === "FrameTooLongError" ? TOO_LONG : { frame: [-1] }) : frame(event)));
}
