/**
 * The live status line of `hio`: connections, bytes in and out, and how
 * often the I/O doer ran, redrawn in place on stderr when it is a terminal.
 *
 * @module
 */
import { performance } from "node:perf_hooks";
import { Doer } from "../index.js";

/** Where the status line and log messages go (process.stderr fits). */
export interface StatusStream {
  write(text: string): unknown;
  /** True for a terminal: only then is a status line drawn. */
  isTTY?: boolean | undefined;
  /** Terminal width; the line is cut to fit. */
  columns?: number | undefined;
}

/**
 * Counts what a command moved. Handles take it as their `wirelog` (it passes
 * every chunk on to a real WireLog when there is one), and the command's I/O
 * doer counts its runs in `passes`.
 */
export class Meter {
  /** Bytes received. */
  bytesIn = 0;
  /** Bytes sent. */
  bytesOut = 0;
  /** Connections (or peers) open now. */
  connections = 0;
  /** Connections (or peers) seen since start. */
  total = 0;
  /** Times the I/O doer ran. */
  passes = 0;
  /** Where chunks are recorded as well, if anywhere. */
  readonly wirelog: { rx(bytes: Uint8Array, peer: string): void; tx(bytes: Uint8Array, peer: string): void } | undefined;

  /**
   * @param wirelog a WireLog to pass every chunk on to
   */
  constructor(wirelog?: { rx(bytes: Uint8Array, peer: string): void; tx(bytes: Uint8Array, peer: string): void }) {
    this.wirelog = wirelog;
  }

  /**
   * Counts (and passes on) bytes received from `peer`.
   * @param bytes the chunk
   * @param peer the sender
   */
  rx(bytes: Uint8Array, peer: string): void {
    this.bytesIn += bytes.length;
    this.wirelog?.rx(bytes, peer);
  }

  /**
   * Counts (and passes on) bytes sent to `peer`.
   * @param bytes the chunk
   * @param peer the receiver
   */
  tx(bytes: Uint8Array, peer: string): void {
    this.bytesOut += bytes.length;
    this.wirelog?.tx(bytes, peer);
  }
}

/**
 * Formats a byte count for people: `512 B`, `1.5 KiB`, `3.2 MiB`.
 * @param bytes the count
 * @returns the text
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return `${(bytes / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}

/**
 * Formats the status text.
 * @param label what runs, e.g. `hio echo 127.0.0.1:7000`
 * @param meter the counts
 * @param ticksPerSecond runs of the I/O doer per second of wall clock
 * @param noun what a connection is called (`conn`, `peer`)
 * @returns e.g. `hio echo 127.0.0.1:7000 | 2 conn (5 total) | in 1.2 KiB | out 1.2 KiB | 3 ticks/s`
 */
export function formatStatus(label: string, meter: Meter, ticksPerSecond: number, noun = "conn"): string {
  return `${label} | ${meter.connections} ${noun} (${meter.total} total) | in ${formatBytes(meter.bytesIn)} | out ${formatBytes(meter.bytesOut)} | ${Math.round(ticksPerSecond)} ticks/s`;
}

const CLEAR = "\r\x1b[K";
const WINDOW = 4;

/**
 * A doer that redraws the status line every `tock` seconds (default 0.5) on
 * a terminal, and prints log lines above it. When disabled (not a terminal,
 * or `--no-status`) it only prints the log lines, and does not run at all.
 *
 * "ticks/s" is how many times per second of wall clock the command's I/O
 * doer actually ran: it is 0 while the command idles, because the Doist
 * sleeps until a socket event instead of polling.
 */
export class StatusLine extends Doer {
  /** Whether the line is drawn. */
  readonly enabled: boolean;
  /** What runs, e.g. `hio echo 127.0.0.1:7000` (settable once the address is known). */
  label: string;
  readonly #stream: StatusStream;
  readonly #meter: Meter;
  readonly #noun: string;
  #shown = "";
  // The rate is taken over the last WINDOW draws, so a doer that runs once a
  // second does not make it flicker between 0 and 2.
  readonly #samplesAt = new Float64Array(WINDOW);
  readonly #samplesPasses = new Float64Array(WINDOW);
  #samples = 0;

  /**
   * @param options `stream` (stderr), `label`, `meter`, `enabled` (drawn only if also a terminal), `noun`, `tock`
   */
  constructor(options: { stream: StatusStream; label: string; meter: Meter; enabled: boolean; noun?: string; tock?: number }) {
    super({ tock: options.tock ?? 0.5 });
    this.#stream = options.stream;
    this.label = options.label;
    this.#meter = options.meter;
    this.#noun = options.noun ?? "conn";
    this.enabled = options.enabled && options.stream.isTTY === true;
  }

  /**
   * Prints a log line, keeping the status line below it.
   * @param line the text, without a newline
   */
  print(line: string): void {
    if (this.#shown !== "") this.#stream.write(CLEAR);
    this.#stream.write(`${line}\n`);
    if (this.#shown !== "") this.#stream.write(this.#shown);
  }

  override enter(): void {
    this.#samples = 0;
  }

  override recur(tyme: number): boolean {
    void tyme;
    if (!this.enabled) {
      this.idle(); // nothing to draw: never run again
      return false;
    }
    let text = formatStatus(this.label, this.#meter, this.#sample(), this.#noun);
    const width = this.#stream.columns;
    if (width !== undefined && width > 1 && text.length >= width) text = text.slice(0, width - 1);
    this.#shown = text;
    this.#stream.write(CLEAR + text);
    return false;
  }

  /** Records the pass count now; returns passes per second over the window (0 until two samples). */
  #sample(): number {
    // Wall clock on purpose: the rate is for people watching a terminal.
    const now = performance.now();
    const slot = this.#samples % WINDOW;
    const oldest = this.#samples < WINDOW ? 0 : slot;
    const rate = this.#samples === 0 ? 0 : ((this.#meter.passes - this.#samplesPasses[oldest]!) * 1000) / Math.max(now - this.#samplesAt[oldest]!, 1);
    this.#samplesAt[slot] = now;
    this.#samplesPasses[slot] = this.#meter.passes;
    this.#samples++;
    return rate;
  }

  /** Exit context: removes the line, so the shell prompt starts clean. */
  override exit(): void {
    if (this.#shown !== "") this.#stream.write(CLEAR);
    this.#shown = "";
  }
}
