/**
 * `hio bridge`: a serial port served on a TCP port, what socat is most often
 * used for with serial devices (`socat TCP-LISTEN:N,fork FILE:PATH,raw`).
 *
 * @module
 */
import { Serial, SerialDoer, Server, ServerDoer, doify, readAvailable, EndOfStreamError, writeAll, type Operation, type Remoter } from "../../index.js";
import { formatAddress, noExtra, parseCommand, parsePort, parsePositive } from "../args.js";
import { ExitCode, UsageError } from "../exit-codes.js";
import { pump } from "../pump.js";
import { SERIAL_LINE_HELP, SERIAL_LINE_OPTIONS, serialLineOptions } from "../serial-options.js";
import { Session, type CliIo } from "../session.js";
import { deviceWatch } from "./serial.js";

/** `hio bridge --help`. */
export const bridgeHelp = `usage: hio bridge PATH --port N [--host ADDRESS] [--baud N] [serial options] [--wirelog FILE]

Serves the serial port PATH on a TCP port: what a TCP client sends goes to
the device, what the device sends goes to every connected client (like
socat TCP-LISTEN:N,fork FILE:PATH,raw, without the fork). Clients may come
and go; the device stays open. "listening on HOST:PORT" and clients coming
and going are logged on stderr. Stops on Ctrl-C.

options:
  --port N         TCP port to listen on (0: a free one, printed on stderr)
  --host ADDRESS   address to bind (default 127.0.0.1; :: or 0.0.0.0 for all)
  --max-clients N  clients at once (default 1; more are refused)
${SERIAL_LINE_HELP}
  -w, --idle S     close a client that sent and received nothing for S seconds
  --wirelog FILE   append a transcript of every chunk received and sent
  --status         draw the live status line on stderr (default on a terminal)
  --no-status      do not draw it
  -h, --help       show this help

exit codes: 1 the device went away (without --reopen), 2 bad arguments,
4 cannot listen, 5 no such device, permission denied or busy, 130 Ctrl-C,
143 SIGTERM`;

/**
 * Runs `hio bridge`.
 * @param argv the arguments after `bridge`
 * @param io the streams
 * @returns the exit code
 * @throws UsageError for bad arguments; ListenError or SerialOpenError when a side cannot be opened
 */
export async function bridgeCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand("bridge", argv, {
    ...SERIAL_LINE_OPTIONS,
    port: { type: "string" },
    host: { type: "string", default: "127.0.0.1" },
    "max-clients": { type: "string", default: "1" },
    idle: { type: "string", short: "w" },
  });
  if (values.help === true) {
    io.stdout.write(`${bridgeHelp}\n`);
    return ExitCode.ok;
  }
  noExtra("bridge", positionals, 1);
  const path = positionals[0];
  if (path === undefined) throw new UsageError("a device PATH is required, e.g. hio bridge /dev/ttyUSB0 --port 7000", "bridge");
  const port = parsePort("bridge", values.port, true);
  const maxConnections = parsePositive("bridge", "--max-clients", values["max-clients"], true);
  const idleTimeout = values.idle === undefined ? 0 : parsePositive("bridge", "-w", values.idle);
  const warnings: string[] = [];
  const lineOptions = serialLineOptions("bridge", path, values, (message) => warnings.push(message));
  const session = new Session({ command: "bridge", io, wirelog: values.wirelog, status: values["no-status"] === true ? false : values.status, noun: "client" });
  const meter = session.meter;
  const serial = new Serial({ ...lineOptions, wirelog: meter });
  const server = new Server({ host: values.host, port, wirelog: meter, maxConnections, idleTimeout });
  try {
    await serial.open();
    await server.open();
  } catch (error) {
    await serial.close();
    session.wirelog?.close();
    throw error;
  }
  for (const warning of warnings.splice(0)) session.log(warning);
  const address = formatAddress(server.host, server.port);
  session.relabel(`hio bridge ${path} ${address}`);
  const handler = function* (remoter: Remoter): Operation<void> {
    meter.connections++;
    meter.total++;
    session.log(`+ ${remoter.key}`);
    try {
      yield* pump(remoter.rxbs, serial.txbs);
    } finally {
      meter.connections--;
    }
  };
  // What the device sends goes to every client; with none, it is read and dropped
  // (as socat does between connections), so a stale answer never reaches the next client.
  const fromDevice = doify(
    function* deviceToClients() {
      for (;;) {
        let chunk: Uint8Array;
        try {
          chunk = yield* readAvailable(serial.rxbs, { max: 16 * 1024 });
        } catch (error) {
          if (!(error instanceof EndOfStreamError)) throw error;
          session.finish(); // the device went away (without --reopen)
          return true;
        }
        for (const remoter of [...server.remoters.values()]) {
          if (remoter.alive) yield* writeAll(remoter.txbs, chunk);
        }
      }
    },
    { name: "device to clients" },
  );
  class CountingServerDoer extends ServerDoer {
    override recur(tyme: number): boolean {
      meter.passes++;
      for (const warning of warnings.splice(0)) session.log(warning);
      return super.recur(tyme);
    }

    // Logged once the server has let the connection go (its slot under
    // --max-clients is free then), not when the handler ends: the reply is
    // still being flushed and the FIN sent after that.
    protected override disconnected(remoter: Remoter): void {
      super.disconnected(remoter);
      session.log(`- ${remoter.key}${remoter.error === undefined ? "" : ` (${remoter.error.message})`}`);
    }
  }
  const running = session.run([fromDevice, deviceWatch(serial, session), new CountingServerDoer({ server, handler }), new SerialDoer({ serial })]);
  session.log(`${path} at ${lineOptions.baudRate} baud; listening on ${address}`);
  const end = await running;
  if (end.interrupted) return end.signalCode;
  if (serial.error !== undefined) {
    session.log(serial.error.message);
    return ExitCode.failure;
  }
  return ExitCode.ok;
}
