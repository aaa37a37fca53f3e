/**
 * Serial echo: answers every line that arrives on a serial port with the same
 * line, the way a device's test firmware would. One handler generator reads
 * `serial.rxbs` and writes `serial.txbs`; the SerialDoer opens, services and
 * closes the port.
 *
 * ```sh
 * npx tsx examples/serial-echo.ts /dev/ttyUSB0 --baud 115200     # Ctrl-C stops it
 *
 * # no hardware? make a pair of connected pseudo-terminals with socat:
 * socat -d -d pty,raw,echo=0,link=/tmp/ttyA pty,raw,echo=0,link=/tmp/ttyB &
 * npx tsx examples/serial-echo.ts /tmp/ttyA &
 * npx tsx src/cli/hio.ts serial monitor /tmp/ttyB                  # type; Ctrl-] quits
 * ```
 *
 * Options: `--baud N` (default 115200), `--reopen` (wait for the device to
 * come back when it goes away, instead of exiting). Ctrl-C stops it; exit
 * code 1 when the device cannot be opened or goes away, 2 for bad arguments.
 *
 * @module
 */
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { Doist, EndOfStreamError, HioError, Serial, SerialDoer, readLine, writeAll, type Operation, type SerialHandle } from "hio-ts";

const CRLF = new Uint8Array([13, 10]);

/**
 * Echoes each line (LF or CRLF ended) back with CRLF, counting them.
 * @param counts `lines` is incremented per echoed line
 * @returns a handler for a SerialDoer; it ends when the port's stream ends
 */
export function echoLines(counts: { lines: number } = { lines: 0 }) {
  return function* echo(serial: SerialHandle): Operation<void> {
    for (;;) {
      let line: Uint8Array;
      try {
        line = yield* readLine(serial.rxbs, { max: 4096 });
      } catch (error) {
        if (error instanceof EndOfStreamError) return; // the port closed or the device went away
        throw error;
      }
      yield* writeAll(serial.txbs, line);
      yield* writeAll(serial.txbs, CRLF);
      counts.lines++;
    }
  };
}

/**
 * Runs the echo on a port until Ctrl-C or the device goes away.
 * @param argv `PATH [--baud N] [--reopen]`
 * @param out where to print
 * @returns the exit code
 */
export async function main(argv: string[] = process.argv.slice(2), out: (line: string) => void = console.log): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { baud: { type: "string", default: "115200" }, reopen: { type: "boolean", default: false } } });
  } catch (error) {
    out(`usage: npx tsx examples/serial-echo.ts PATH [--baud N] [--reopen] (${(error as Error).message})`);
    return 2;
  }
  const path = parsed.positionals[0];
  const baudRate = Number(parsed.values.baud);
  if (path === undefined || !Number.isInteger(baudRate) || baudRate < 1) {
    out("usage: npx tsx examples/serial-echo.ts PATH [--baud N] [--reopen]");
    return 2;
  }
  const serial = new Serial({ path, baudRate, reopenable: parsed.values.reopen });
  try {
    await serial.open(); // fail early, with the reason, when there is no such device
  } catch (error) {
    out(error instanceof HioError ? error.message : String(error));
    return 1;
  }
  const counts = { lines: 0 };
  const doist = new Doist({ name: "serial-echo", real: true, doers: [new SerialDoer({ serial, handler: echoLines(counts) })] });
  const running = doist.do(); // from here on Ctrl-C stops it cleanly
  out(`echoing lines on ${path} at ${baudRate} baud`);
  await running;
  out(`stopped: ${counts.lines} lines echoed${serial.error === undefined ? "" : ` (${serial.error.message})`}`);
  return serial.error === undefined ? 0 : 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main();
