/**
 * `hio serial list` and `hio serial monitor`: the serial ports, and a
 * miniterm on one of them.
 *
 * @module
 */
import { Console, ConsoleDoer, EndOfStreamError, Serial, SerialDoer, doify, listSerialPorts, readAvailable, waitFor, writeAll, type Doable, type Tymth } from "../../index.js";
import { noExtra, parseCommand, parseSeconds } from "../args.js";
import { ExitCode, UsageError } from "../exit-codes.js";
import { drained, pump } from "../pump.js";
import { SERIAL_LINE_HELP, SERIAL_LINE_OPTIONS, serialLineOptions } from "../serial-options.js";
import { Session, type CliIo } from "../session.js";

/** `hio serial --help`. */
export const serialHelp = `usage: hio serial list [--json]
       hio serial monitor PATH [--baud N] [--parity P] [--rtscts] [--xonxoff] [--dtr on|off] [--rts on|off]
                          [--eol crlf|cr|lf] [--echo] [--hex] [--reopen] [-q S | --eof-exit] [--wirelog FILE]

  list      lists the serial ports: path, USB vendor:product, manufacturer, serial number
  monitor   a miniterm: keys go to the device, what it sends goes to stdout;
            Ctrl-] quits (exit 0)

Run "hio serial list --help" or "hio serial monitor --help" for their options.`;

/** `hio serial list --help`. */
export const serialListHelp = `usage: hio serial list [--json]

Lists the serial ports the system knows, one per line: path, USB
vendor:product ids, manufacturer and serial number where known. Nothing is
printed (and the exit code is 0) when there are none.

options:
  --json       print a JSON array of the ports instead
  -h, --help   show this help`;

/** `hio serial monitor --help`. */
export const serialMonitorHelp = `usage: hio serial monitor PATH [--baud N] [--parity P] [--rtscts] [--xonxoff] [--dtr on|off] [--rts on|off]
                          [--eol crlf|cr|lf] [--echo] [--hex] [--reopen] [-q S | --eof-exit] [--wirelog FILE]

A miniterm on the serial port PATH: on a terminal each key goes to the
device as it is typed (raw mode) and Enter sends the --eol ending; what the
device sends is written to stdout. Ctrl-] quits. Input that is not a
terminal (a pipe, a file) is sent unchanged; when it ends, hio keeps
printing until Ctrl-C, or with -q S quits S seconds later, so a script can
send a command and collect the answer:

  printf 'AT\\r\\n' | hio serial monitor /dev/ttyUSB0 --baud 9600 -q 1

options:
${SERIAL_LINE_HELP}
  --eol E          what Enter sends: crlf (default), cr or lf
  --echo           echo typed keys locally
  --hex            print what the device sends as hex bytes, one line per
                   chunk received ("4f 4b 0d 0a")
  -q, --quit-after S
                   quit S seconds after the input ended (a pipe or file)
  --eof-exit       the same as -q 0: quit once the input was sent and what
                   came back so far is printed
  --wirelog FILE   append a transcript of every chunk received and sent
  --status         draw the live status line on stderr (default: only when
                   stdout is not the terminal)
  --no-status      do not draw it
  -h, --help       show this help

exit codes: 0 Ctrl-] or -q, 1 the device went away, 2 bad arguments, 5 no
such device, permission denied or busy, 130 Ctrl-C, 143 SIGTERM`;

const QUIT = 0x1d; // Ctrl-]
const ENDINGS = { crlf: new Uint8Array([13, 10]), cr: new Uint8Array([13]), lf: new Uint8Array([10]) } as const;

/**
 * Runs `hio serial list|monitor`.
 * @param argv the arguments after `serial`
 * @param io the streams
 * @returns the exit code
 * @throws UsageError for bad arguments; SerialOpenError (and subclasses) when the device cannot be opened
 */
export async function serialCommand(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === "list") return listCommand(rest, io);
  if (sub === "monitor") return monitorCommand(rest, io);
  if (sub === undefined || sub === "--help" || sub === "-h" || sub === "help") {
    (sub === undefined ? io.stderr : io.stdout).write(`${serialHelp}\n`);
    return sub === undefined ? ExitCode.usage : ExitCode.ok;
  }
  throw new UsageError(`unknown serial command ${JSON.stringify(sub)} (list or monitor)`, "serial");
}

async function listCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand("serial list", argv, { json: { type: "boolean", default: false } });
  if (values.help === true) {
    io.stdout.write(`${serialListHelp}\n`);
    return ExitCode.ok;
  }
  noExtra("serial list", positionals, 0);
  const ports = await listSerialPorts();
  let text = "";
  if (values.json) text = `${JSON.stringify(ports, null, 2)}\n`;
  else {
    for (const port of ports) {
      const ids = port.vendorId === undefined ? "-" : `${port.vendorId}:${port.productId ?? "?"}`;
      text += `${port.path}\t${ids}\t${port.manufacturer ?? "-"}\t${port.serialNumber ?? "-"}\n`;
    }
  }
  if (text !== "") io.stdout.write(new TextEncoder().encode(text));
  return ExitCode.ok;
}

/**
 * Formats bytes as lowercase hex pairs separated by spaces, with a newline.
 * @param bytes the chunk
 * @returns e.g. `4f 4b 0d 0a\n`
 */
export function hexLine(bytes: Uint8Array): Uint8Array {
  let text = "";
  for (let index = 0; index < bytes.length; index++) text += `${index === 0 ? "" : " "}${bytes[index]!.toString(16).padStart(2, "0")}`;
  return new TextEncoder().encode(`${text}\n`);
}

/**
 * Logs the device going away and coming back (under --reopen) as it happens.
 * @param serial the handle
 * @param session where to log
 * @returns the doer
 */
