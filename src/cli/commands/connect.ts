/**
 * `hio connect`: netcat's client side, stdin to a TCP socket and the socket
 * to stdout; `-z` only checks that the port is open; `--ssl` speaks TLS.
 *
 * @module
 */
import { Client, ClientDoer, ClientTls, Console, ConsoleDoer, doify, type Tymth } from "../../index.js";
import { formatAddress, noExtra, parseCommand, parsePositive, parseSeconds, parseTarget } from "../args.js";
import { ExitCode } from "../exit-codes.js";
import { drained, pump } from "../pump.js";
import { Session, type CliIo } from "../session.js";
import { CLIENT_TLS_HELP, TLS_OPTIONS, clientTls } from "../tls.js";

/** `hio connect --help`. */
export const connectHelp = `usage: hio connect HOST:PORT [options]
       hio connect HOST PORT [options]

Connects to HOST:PORT over TCP, like netcat: what comes on stdin is sent,
what the peer sends is written to stdout. When stdin ends, the sending side
is shut down (the peer sees end of file) and hio keeps printing until the
peer closes; then it exits 0 (with -q S it quits S seconds after stdin
ended). IPv6: [::1]:7000 or ::1 7000. A bare PORT means 127.0.0.1.

options:
  --timeout S      seconds to wait for the connection (default 10, or -w)
  -w, --idle S     close and exit 0 when nothing was sent or received for S
                   seconds (also bounds the connection wait, as in nc)
  -q, --quit-after S
                   quit S seconds after stdin ended, without waiting for
                   the peer to close (0: as soon as what came is printed)
  --eof-exit       the same as -q 0
  -z, --zero       only check that the port accepts a connection: connect,
                   close, exit 0 (3 when it does not); nothing is sent
${CLIENT_TLS_HELP}
  --wirelog FILE   append a transcript of every chunk received and sent
  --status         draw the live status line on stderr (default: only when
                   stdout is not the terminal)
  --no-status      do not draw it
  -h, --help       show this help

exit codes: 0 the peer closed (or -w, -q, -z), 1 connection reset, 2 bad
arguments, 3 connection refused, unreachable, unknown host, timed out or TLS
handshake failed, 130 Ctrl-C, 143 SIGTERM`;

/**
 * Runs `hio connect`.
 * @param argv the arguments after `connect`
 * @param io the streams
 * @returns the exit code
 * @throws UsageError for bad arguments; ConnectError (or TlsError) when the connection fails
 */
export async function connectCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand("connect", argv, {
    timeout: { type: "string" },
    idle: { type: "string", short: "w" },
    "quit-after": { type: "string", short: "q" },
    "eof-exit": { type: "boolean", default: false },
    zero: { type: "boolean", short: "z", default: false },
    ...TLS_OPTIONS,
  });
  if (values.help === true) {
    io.stdout.write(`${connectHelp}\n`);
    return ExitCode.ok;
  }
  const { host, port, used } = parseTarget("connect", positionals);
  noExtra("connect", positionals, used);
  const idle = values.idle === undefined ? undefined : parsePositive("connect", "-w", values.idle);
  const timeout = values.timeout === undefined ? (idle ?? 10) : parsePositive("connect", "--timeout", values.timeout);
  const quitAfter = values["eof-exit"] ? 0 : values["quit-after"] === undefined ? undefined : parseSeconds("connect", "-q", values["quit-after"]);
  const tls = clientTls("connect", values);
  const address = formatAddress(host, port);
  const session = new Session({
    command: "connect",
    label: `hio connect ${address}`,
    io,
    wirelog: values.wirelog,
    status: values.zero ? false : values["no-status"] === true ? false : values.status,
    dataOnStdout: true,
    idle,
  });
  const meter = session.meter;
  const client = tls === undefined ? new Client({ host, port, wirelog: meter }) : new ClientTls({ host, port, wirelog: meter, tls });
  class CountingClientDoer extends ClientDoer {
    override recur(tyme: number): boolean {
      meter.passes++;
      return super.recur(tyme);
    }
  }
  if (values.zero) {
    const check = doify(
      function* portCheck() {
        yield; // the ClientDoer opens the client in its enter
        yield* client.waitConnected({ timeout });
        session.finish();
        return true;
      },
      { name: "port check" },
    );
    const end = await session.run([check, new CountingClientDoer({ client })]);
    if (end.interrupted) return end.signalCode;
    session.log(`${address} is open${tls === undefined ? "" : " (TLS handshake done)"}`);
    return ExitCode.ok;
  }
  const terminal = new Console({ input: io.stdin, output: io.stdout, mode: "bytes", raw: false, name: "stdio" });
  const upstream = doify(
    function* stdinToSocket(tymth: Tymth) {
      yield; // the ClientDoer opens the client in its enter
      yield* client.waitConnected({ timeout });
      meter.connections = 1;
      meter.total = 1;
      yield* pump(terminal.rxbs, client.txbs);
      client.shutdownSend(); // stdin ended: the peer sees end of file
      if (quitAfter === undefined) return true;
      const end = tymth() + quitAfter;
      while (tymth() < end) yield end - tymth();
      yield* drained(terminal.txbs);
      session.finish();
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
  // Protocol dogs before the pumps: what they write goes out in the same pass.
  const end = await session.run([upstream, downstream, new CountingClientDoer({ client }), new ConsoleDoer({ console: terminal })]);
  if (end.interrupted) return end.signalCode;
  if (client.error !== undefined) {
    session.log(client.error.message);
    return ExitCode.failure;
  }
  return ExitCode.ok;
}
