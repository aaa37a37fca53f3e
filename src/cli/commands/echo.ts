/**
 * `hio echo`: a TCP echo server.
 *
 * @module
 */
import { EchoServerDoer, Server, ServerTls, type Remoter } from "../../index.js";
import { formatAddress, noExtra, parseCommand, parsePort, parsePositive } from "../args.js";
import { ExitCode } from "../exit-codes.js";
import type { Meter } from "../status-line.js";
import { Session, type CliIo } from "../session.js";
import { SERVER_TLS_HELP, TLS_OPTIONS, serverTls } from "../tls.js";

/** `hio echo --help`. */
export const echoHelp = `usage: hio echo --port N [--host ADDRESS] [-w S] [--ssl --cert FILE --key FILE] [--wirelog FILE] [--status | --no-status]

Runs a TCP echo server: every byte a client sends comes back, on any number
of connections at once. Connections coming and going are logged on stderr.
Stops on Ctrl-C (exit code 130) or SIGTERM (143).

options:
  --port N         port to listen on (0: a free one, printed on stderr)
  --host ADDRESS   address to bind (default 127.0.0.1; :: or 0.0.0.0 for all)
  -w, --idle S     close a connection that sent nothing for S seconds
${SERVER_TLS_HELP}
  --wirelog FILE   append a transcript of every chunk received and sent
  --status         draw the live status line on stderr (default on a terminal)
  --no-status      do not draw it
  -h, --help       show this help

exit codes: 2 bad arguments, 4 cannot listen (address in use, permission), 130 Ctrl-C, 143 SIGTERM`;

/** Echoes and reports connections; counts its runs for the status line. */
class LoggingEchoDoer extends EchoServerDoer {
  constructor(
    server: Server,
    readonly session: Session,
  ) {
    super({ server });
  }

  override recur(tyme: number): boolean {
    this.session.meter.passes++;
    return super.recur(tyme);
  }

  protected override connected(remoter: Remoter): void {
    super.connected(remoter);
    const meter: Meter = this.session.meter;
    meter.connections++;
    meter.total++;
    this.session.log(`+ ${remoter.key}`);
  }

  protected override disconnected(remoter: Remoter): void {
    super.disconnected(remoter);
    this.session.meter.connections--;
    this.session.log(`- ${remoter.key}${remoter.error === undefined ? "" : ` (${remoter.error.message})`}`);
  }
}

/**
 * Runs `hio echo`.
 * @param argv the arguments after `echo`
 * @param io the streams
 * @returns the exit code
 * @throws UsageError for bad arguments; ListenError when it cannot listen
 */
export async function echoCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand("echo", argv, {
    port: { type: "string" },
    host: { type: "string", default: "127.0.0.1" },
    idle: { type: "string", short: "w" },
    ...TLS_OPTIONS,
  });
  if (values.help === true) {
    io.stdout.write(`${echoHelp}\n`);
    return ExitCode.ok;
  }
  noExtra("echo", positionals, 0);
  const port = parsePort("echo", values.port, true);
  const idleTimeout = values.idle === undefined ? 0 : parsePositive("echo", "-w", values.idle);
  const tls = serverTls("echo", values);
  const session = new Session({ command: "echo", io, wirelog: values.wirelog, status: values["no-status"] === true ? false : values.status });
  const options = { host: values.host, port, wirelog: session.meter, idleTimeout };
  const server = tls === undefined ? new Server(options) : new ServerTls({ ...options, tls });
  try {
    await server.open();
  } catch (error) {
    session.wirelog?.close();
    throw error;
  }
  const address = formatAddress(server.host, server.port);
  session.relabel(`hio echo ${address}`);
  const running = session.run([new LoggingEchoDoer(server, session)]);
  session.log(`listening on ${address}${tls === undefined ? "" : " (TLS)"}`);
  const end = await running;
  session.log(`stopped: ${server.accepted} connections, ${session.meter.bytesIn} bytes echoed`);
  return end.interrupted ? end.signalCode : ExitCode.ok;
}
