/**
 * ConsoleDoer and EchoConsoleDoer: the terminal in a Doist, after hio's
 * doers of the same names.
 *
 * @module
 */
import type { DoerOptions, Operation } from "../core/index.js";
import { EndOfStreamError, readLine, writeAll } from "../io/index.js";
import type { Console } from "./console.js";
import { SerialDoer, type SerialHandler } from "./serial-doer.js";

/** Options of {@link ConsoleDoer}. */
export interface ConsoleDoerOptions extends DoerOptions {
  /** The console to open, service and close. */
  console: Console;
  /** Protocol code to run against it, as for a SerialDoer. */
  handler?: SerialHandler<Console>;
}

/**
 * Opens a {@link Console} in its enter context, services it, and closes it
 * (restoring the terminal) in its exit context. With a `handler` it is done
 * when the handler returns; see {@link SerialDoer}.
 *
 * @example
 * ```ts
 * const terminal = new Console();
 * const doer = new ConsoleDoer({
 *   console: terminal,
 *   handler: function* (terminal) {
 *     for (;;) terminal.write(`you typed ${yield* readLineText(terminal.rxbs)}\n`);
 *   },
 * });
 * await new Doist({ doers: [doer], real: true }).do();
 * ```
 */
export class ConsoleDoer extends SerialDoer<Console> {
  /**
   * Creates the doer.
   * @param options `console`, `handler`, `tock`
   * @throws TypeError when `console` is missing
   */
  constructor(options: ConsoleDoerOptions) {
    const { console, handler, ...rest } = options;
    super({ ...rest, serial: console, ...(handler === undefined ? {} : { handler }) });
  }

  /** The console it runs. */
  get console(): Console {
    return this.serial;
  }
}

// hio's prompt, newline and all.
const PROMPT = "Type cmd & \n: ";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Echoes what is typed, like hio's `EchoConsoleDoer`: it greets with the
 * commands, then answers each line with `Echo: <line>`; `h` prints help and
 * `q` says goodbye and ends the doer (so a Doist running only it ends too).
 * The end of input ends it as well.
 *
 * @example
 * ```ts
 * await new Doist({ doers: [new EchoConsoleDoer({ console: new Console() })], real: true }).do();
 * ```
 */
export class EchoConsoleDoer extends ConsoleDoer {
  /**
   * Creates the doer.
   * @param options `console`, `tock`
   */
  constructor(options: Omit<ConsoleDoerOptions, "handler">) {
    super({ ...options, handler: echoLines });
  }
}

function* echoLines(console: Console): Operation<void> {
  yield* writeAll(console.txbs, encoder.encode(`Cmds: q=quit, h=help otherwise echoes.\n${PROMPT}`));
  for (;;) {
    let line: string;
    try {
      line = decoder.decode(yield* readLine(console.rxbs));
    } catch (error) {
      if (error instanceof EndOfStreamError) return;
      throw error;
    }
    if (line === "q") {
      yield* writeAll(console.txbs, encoder.encode("Goodbye.\n"));
      return;
    }
    const reply = line === "h" ? "Help: type q to quit or h for help.\n" : `Echo: ${line}\n`;
    yield* writeAll(console.txbs, encoder.encode(reply + PROMPT));
  }
}
