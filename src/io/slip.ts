/**
 * SLIP (RFC 1055): packets over a byte stream, delimited by END and
 * byte-stuffed so END never appears inside.
 *
 * @module
 */
import { FrameTooLongError } from "./errors.js";
import type { FrameEvent } from "./frame-events.js";
import { BufferedFramer, type FramerOptions } from "./framer.js";

/** SLIP's frame end byte. */
export const SLIP_END = 0xc0;
/** SLIP's escape byte. */
export const SLIP_ESC = 0xdb;
/** After ESC: stands for END. */
export const SLIP_ESC_END = 0xdc;
/** After ESC: stands for ESC. */
export const SLIP_ESC_ESC = 0xdd;

/** Options of {@link slipEncode}. */
export interface SlipEncodeOptions {
  /** Send an END first to flush line noise, as RFC 1055 suggests. Default true. */
  leadingEnd?: boolean | undefined;
}

/**
 * Encodes one packet: END (optional), the bytes with END and ESC escaped, END.
 * @param bytes the packet
 * @param options `leadingEnd`
 * @returns a new array with the encoded packet
 * @example
 * ```ts
 * slipEncode(Uint8Array.of(1, 0xc0, 2)); // [0xc0, 1, 0xdb, 0xdc, 2, 0xc0]
 * ```
 */
export function slipEncode(bytes: Uint8Array, options: SlipEncodeOptions = {}): Uint8Array {
  const lead = options.leadingEnd === false ? 0 : 1;
  let escapes = 0;
  for (let i = bytes.indexOf(SLIP_END); i >= 0; i = bytes.indexOf(SLIP_END, i + 1)) escapes++;
  for (let i = bytes.indexOf(SLIP_ESC); i >= 0; i = bytes.indexOf(SLIP_ESC, i + 1)) escapes++;
  const out = new Uint8Array(lead + bytes.length + escapes + 1);
  let at = 0;
  if (lead) out[at++] = SLIP_END;
  if (escapes === 0) {
    out.set(bytes, at);
    at += bytes.length;
  } else {
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i]!;
      if (byte === SLIP_END) {
        out[at++] = SLIP_ESC;
        out[at++] = SLIP_ESC_END;
      } else if (byte === SLIP_ESC) {
        out[at++] = SLIP_ESC;
        out[at++] = SLIP_ESC_ESC;
      } else out[at++] = byte;
    }
  }
  out[at] = SLIP_END;
  return out;
}

/**
 * Decodes SLIP packets: splits at END, undoes the escapes, skips empty
 * packets (back-to-back ENDs), and, as RFC 1055's receiver does, keeps the
 * byte after an ESC that is neither ESC_END nor ESC_ESC. An END always ends
 * a packet, even right after an ESC (the ESC is dropped). `max` counts
 * decoded bytes; an over-long packet is dropped up to the next END.
 *
 * @example
 * ```ts
 * const framer = new SlipFramer({ max: 1006 });
 * framer.push(slipEncode(Uint8Array.of(1, 0xc0, 2))); // [ [1, 0xc0, 2] ]
 * ```
 */
export class SlipFramer extends BufferedFramer {
  #discarding = false;
  #searched = 0;

  /**
   * @param options `max` decoded bytes in a packet (default 65 536)
   * @throws TypeError/RangeError naming `max`
   */
  constructor(options: FramerOptions = {}) {
    super(options.max);
  }

  protected override frame(view: Uint8Array, events: FrameEvent[]): number {
    const max = this.max;
    let start = 0;
    let from = this.#searched;
    this.#searched = 0;
    for (;;) {
      const end = view.indexOf(SLIP_END, start + from);
      from = 0;
      if (end < 0) break;
      if (this.#discarding) this.#discarding = false;
      else if (end > start) {
        const length = decodedLength(view, start, end);
        if (length > max) {
          events.push(new FrameTooLongError(`${this.constructor.name}: packet of ${length} bytes is longer than max ${max}`, max));
        } else if (length > 0) events.push(decode(view, start, end, length));
      }
      start = end + 1;
    }
    if (this.#discarding) return view.length;
    if (decodedLength(view, start, view.length) > max) {
      this.#discarding = true;
      events.push(new FrameTooLongError(`${this.constructor.name}: packet longer than max ${max} without an END`, max));
      return view.length;
    }
    this.#searched = view.length - start;
    return start;
  }

  protected override restart(): void {
    this.#discarding = false;
    this.#searched = 0;
  }
}

/** Counts the bytes `view[start, end)` decodes to (a trailing lone ESC counts 0). */
function decodedLength(view: Uint8Array, start: number, end: number): number {
  let length = end - start;
  for (let i = view.indexOf(SLIP_ESC, start); i >= 0 && i < end; i = view.indexOf(SLIP_ESC, i + 2)) length--;
  return length;
}

function decode(view: Uint8Array, start: number, end: number, length: number): Uint8Array {
  if (length === end - start) return view.slice(start, end);
  const out = new Uint8Array(length);
  let at = 0;
  for (let i = start; i < end; i++) {
    let byte = view[i]!;
    if (byte === SLIP_ESC) {
      if (++i >= end) break;
      byte = view[i]!;
      if (byte === SLIP_ESC_END) byte = SLIP_END;
      else if (byte === SLIP_ESC_ESC) byte = SLIP_ESC;
    }
    out[at++] = byte;
  }
  return out;
}
