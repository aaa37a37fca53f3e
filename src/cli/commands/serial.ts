/**
 * `hio serial list` and `hio serial monitor`: the serial ports, and a
 * miniterm on one of them.
 *
 * @module
 */
import { Console, ConsoleDoer, EndOfStreamError, Serial, SerialDoer, doify, listSerialPorts, readAvailable, writeAll } from "../../index.js";
import { noExtra, parseCommand, parsePositive } from "../args.js";
import { ExitCode, UsageError } from "../exit-codes.js";
import { drained, pump } from "../pump.js";
import { Session, type CliIo } from "../session.js";

/** `hio serial --help`. */
export const serialHelp = `usage: hio serial list [--json]
       hio serial monitor PATH [--baud N] [--eol crlf|cr|lf] [--echo] [--reopen] [--wirelog FILE]

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
export const serialMonitorHelp = `usage: hio serial monitor PATH [--baud N] [--eol crlf|cr|lf] [--echo] [--reopen] [--wirelog FILE] [--status | --no-status]

A miniterm on the serial port PATH: on a terminal each key goes to the
device as it is typed (raw mode) and Enter sends the --eol ending; what the
device sends is written to stdout. Ctrl-] quits. Input that is not a
terminal (a pipe, a file) is sent unchanged; when it ends, hio keeps
printing until Ctrl-C.

options:
  --baud N         baud rate (default 115200)
  --eol E          what Enter sends: crlf (default), cr or lf
  --echo           echo typed keys locally
  --reopen         when the device goes away, wait for it to come back
                   (default: exit 1)
  --wirelog FILE   append a transcript of every chunk received and sent
  --status         draw the live status line on stderr (default: only when
                   stdout is not the terminal)
  --no-status      do not draw it
  -h, --help       show this help

exit codes: 1 the device went away, 2 bad arguments, 5 no such device,
permission denied or busy, 130 Ctrl-C`;

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

async function monitorCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand("serial monitor", argv, {
    baud: { type: "string", default: "115200" },
    eol: { type: "string", default: "crlf" },
    echo: { type: "boolean", default: false },
    reopen: { type: "boolean", default: false },
  });
  if (values.help === true) {
    io.stdout.write(`${serialMonitorHelp}\n`);
    return ExitCode.ok;
  }
  noExtra("serial monitor", positionals, 1);
  const path = positionals[0];
  if (path === undefined) throw new UsageError("a device PATH is required, e.g. /dev/ttyUSB0", "serial monitor");
  const baudRate = parsePositive("serial monitor", "--baud", values.baud, true);
  const eol = values.eol.toLowerCase();
  if (eol !== "crlf" && eol !== "cr" && eol !== "lf") throw new UsageError(`--eol must be crlf, cr or lf, got ${JSON.stringify(values.eol)}`, "serial monitor");
  const enter = ENDINGS[eol];
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
  const serial = new Serial({ path, baudRate, reopenable: values.reopen, wirelog: meter });
  try {
    await serial.open();
  } catch (error) {
    session.wirelog?.close();
    throw error;
  }
  meter.connections = 1;
  meter.total = 1;
  const keyboard = io.stdin.isTTY === true;
  const terminal = new Console({ input: io.stdin, output: io.stdout, mode: "bytes", raw: keyboard, name: "stdio" });
  const keys = doify(
    function* keysToDevice() {
      for (;;) {
        let chunk: Uint8Array;
        try {
          chunk = yield* readAvailable(terminal.rxbs, { max: 4096 });
        } catch (error) {
          if (error instanceof EndOfStreamError) return true; // piped input ended: keep printing
          throw error;
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
      yield* pump(serial.rxbs, terminal.txbs);
      yield* drained(terminal.txbs);
      session.finish(); // the device went away (without --reopen)
      return true;
    },
    { name: "device to stdout" },
  );
  class CountingSerialDoer extends SerialDoer<Serial> {
    override recur(tyme: number): boolean {
      meter.passes++;
      return super.recur(tyme);
    }
  }
  const running = session.run([keys, output, new CountingSerialDoer({ serial }), new ConsoleDoer({ console: terminal })]);
  // Logged once the terminal is in raw mode, so keys typed after it count as keys.
  session.log(`${path} at ${baudRate} baud${keyboard ? "; Ctrl-] quits" : ""}`);
  const { interrupted } = await running;
  if (interrupted) return ExitCode.interrupted;
  if (serial.error !== undefined) {
    session.log(serial.error.message);
    return ExitCode.failure;
  }
  return ExitCode.ok;
}
