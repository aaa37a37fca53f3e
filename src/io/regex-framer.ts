/**
 * RegexFramer: UTF-8 text split wherever a regular expression matches.
 *
 * @module
 */
import { FrameTooLongError } from "./errors.js";
import { FrameEvents } from "./frame-events.js";
import type { Framer, FramerOptions } from "./framer.js";
import { checkCount } from "./validate.js";

/** Options of {@link RegexFramer}. */
export interface RegexFramerOptions extends FramerOptions {
  /** What separates frames; its `g` and `y` flags are ignored. It must not match "". */
  regex: RegExp;
}

/**
 * How many characters a separator's match may span when the framer decides
 * that text without a match is too long already.
 */
const MATCH_ALLOWANCE = 64;

const encoder = new TextEncoder();

/**
 * Decodes the stream as UTF-8 and splits it at each match of `regex` (like
 * `@serialport/parser-regex`), emitting the text between matches as UTF-8
 * bytes. Characters split across chunks are decoded correctly. `max` counts
 * characters (UTF-16 code units) of a frame.
 *
 * The same frames come out however the bytes are chunked as long as a match
 * cannot grow with more text; a separator such as `/\n+/` can match `\n`
 * at a chunk's end and `\n` again at the next chunk's start, as in
 * node-serialport. Text without a match longer than `max` plus
 * `MATCH_ALLOWANCE` (64) characters throws `FrameTooLongError`; the framer
 * then drops text until the next match.
 *
 * @example
 * ```ts
 * const framer = new RegexFramer({ regex: /[\r\n]+/ });
 * framer.push(new TextEncoder().encode("a\r\nb\rc")); // [ "a", "b" ] as bytes
 * ```
 */
export class RegexFramer implements Framer {
  /** The separator (with the `g` flag added). */
  readonly regex: RegExp;
  /** Most characters in a frame. */
  readonly max: number;
  #decoder = new TextDecoder("utf-8");
  #text = "";
  #discarding = false;
  readonly #events = new FrameEvents();

  /**
   * @param options `regex`, `max` (characters, default 65 536)
   * @throws TypeError/RangeError naming the bad option
   */
  constructor(options: RegexFramerOptions) {
    const regex = options?.regex;
    if (!(regex instanceof RegExp)) throw new TypeError(`regex must be a RegExp, got ${typeof regex}`);
    this.regex = new RegExp(regex.source, regex.flags.replace(/[gy]/g, "") + "g");
    if (this.regex.test("")) throw new RangeError(`regex must not match the empty string, got ${String(regex)}`);
    this.max = options.max === undefined ? 65_536 : checkCount("max", options.max);
  }

  /** See {@link Framer.push}. */
  push(chunk: Uint8Array): Uint8Array[] {
    const events = this.#events.begin();
    const text = this.#text + this.#decoder.decode(chunk, { stream: true });
    const regex = this.regex;
    const max = this.max;
    let start = 0;
    regex.lastIndex = 0;
    for (let match = regex.exec(text); match !== null; match = regex.exec(text)) {
      if (this.#discarding) this.#discarding = false;
      else if (match.index - start > max) {
        events.push(this.#tooLong(`frame of ${match.index - start} characters is longer than max ${max}`));
      } else events.push(encoder.encode(text.slice(start, match.index)));
      start = match.index + match[0].length;
    }
    let rest = text.slice(start);
    if (!this.#discarding && rest.length > max + MATCH_ALLOWANCE) {
      this.#discarding = true;
      events.push(this.#tooLong(`frame longer than max ${max} characters without a separator`));
    }
    if (this.#discarding) rest = rest.slice(-MATCH_ALLOWANCE);
    this.#text = rest;
    return this.#events.deliver(events);
  }

  #tooLong(why: string): FrameTooLongError {
    return new FrameTooLongError(`${this.constructor.name}: ${why}`, this.max);
  }

  /** See {@link Framer.drain}. */
  drain(): Uint8Array {
    const bytes = encoder.encode(this.#text + this.#decoder.decode());
    this.reset();
    return bytes;
  }

  /** See {@link Framer.reset}. */
  reset(): void {
    this.#decoder = new TextDecoder("utf-8");
    this.#text = "";
    this.#discarding = false;
    this.#events.clear();
  }
}
