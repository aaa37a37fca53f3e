/**
 * WireLog: a transcript of the bytes that crossed the wire, rx and tx, with
 * tyme and peer address, kept in memory or appended to a file.
 *
 * The file format is one line per chunk, fields separated by one space:
 *
 * ```text
 * # hio-ts wirelog v1 echo-server
 * 0.25 rx 127.0.0.1:50412 7 68656c6c6f0d0a "hello\r\n"
 * 0.28125 tx 127.0.0.1:50412 7 68656c6c6f0d0a "hello\r\n"
 * ```
 *
 * tyme (`-` when the log has no tyme base), direction (`rx` or `tx`), peer
 * (`%`, `"`, whitespace, control and non-ASCII characters %-escaped, so it
 * never contains a space; `-` when empty), byte count,
 * the bytes in lowercase hex, and a quoted preview for people (printable
 * ASCII as is, `\r \n \t \\ \"`, other bytes as `\xHH`). Lines starting with
 * `#` are comments. {@link parseWireLog} reads the first five fields and
 * ignores the preview, so `grep ' rx '` or `grep 'PING'` work on the file
 * and the parse is exact.
 *
 * @module
 */
import { closeSync, openSync, writeSync } from "node:fs";
import type { Tymth } from "../core/index.js";
import { WireLogError, WireLogFormatError } from "./errors.js";

/** Which way a chunk crossed the wire: received or transmitted. */
export type WireDirection = "rx" | "tx";

/** One chunk that crossed the wire. */
export interface WireLogEntry {
  /** Tyme when it was logged, or undefined when the log had no tyme base. */
  tyme: number | undefined;
  /** Received or transmitted. */
  direction: WireDirection;
  /** The peer's address (`host:port`, `[::1]:port`, a device path...). */
  peer: string;
  /** The bytes (a copy). */
  bytes: Uint8Array;
}

/** Options of {@link WireLog}. */
export interface WireLogOptions {
  /** Append to this file; default: keep entries in memory. */
  path?: string | undefined;
  /** The tyme base to stamp entries with; settable later with `wind`. */
  tymth?: Tymth | undefined;
  /** A name for the header line and errors. Default "wirelog". */
  name?: string | undefined;
}

const HEX: string[] = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

/**
 * Records what crossed the wire. Handles take it as their `wirelog` option
 * and call `rx`/`tx` for every chunk they move.
 *
 * @example
 * ```ts
 * const wirelog = new WireLog({ path: "session.wirelog", tymth: doist.tymen() });
 * wirelog.rx(new TextEncoder().encode("PING\r\n"), "127.0.0.1:6379");
 * wirelog.close();
 * ```
 */
export class WireLog {
  /** A name for the header line and errors. */
  readonly name: string;
  /** The file it appends to, if any. */
  readonly path: string | undefined;
  /** The entries kept in memory (always empty when writing to a file). */
  readonly entries: WireLogEntry[] = [];
  #tymth: Tymth | undefined;
  #fd: number | undefined;
  #state: "open" | "closed" = "open";

  /**
   * Creates a log in memory, or opens (appends to) a file and writes a header.
   * @param options `path`, `tymth`, `name`
   * @throws TypeError for bad options; WireLogError naming the path when the
   *   file cannot be opened or written (the `fs` error is its `cause`)
   */
  constructor(options: WireLogOptions = {}) {
    const { path, tymth, name = "wirelog" } = options;
    if (path !== undefined && typeof path !== "string") throw new TypeError(`path must be a string, got ${typeof path}`);
    if (tymth !== undefined && typeof tymth !== "function") throw new TypeError(`tymth must be a function, got ${typeof tymth}`);
    this.name = String(name);
    this.path = path;
    this.#tymth = tymth;
    if (path !== undefined) {
      let fd: number | undefined;
      try {
        fd = openSync(path, "a");
        writeSync(fd, `# hio-ts wirelog v1 ${this.name.replace(/\s+/g, "_")}\n`);
      } catch (error) {
        if (fd !== undefined) closeSync(fd);
        // "ENOENT: no such file or directory, open '/x/y'" without the repeated path
        const reason = String((error as Error).message).replace(/, open '.*'$/s, "");
        throw new WireLogError(`${this.name}: cannot open ${path} for appending: ${reason}`, path, { cause: error });
      }
      this.#fd = fd;
    }
  }

  /** Still recording (`close()` not called). */
  get opened(): boolean {
    return this.#state === "open";
  }

  /** `"open"` until `close()`, then `"closed"`. */
  get state(): "open" | "closed" {
    return this.#state;
  }

