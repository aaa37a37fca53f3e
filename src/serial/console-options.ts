/**
 * Options of {@link Console}, and the stream shapes it accepts.
 *
 * @module
 */

import type { WireTap } from "../io/index.js";

/**
 * The input side a Console reads: `process.stdin`, a `tty.ReadStream`, or any
 * readable byte stream; a terminal has `isTTY` and `setRawMode`.
 */
export type ConsoleInput = NodeJS.ReadableStream & {
  /** True for a terminal. */
  isTTY?: boolean;
  /** Present on terminals. */
  setRawMode?(mode: boolean): unknown;
};

/** The output side a Console writes: `process.stdout` or any writable byte stream. */
export type ConsoleOutput = NodeJS.WritableStream;

/** Options of {@link Console}. */
export interface ConsoleOptions {
  /** Input stream. Default `process.stdin` (unless `path` is given). */
  input?: ConsoleInput;
  /** Output stream. Default `process.stdout` (unless `path` is given). */
  output?: ConsoleOutput;
  /** A terminal device to open instead of stdin/stdout, e.g. `/dev/tty` (as hio does) or a pty. */
  path?: string;
  /** Put a terminal input in raw mode while open. Default true. */
  raw?: boolean;
  /**
   * `"line"` (default): from a raw terminal, edit lines locally (echo,
   * Backspace, Ctrl-U, Enter, Ctrl-C raises SIGINT, Ctrl-D ends) and put
   * whole lines, each ending in LF, into `rxbs`. `"bytes"`: put every byte
   * into `rxbs` as it comes (keystroke at a time). Input that is not a raw
   * terminal is passed through unchanged either way.
   */
  mode?: "line" | "bytes";
  /** Most bytes in an edited line. Default 8192. */
  maxLine?: number;
  /** Capacity of `rxbs` and `txbs`. Default 65 536 (at least `maxLine + 1`). */
  bufferSize?: number;
  /** A name for logs and errors. Default `console <path>` or `console stdio`. */
  name?: string;
  /** Where to record what was read from the input and written to the output (peer: the path, or `stdio`). */
  wirelog?: WireTap;
  /** What Ctrl-C does in line mode. Default: raise SIGINT in this process (a Doist stops cleanly). */
  onInterrupt?: () => void;
}
