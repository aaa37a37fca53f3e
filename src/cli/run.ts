/**
 * The `hio` command: dispatches to the subcommands, prints help, and turns
 * failures into messages and exit codes.
 *
 * @module
 */
import { ConnectError, HioError, ListenError, SerialOpenError, TlsError, UdpOpenError } from "../index.js";
import packageJson from "../../package.json" with { type: "json" };
import { humanize } from "./args.js";
import { bridgeCommand, bridgeHelp } from "./commands/bridge.js";
import { connectCommand, connectHelp } from "./commands/connect.js";
import { echoCommand, echoHelp } from "./commands/echo.js";
import { listenCommand, listenHelp } from "./commands/listen.js";
import { serialCommand, serialHelp } from "./commands/serial.js";
import { udpCommand, udpHelp } from "./commands/udp.js";
import { ExitCode, UsageError } from "./exit-codes.js";
import { processIo, type CliIo } from "./session.js";

/** `hio --help`. */
export const mainHelp = `usage: hio <command> [options]

Cooperative, non-blocking network and device I/O from the command line,
built on hio-ts (a Doist running the handles' doers).

commands:
  echo      --port N             a TCP echo server (--ssl: over TLS)
  connect   HOST:PORT            stdin to a TCP connection and back (like nc;
            HOST PORT            -z: only check the port; --ssl: over TLS)
  listen    --port N             a TCP port to stdout and back (like nc -l)
  udp send  HOST:PORT [MESSAGE]  send datagrams; --replies N waits for answers
  udp listen --port N            print the datagrams received; --echo answers
  serial list                    list the serial ports
  serial monitor PATH --baud N   a miniterm on a serial port (Ctrl-] quits)
  bridge    PATH --port N        a serial port served on a TCP port (like
                                 socat TCP-LISTEN:N FILE:PATH,raw)

every command takes:
  --wirelog FILE   append a transcript of every chunk received and sent
  --status         draw a live status line on stderr (connections, bytes in
                   and out, ticks/s); drawn by default when stderr is a
                   terminal that does not also show the command's data
  --no-status      never draw it
  -h, --help       help for the command

  -V, --version    print the version of hio-ts and exit

exit codes: 0 done, 1 failure while running, 2 bad arguments, 3 connection
refused/unreachable/timed out, 4 cannot listen or bind, 5 serial device
missing or not permitted, 130 Ctrl-C (SIGINT), 143 SIGTERM.`;

/** The version `hio --version` prints (the package's). */
export const version: string = packageJson.version;

const COMMANDS: Record<string, { run: (argv: string[], io: CliIo) => Promise<number>; help: string }> = {
  echo: { run: echoCommand, help: echoHelp },
  connect: { run: connectCommand, help: connectHelp },
  listen: { run: listenCommand, help: listenHelp },
  udp: { run: udpCommand, help: udpHelp },
  serial: { run: serialCommand, help: serialHelp },
  bridge: { run: bridgeCommand, help: bridgeHelp },
};

/**
 * Picks the exit code for a failure.
 * @param error what was thrown
 * @returns the exit code
 */
export function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError) return ExitCode.usage;
  if (error instanceof ConnectError || error instanceof TlsError) return ExitCode.connect;
  if (error instanceof ListenError || error instanceof UdpOpenError) return ExitCode.listen;
  if (error instanceof SerialOpenError) return ExitCode.device;
  return ExitCode.failure;
}

/**
 * Runs `hio` with `argv` (the arguments after the program name).
 * @param argv e.g. `["echo", "--port", "7000"]`
 * @param io the streams (default: the process')
 * @returns the exit code
 * @example
 * ```ts
 * process.exitCode = await run(["connect", "127.0.0.1:7000"]);
 * ```
 */
export async function run(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    const topic = name === "help" && rest[0] !== undefined ? COMMANDS[rest[0]] : undefined;
    (name === undefined ? io.stderr : io.stdout).write(`${topic?.help ?? mainHelp}\n`);
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (name === "--version" || name === "-V" || name === "version") {
    io.stdout.write(`hio ${version} (hio-ts, node ${process.versions.node})\n`);
    return ExitCode.ok;
  }
  const command = COMMANDS[name];
  try {
    if (command === undefined) throw new UsageError(`unknown command ${JSON.stringify(name)}`, "");
    return await command.run(rest, io);
  } catch (error) {
    const prefix = error instanceof UsageError && error.command !== "" ? `hio ${error.command}` : name === undefined ? "hio" : `hio ${command === undefined ? "" : name}`.trim();
    const message = humanize(error instanceof Error ? error.message : String(error));
    io.stderr.write(`${prefix}: ${message}\n`);
    if (error instanceof UsageError) io.stderr.write(`run "hio ${error.command === "" ? "--help" : `${error.command} --help`}" for usage\n`);
    else if (!(error instanceof HioError)) io.stderr.write(`${(error as Error)?.stack ?? ""}\n`);
    return exitCodeOf(error);
  }
}