  /**
   * Moves the log onto a tyme base (for example the Doist's, once it exists).
   * @param tymth the tyme base
   */
  wind(tymth: Tymth): void {
    this.#tymth = tymth;
  }

  /**
   * Records bytes received from `peer`.
   * @param bytes what arrived (copied; empty chunks are not recorded)
   * @param peer the sender's address
   */
  rx(bytes: Uint8Array, peer: string): void {
    this.#record("rx", bytes, peer);
  }

  /**
   * Records bytes sent to `peer`.
   * @param bytes what was sent (copied; empty chunks are not recorded)
   * @param peer the receiver's address
   */
  tx(bytes: Uint8Array, peer: string): void {
    this.#record("tx", bytes, peer);
  }

  /** Closes the file (if any). Safe to call twice; later `rx`/`tx` are ignored. */
  close(): void {
    if (this.#state === "closed") return;
    this.#state = "closed";
    const fd = this.#fd;
    this.#fd = undefined;
    if (fd !== undefined) closeSync(fd);
  }

  #record(direction: WireDirection, bytes: Uint8Array, peer: string): void {
    if (this.#state === "closed" || bytes.length === 0) return;
    const tyme = this.#tymth?.();
    if (this.#fd === undefined) {
      this.entries.push({ tyme, direction, peer: String(peer), bytes: bytes.slice() });
    } else {
      writeSync(this.#fd, formatWireLogEntry({ tyme, direction, peer: String(peer), bytes }) + "\n");
    }
  }
}

/**
 * Formats one entry as a transcript line (without the newline).
 * @param entry the entry
 * @returns the line, in the format of the module doc
 */
export function formatWireLogEntry(entry: WireLogEntry): string {
  const { tyme, direction, peer, bytes } = entry;
  let hex = "";
  let preview = "";
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    hex += HEX[byte]!;
    preview += previewByte(byte);
  }
  return `${tyme === undefined ? "-" : String(tyme)} ${direction} ${encodePeer(peer)} ${bytes.length} ${hex} "${preview}"`;
}

function previewByte(byte: number): string {
  switch (byte) {
    case 0x0a:
      return "\\n";
    case 0x0d:
      return "\\r";
    case 0x09:
      return "\\t";
    case 0x5c:
      return "\\\\";
    case 0x22:
      return '\\"';
    default:
      return byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `\\x${HEX[byte]!}`;
  }
}

function encodePeer(peer: string): string {
  if (peer === "") return "-";
  if (peer === "-") return "%2D";
  // Escape only what would break the line or the parse; addresses stay readable.
  return peer.replace(/[%"\s\x00-\x1f\x7f]|[^\x00-\x7f]/gu, (char) => encodeURIComponent(char));
}

function decodePeer(field: string): string {
  if (field === "-") return "";
  if (field === "%2D") return "-";
  return decodeURIComponent(field);
}

/**
 * Reads a transcript (the text of a WireLog file) back into entries.
 * @param text the file's text
 * @returns its entries in order (comments and blank lines skipped)
 * @throws WireLogFormatError naming the line number of a malformed line
 * @example
 * ```ts
 * const entries = parseWireLog(readFileSync("session.wirelog", "utf8"));
 * const received = entries.filter((entry) => entry.direction === "rx");
 * ```
 */
export function parseWireLog(text: string): WireLogEntry[] {
  const entries: WireLogEntry[] = [];
  const lines = text.split("\n");
  for (let number = 1; number <= lines.length; number++) {
    const line = lines[number - 1]!.replace(/\r$/, "");
    if (line === "" || line.startsWith("#")) continue;
    const fields = line.split(" ", 5);
    const [tymeField, direction, peerField, countField, hex] = fields;
    const bad = (why: string) => new WireLogFormatError(`wirelog line ${number}: ${why}: ${line.slice(0, 80)}`);
    if (hex === undefined) throw bad("expected tyme, direction, peer, count and hex");
    if (direction !== "rx" && direction !== "tx") throw bad(`direction must be rx or tx, got ${direction}`);
    const tyme = tymeField === "-" ? undefined : Number(tymeField);
    if (tyme !== undefined && Number.isNaN(tyme)) throw bad(`bad tyme ${tymeField}`);
    const count = Number(countField);
    if (!Number.isInteger(count) || count < 0 || hex.length !== count * 2 || !/^[0-9a-f]*$/i.test(hex)) {
      throw bad(`count ${countField} does not match the hex`);
    }
    let peer: string;
    try {
      peer = decodePeer(peerField!);
    } catch {
      throw bad(`bad peer ${peerField}`);
    }
    entries.push({ tyme, direction, peer, bytes: Uint8Array.from(Buffer.from(hex, "hex")) });
  }
  return entries;
}