export function deviceWatch(serial: Serial, session: Session): Doable {
  return doify(
    function* watchDevice() {
      let state = serial.state;
      for (;;) {
        yield* waitFor(serial.stateSignal);
        const now = serial.state;
        if (now === state) continue;
        if (now === "cutoff" && state === "open") {
          session.log(`${serial.path ?? serial.name} went away${serial.reopenable ? "; waiting for it to come back (--reopen)" : ""}`);
        } else if (now === "open" && state !== "open" && serial.opens > 1) {
          session.log(`${serial.path ?? serial.name} is back`);
        }
        state = now;
      }
    },
    { name: "device watch" },
  );
}

async function monitorCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand("serial monitor", argv, {
    ...SERIAL_LINE_OPTIONS,
    eol: { type: "string", default: "crlf" },
    echo: { type: "boolean", default: false },
    hex: { type: "boolean", default: false },
    "quit-after": { type: "string", short: "q" },
    "eof-exit": { type: "boolean", default: false },
  });
  if (values.help === true) {
    io.stdout.write(`${serialMonitorHelp}\n`);
    return ExitCode.ok;
  }
  noExtra("serial monitor", positionals, 1);
  const path = positionals[0];
  if (path === undefined) throw new UsageError("a device PATH is required, e.g. /dev/ttyUSB0", "serial monitor");
  const eol = values.eol.toLowerCase();
  if (eol !== "crlf" && eol !== "cr" && eol !== "lf") throw new UsageError(`--eol must be crlf, cr or lf, got ${JSON.stringify(values.eol)}`, "serial monitor");
  const quitAfter = values["eof-exit"] ? 0 : values["quit-after"] === undefined ? undefined : parseSeconds("serial monitor", "-q", values["quit-after"]);
  const enter = ENDINGS[eol];
  const warnings: string[] = [];
  const lineOptions = serialLineOptions("serial monitor", path, values, (message) => warnings.push(message));
  const session = new Session({
    command: "serial monitor",
    label: `hio serial ${path}`,
    io,
    wirelog: values.wirelog,
    status: values["no-status"] === true ? false : values.status,
    dataOnStdout: true,
    noun: "device",
  });
  const meter = session.meter;
  const baudRate = lineOptions.baudRate!;
  const serial = new Serial({ ...lineOptions, wirelog: meter });
  try {
    await serial.open();
  } catch (error) {
    session.wirelog?.close();
    throw error;
  }
  for (const warning of warnings.splice(0)) session.log(warning);
  meter.connections = 1;
  meter.total = 1;
  const keyboard = io.stdin.isTTY === true;
  const terminal = new Console({ input: io.stdin, output: io.stdout, mode: "bytes", raw: keyboard, name: "stdio" });
  const keys = doify(
    function* keysToDevice(tymth: Tymth) {
      for (;;) {
        let chunk: Uint8Array;
        try {
          chunk = yield* readAvailable(terminal.rxbs, { max: 4096 });
        } catch (error) {
          if (!(error instanceof EndOfStreamError)) throw error;
          if (quitAfter === undefined) return true; // piped input ended: keep printing
          yield* drained(serial.txbs);
          const end = tymth() + quitAfter;
          while (tymth() < end) yield end - tymth();
          yield* drained(terminal.txbs);
          session.finish();
          return true;
        }
        if (!keyboard) {
          yield* writeAll(serial.txbs, chunk);
          continue;
        }
        // Runs of ordinary keys go out as they are; Enter becomes the --eol ending.
        let start = 0;
        for (let index = 0; index <= chunk.length; index++) {
          const byte = index < chunk.length ? chunk[index]! : -1;
          if (byte !== 13 && byte !== QUIT && byte !== -1) continue;
          if (index > start) {
            const run = chunk.subarray(start, index);
            yield* writeAll(serial.txbs, run);
            if (values.echo) yield* writeAll(terminal.txbs, run);
          }
          start = index + 1;
          if (byte === QUIT) {
            session.finish();
            return true;
          }
          if (byte === 13) {
            yield* writeAll(serial.txbs, enter);
            if (values.echo) yield* writeAll(terminal.txbs, ENDINGS.crlf);
          }
        }
      }
    },
    { name: "keys to device" },
  );
  const output = doify(
    function* deviceToStdout() {
      if (values.hex) {
        for (;;) {
          let chunk: Uint8Array;
          try {
            chunk = yield* readAvailable(serial.rxbs, { max: 16 });
          } catch (error) {
            if (error instanceof EndOfStreamError) break;
            throw error;
          }
          yield* writeAll(terminal.txbs, hexLine(chunk));
        }
      } else {
        yield* pump(serial.rxbs, terminal.txbs);
      }
      yield* drained(terminal.txbs);
      session.finish(); // the device went away (without --reopen)
      return true;
    },
    { name: "device to stdout" },
  );
  class CountingSerialDoer extends SerialDoer<Serial> {
    override recur(tyme: number): boolean {
      meter.passes++;
      for (const warning of warnings.splice(0)) session.log(warning);
      return super.recur(tyme);
    }
  }
  const running = session.run([keys, output, deviceWatch(serial, session), new CountingSerialDoer({ serial }), new ConsoleDoer({ console: terminal })]);
  // Logged once the terminal is in raw mode, so keys typed after it count as keys.
  session.log(`${path} at ${baudRate} baud${keyboard ? "; Ctrl-] quits" : ""}`);
  const end = await running;
  if (end.interrupted) return end.signalCode;
  if (serial.error !== undefined) {
    session.log(serial.error.message);
    return ExitCode.failure;
  }
  return ExitCode.ok;
}
