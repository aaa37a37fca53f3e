/**
 * `hio connect`: netcat's client side, stdin to a TCP socket and the socket
 * to stdout.
 *
 * @module
 */
import { Client, ClientDoer, Console, ConsoleDoer, doify } from "../../index.js";
import { noExtra, parseAddress, parseCommand, parsePositive } from "../args.js";
import { ExitCode } from "../exit-codes.js";
import { drained, pump } from "../pump.js";
import { Session, type CliIo } from "../session.js";

/** `hio connect --help`. */
export const connectHelp = `usage: hio connect HOST:PORT [--timeout S] [--wirelog FILE] [--status | --no-status]

Connects to HOST:PORT over TCP, like netcat: what comes on stdin is sent,
what the peer sends is written to stdout. When stdin ends, the sending side
is shut down (the peer sees end of file) and hio keeps printing until the
peer closes; then it exits 0. IPv6: [::1]:7000. A bare PORT means 127.0.0.1.

options:
  --timeout S      seconds to wait for the connection (default 10)
  --wirelog FILE   append a transcript of every chunk received and sent
  --status         draw the live status line on stderr (default: only when
                   stdout is not the terminal)
  --no-status      do not draw it
  -h, --help       show this help

exit codes: 1 connection reset, 2 bad arguments, 3 connection refused,
unreachable, unknown host or timed out, 130 Ctrl-C`;

/**
 * Runs `hio connect`.
 * @param argv the arguments after `connect`
 * @param io the streams
 * @returns the exit code
 * @throws UsageError for bad arguments; ConnectError when the connection fails
 */
export async function connectCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand("connect", argv, { timeout: { type: "string", default: "10" } });
  if (values.help === true) {
    io.stdout.write(`${connectHelp}\n`);
    return ExitCode.ok;
  }
  noExtra("connect", positionals, 1);
  const { host, port } = parseAddress("connect", positionals[0]);
  const timeout = parsePositive("connect", "--timeout", values.timeout);
  const session = new Session({
    command: "connect",
    label: `hio connect ${positionals[0]}`,
    io,
    wirelog: values.wirelog,
    status: values["no-status"] === true ? false : values.status,
    dataOnStdout: true,
  });
  const meter = session.meter;
  const client = new Client({ host, port, wirelog: meter });
  const terminal = new Console({ input: io.stdin, output: io.stdout, mode: "bytes", raw: false, name: "stdio" });
  const upstream = doify(
    function* stdinToSocket() {
      yield; // the ClientDoer opens the client in its enter
      yield* client.waitConnected({ timeout });
      meter.connections = 1;
      meter.total = 1;
      yield* pump(terminal.rxbs, client.txbs);
      client.shutdownSend(); // stdin ended: the peer sees end of file
      return true;
    },
    { name: "stdin to socket" },
  );
  const downstream = doify(
    function* socketToStdout() {
      yield;
      yield* client.waitConnected({ timeout });
      yield* pump(client.rxbs, terminal.txbs);
      meter.connections = 0;
      yield* drained(terminal.txbs);
      session.finish();
      return true;
    },
    { name: "socket to stdout" },
  );
  class CountingClientDoer extends ClientDoer {
    override recur(tyme: number): boolean {
      meter.passes++;
      return super.recur(tyme);
    }
  }
  // Protocol dogs before the pumps: what they write goes out in the same pass.
  const { interrupted } = await session.run([upstream, downstream, new CountingClientDoer({ client }), new ConsoleDoer({ console: terminal })]);
  if (interrupted) return ExitCode.interrupted;
  if (client.error !== undefined) {
    session.log(client.error.message);
    return ExitCode.failure;
  }
  return ExitCode.ok;
}
