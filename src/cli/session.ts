/**
 * What every `hio` command shares: its terminal streams, the Doist that runs
 * it, the meter and status line, the optional wirelog, and a clean stop on
 * Ctrl-C.
 *
 * @module
 */
import { Readable } from "node:stream";
import { DoDoer, Doist, WireLog, type ConsoleInput, type ConsoleOutput, type Doable } from "../index.js";
import { UsageError } from "./exit-codes.js";
import { Meter, StatusLine, type StatusStream } from "./status-line.js";

/** The streams a command uses: the process' own, or test doubles. */
export interface CliIo {
  stdin: ConsoleInput;
  stdout: ConsoleOutput & { isTTY?: boolean };
  stderr: StatusStream;
}

/** The process' stdin, stdout and stderr. */
export function processIo(): CliIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
}

/**
 * Makes an input that never delivers anything, for a Console that only
 * writes (so stdin is left alone).
 * @returns a ConsoleInput with no data and no end
 */
export function noInput(): ConsoleInput {
  return new Readable({ read() {} });
}

/** Options of {@link Session}. */
export interface SessionOptions {
  /** The command, e.g. `echo` or `udp listen`. */
  command: string;
  /** What runs, for the status line, e.g. `hio echo 127.0.0.1:7000`. */
  label?: string;
  /** The streams. */
  io: CliIo;
  /** `--wirelog FILE`. */
  wirelog?: string | undefined;
  /** `--status` (true), `--no-status` (false), or neither (undefined). */
  status?: boolean | undefined;
  /** Whether the command writes data to stdout: then the status line is off by default when stdout is the same terminal. */
  dataOnStdout?: boolean;
  /** What a connection is called in the status line. */
  noun?: string;
}

/** A DoDoer that is done as soon as `finished()` says so, closing everything it runs. */
class CommandDoer extends DoDoer {
  constructor(
    doers: Doable[],
    readonly finished: () => boolean,
  ) {
    super({ doers });
  }

  override recur(tyme: number): boolean {
    return super.recur(tyme) || this.finished();
  }
}

/**
 * One run of a command: the Doist (real time), the meter that counts bytes,
 * the status line, and the wirelog.
 */
export class Session {
  /** The command, e.g. `echo`. */
  readonly command: string;
  /** The streams. */
  readonly io: CliIo;
  /** The root scheduler. */
  readonly doist: Doist;
  /** Byte and connection counts; pass it as a handle's `wirelog`. */
  readonly meter: Meter;
  /** The status line (a doer); also prints log lines. */
  readonly status: StatusLine;
  /** The transcript, with `--wirelog`. */
  readonly wirelog: WireLog | undefined;
  #finished = false;

  /**
   * @param options `command`, `label`, `io`, `wirelog`, `status`, `dataOnStdout`, `noun`
   * @throws UsageError when the wirelog file cannot be opened
   */
  constructor(options: SessionOptions) {
    this.command = options.command;
    this.io = options.io;
    this.doist = new Doist({ name: `hio ${options.command}`, real: true, tock: 1 / 32 });
    if (options.wirelog !== undefined) {
      try {
        this.wirelog = new WireLog({ path: options.wirelog, tymth: this.doist.tymen(), name: `hio ${options.command}` });
      } catch (error) {
        throw new UsageError(`--wirelog: cannot open ${options.wirelog}: ${(error as Error).message}`, options.command);
      }
    }
    this.meter = new Meter(this.wirelog);
    // By default, no status line on the terminal that shows the data.
    const enabled = options.status ?? !(options.dataOnStdout === true && options.io.stdout.isTTY === true);
    this.status = new StatusLine({
      stream: options.io.stderr,
      label: options.label ?? `hio ${options.command}`,
      meter: this.meter,
      enabled,
      ...(options.noun === undefined ? {} : { noun: options.noun }),
    });
  }

  /**
   * Sets what the status line names (once the address is known).
   * @param label e.g. `hio echo 127.0.0.1:41234`
   */
  relabel(label: string): void {
    this.status.label = label;
  }

  /**
   * Prints `hio <command>: <message>` on stderr, above the status line.
   * @param message the text
   */
  log(message: string): void {
    this.status.print(`hio ${this.command}: ${message}`);
  }

  /** Ends the run at the next pass: every doer is closed, then `run` resolves. */
  finish(): void {
    this.#finished = true;
  }

  /**
   * Runs `doers` (and the status line) until `finish()`, Ctrl-C or an error.
   * @param doers the command's doers
   * @returns whether Ctrl-C (or SIGTERM) stopped it
   * @throws what a doer threw, after every exit ran
   */
  async run(doers: Doable[]): Promise<{ interrupted: boolean }> {
    let interrupted = false;
    // Our own listener also keeps the Doist from re-raising the signal: we
    // want to return an exit code, not die by it.
    const onSignal = (): void => {
      interrupted = true;
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    try {
      const all: Doable[] = this.status.enabled ? [...doers, this.status] : doers;
      await this.doist.do({ doers: [new CommandDoer(all, () => this.#finished)] });
    } finally {
      process.removeListener("SIGINT", onSignal);
      process.removeListener("SIGTERM", onSignal);
      this.wirelog?.close();
    }
    return { interrupted };
  }
}
