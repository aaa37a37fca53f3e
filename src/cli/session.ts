/**
 * What every `hio` command shares: its terminal streams, the Doist that runs
 * it, the meter and status line, the optional wirelog, and a clean stop on
 * Ctrl-C.
 *
 * @module
 */
import { Readable } from "node:stream";
import { DoDoer, Doist, WireLog, WireLogError, doify, type ConsoleInput, type ConsoleOutput, type Doable, type Tymth } from "../index.js";
import { humanize } from "./args.js";
import { ExitCode, UsageError } from "./exit-codes.js";
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
  /** `-w SECONDS`: finish when no byte moved either way for this long once connected (undefined: never). */
  idle?: number | undefined;
}

/** How {@link Session.run} ended. */
export interface SessionEnd {
  /** Whether SIGINT or SIGTERM stopped it. */
  interrupted: boolean;
  /** The signal that stopped it, if any. */
  signal: "SIGINT" | "SIGTERM" | undefined;
  /** The exit code for the signal: 130 for SIGINT, 143 for SIGTERM (0 when none). */
  signalCode: number;
  /** Whether `-w` ended it (nothing moved for that long). */
  idled: boolean;
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
  /** `-w SECONDS`, if given. */
  readonly idle: number | undefined;
  #finished = false;
  #idled = false;

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
        const reason = error instanceof WireLogError ? error.message.replace(/^.*? for appending: /, "") : (error as Error).message;
        throw new UsageError(`--wirelog: cannot open ${options.wirelog}: ${reason}`, options.command);
      }
    }
    this.idle = options.idle;
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
    this.status.print(`hio ${this.command}: ${humanize(message)}`);
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
  async run(doers: Doable[]): Promise<SessionEnd> {
    let signal: "SIGINT" | "SIGTERM" | undefined;
    // Our own listeners also keep the Doist from re-raising the signal: we
    // want to return an exit code (130 or 143), not die by it.
    const onInt = (): void => {
      signal ??= "SIGINT";
    };
    const onTerm = (): void => {
      signal ??= "SIGTERM";
    };
    process.on("SIGINT", onInt);
    process.on("SIGTERM", onTerm);
    try {
      const all: Doable[] = this.status.enabled ? [...doers, this.status] : [...doers];
      if (this.idle !== undefined) all.push(this.#idleWatch(this.idle));
      await this.doist.do({ doers: [new CommandDoer(all, () => this.#finished)] });
    } finally {
      process.removeListener("SIGINT", onInt);
      process.removeListener("SIGTERM", onTerm);
      this.wirelog?.close();
    }
    const signalCode = signal === "SIGTERM" ? ExitCode.terminated : signal === "SIGINT" ? ExitCode.interrupted : ExitCode.ok;
    return { interrupted: signal !== undefined, signal, signalCode, idled: this.#idled };
  }

  /**
   * A doer that finishes the run once no byte moved either way for `seconds`.
   * @param seconds the idle limit
   * @returns the doer
   */
  #idleWatch(seconds: number): Doable {
    const meter = this.meter;
    const session = this;
    const step = Math.min(0.25, seconds / 4);
    return doify(
      function* idleWatch(tymth: Tymth) {
        let moved = meter.bytesIn + meter.bytesOut;
        let since = tymth();
        for (;;) {
          yield step;
          const now = meter.bytesIn + meter.bytesOut;
          // Idle time counts from the first connection: waiting to connect
          // (or for a peer to come) is bounded by the command's own timeout.
          if (now !== moved || meter.total === 0) {
            moved = now;
            since = tymth();
          } else if (tymth() - since >= seconds) {
            session.log(`nothing sent or received for ${seconds} s: closing (-w)`);
            session.#idled = true;
            session.finish();
            return true;
          }
        }
      },
      { name: "idle watch" },
    );
  }
}
