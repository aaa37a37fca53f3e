/**
 * `hio echo`: a TCP echo server.
 *
 * @module
 */
import { EchoServerDoer, Server, type Remoter } from "../../index.js";
import { noExtra, parseCommand, parsePort } from "../args.js";
import { ExitCode } from "../exit-codes.js";
import type { Meter } from "../status-line.js";
import { Session, type CliIo } from "../session.js";

/** `hio echo --help`. */
export const echoHelp = `usage: hio echo --port N [--host ADDRESS] [--wirelog FILE] [--status | --no-status]

Runs a TCP echo server: every byte a client sends comes back, on any number
of connections at once. Connections coming and going are logged on stderr.
Stops on Ctrl-C (exit code 130).

options:
  --port N         port to listen on (0: a free one, printed on stderr)
  --host ADDRESS   address to bind (default 127.0.0.1; :: or 0.0.0.0 for all)
  --wirelog FILE   append a transcript of every chunk received and sent
  --status         draw the live status line on stderr (default on a terminal)
  --no-status      do not draw it
  -h, --help       show this help

exit codes: 2 bad arguments, 4 cannot listen (address in use, permission), 130 Ctrl-C`;

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
    this.session.log(`- ${remoter.key}`);
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
  const { values, positionals } = parseCommand("echo", argv, { port: { type: "string" }, host: { type: "string", default: "127.0.0.1" } });
  if (values.help === true) {
    io.stdout.write(`${echoHelp}\n`);
    return ExitCode.ok;
  }
  noExtra("echo", positionals, 0);
  const port = parsePort("echo", values.port, true);
  const session = new Session({ command: "echo", io, wirelog: values.wirelog, status: values["no-status"] === true ? false : values.status });
  const server = new Server({ host: values.host, port, wirelog: session.meter });
  try {
    await server.open();
  } catch (error) {
    session.wirelog?.close();
    throw error;
  }
  session.relabel(`hio echo ${server.host}:${server.port}`);
  const running = session.run([new LoggingEchoDoer(server, session)]);
  session.log(`listening on ${server.host}:${server.port}`);
  const { interrupted } = await running;
  session.log(`stopped: ${server.accepted} connections, ${session.meter.bytesIn} bytes echoed`);
  return interrupted ? ExitCode.interrupted : ExitCode.ok;
}
