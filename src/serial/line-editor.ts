/**
 * LineEditor: the little line discipline a Console needs once the terminal
 * is in raw mode (the kernel no longer echoes, erases or ends lines).
 *
 * @module
 */
import type { RingBuffer } from "../io/index.js";

/** Options of {@link LineEditor}. */
export interface LineEditorOptions {
  /** Most bytes in a line; more are refused with a bell. */
  max: number;
  /** Called with the bytes to echo for each chunk fed (a view, valid during the call). */
  echo: ((bytes: Uint8Array) => void) | undefined;
  /** Called on Ctrl-C. */
  interrupt: (() => void) | undefined;
}

const BS = 0x08;
const BEL = 0x07;
const CR = 0x0d;
const LF = 0x0a;
const ESC = 0x1b;
const DEL = 0x7f;
const CTRL_C = 0x03;
const CTRL_D = 0x04;
const CTRL_U = 0x15;
const ERASE = Uint8Array.of(BS, 0x20, BS);
const NEWLINE = Uint8Array.of(CR, LF);
const INTERRUPT = Uint8Array.of(0x5e, 0x43, CR, LF); // "^C\r\n"

/**
 * Edits one line at a time from raw keystrokes: printable bytes (and UTF-8)
 * are kept and echoed, Backspace/Delete erase a character, Ctrl-U the line,
 * Enter (CR, LF or CRLF) commits `line + LF` to the ring, Ctrl-C calls
 * `interrupt`, Ctrl-D on an empty line ends the input, and escape sequences
 * (arrow keys) are dropped.
 */
export class LineEditor {
  /** Ctrl-D was typed on an empty line: no more input. */
  ended = false;
  readonly #line: Uint8Array;
  #length = 0;
  #escape = 0; // 0: none, 1: after ESC, 2: inside a CSI/SS3 sequence
  #afterCr = false;
  readonly #options: LineEditorOptions;
  #echo = new Uint8Array(256);
  #echoLength = 0;

  /** @param options `max`, `echo`, `interrupt` */
  constructor(options: LineEditorOptions) {
    this.#options = options;
    this.#line = new Uint8Array(options.max + 1);
  }

  /** Bytes typed on the current line so far. */
  get pending(): number {
    return this.#length;
  }

  /**
   * Feeds keystrokes. Stops early, before an Enter whose line does not fit
   * in `ring`, so the caller can hold the rest and feed it again once the
   * ring has room.
   * @param bytes the keystrokes
   * @param ring where committed lines go
   * @returns how many bytes of `bytes` it used
   */
  feed(bytes: Uint8Array, ring: RingBuffer): number {
    let index = 0;
    for (; index < bytes.length && !this.ended; index++) {
      const byte = bytes[index]!;
      if (this.#escape !== 0) {
        this.#skipEscape(byte);
        continue;
      }
      if (byte === LF && this.#afterCr) {
        this.#afterCr = false; // the LF of a CRLF
        continue;
      }
      this.#afterCr = false;
      if (byte === CR || byte === LF) {
        if (ring.free < this.#length + 1) break; // hold the Enter until the line fits
        this.#line[this.#length] = LF;
        ring.write(this.#line.subarray(0, this.#length + 1));
        this.#length = 0;
        this.#afterCr = byte === CR;
        this.#addEcho(NEWLINE);
      } else if (byte === DEL || byte === BS) {
        this.#erase(1);
      } else if (byte === CTRL_U) {
        this.#erase(this.#length);
      } else if (byte === CTRL_C) {
        this.#length = 0;
        this.#addEcho(INTERRUPT);
        this.#options.interrupt?.();
      } else if (byte === CTRL_D) {
        if (this.#length === 0) this.ended = true;
      } else if (byte === ESC) {
        this.#escape = 1;
      } else if (byte >= 0x20) {
        if (this.#length < this.#options.max) {
          this.#line[this.#length++] = byte;
          this.#addEchoByte(byte);
        } else {
          this.#addEchoByte(BEL);
        }
      }
      // other control bytes: ignored, as a terminal would
    }
    this.#flushEcho();
    return index;
  }

  /** Drops the line being typed. */
  reset(): void {
    this.#length = 0;
    this.#escape = 0;
    this.#afterCr = false;
    this.ended = false;
  }

  #skipEscape(byte: number): void {
    if (this.#escape === 1)
      this.#escape = byte === 0x5b || byte === 0x4f ? 2 : 0; // ESC [ or ESC O
    else if (byte >= 0x40 && byte <= 0x7e) this.#escape = 0; // final byte of the sequence
  }

  /** Erases `count` characters (a UTF-8 character is one, however many bytes). */
  #erase(count: number): void {
    for (let erased = 0; erased < count && this.#length > 0; erased++) {
      do this.#length--;
      while (this.#length > 0 && (this.#line[this.#length]! & 0xc0) === 0x80);
      this.#addEcho(ERASE);
    }
  }

  #addEchoByte(byte: number): void {
    if (this.#options.echo === undefined) return;
    this.#reserve(1);
    this.#echo[this.#echoLength++] = byte;
  }

  #addEcho(bytes: Uint8Array): void {
    if (this.#options.echo === undefined) return;
    this.#reserve(bytes.length);
    this.#echo.set(bytes, this.#echoLength);
    this.#echoLength += bytes.length;
  }

  #reserve(count: number): void {
    if (this.#echoLength + count <= this.#echo.length) return;
    const grown = new Uint8Array(Math.max(this.#echo.length * 2, this.#echoLength + count));
    grown.set(this.#echo.subarray(0, this.#echoLength));
    this.#echo = grown;
  }

  #flushEcho(): void {
    if (this.#echoLength === 0) return;
    this.#options.echo?.(this.#echo.subarray(0, this.#echoLength));
    this.#echoLength = 0;
  }
}
