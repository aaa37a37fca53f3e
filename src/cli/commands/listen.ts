/**
 * `hio listen`: netcat's server side, a TCP port joined to stdin and stdout.
 *
 * @module
 */
import {
  Console,
  ConsoleDoer,
  EndOfStreamError,
  Server,
  ServerDoer,
  ServerTls,
  Signal,
  doify,
  readAvailable,
  waitFor,
  writeAll,
  type Operation,
  type Remoter,
  type Tymth,
} from "../../index.js";
import { formatAddress, noExtra, parseCommand, parsePort, parsePositive, parseSeconds } from "../args.js";
import { ExitCode } from "../exit-codes.js";
import { drained, pump } from "../pump.js";
import { Session, type CliIo } from "../session.js";
import { SERVER_TLS_HELP, TLS_OPTIONS, serverTls } from "../tls.js";

/** `hio listen --help`. */
export const listenHelp = `usage: hio listen --port N [--host ADDRESS] [--keep] [-w S] [-q S | --eof-exit]
                  [--ssl --cert FILE --key FILE [--cafile FILE]] [--wirelog FILE] [--status | --no-status]

Listens on a TCP port, like netcat -l: what a peer sends is written to
stdout, what comes on stdin is sent to the peer (to every peer with --keep).
When stdin ends, the sending side of each connection is shut down.
Without --keep it serves one connection and exits 0 when that peer closes;
with --keep it accepts any number until Ctrl-C. "listening on HOST:PORT" and
connections coming and going are logged on stderr.

options:
  --port N         port to listen on (0: a free one)
  --host ADDRESS   address to bind (default 127.0.0.1)
  -k, --keep       keep listening after a connection closes; serve many at once
  -w, --idle S     exit 0 when nothing was sent or received for S seconds
                   (counted from the first connection)
  -q, --quit-after S
                   quit S seconds after stdin ended, without waiting for
                   the peer to close (0: as soon as what came is printed)
  --eof-exit       the same as -q 0
${SERVER_TLS_HELP}
  --wirelog FILE   append a transcript of every chunk received and sent
  --status         draw the live status line on stderr (default: only when
                   stdout is not the terminal)
  --no-status      do not draw it
  -h, --help       show this help

exit codes: 2 bad arguments, 4 cannot listen (address in use, permission), 130 Ctrl-C, 143 SIGTERM`;

/**
 * Runs `hio listen`.
 * @param argv the arguments after `listen`
 * @param io the streams
 * @returns the exit code
 * @throws UsageError for bad arguments; ListenError when it cannot listen
 */
export async function listenCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand("listen", argv, {
    port: { type: "string" },
    host: { type: "string", default: "127.0.0.1" },
    keep: { type: "boolean", short: "k", default: false },
    idle: { type: "string", short: "w" },
    "quit-after": { type: "string", short: "q" },
    "eof-exit": { type: "boolean", default: false },
    ...TLS_OPTIONS,
  });
  if (values.help === true) {
    io.stdout.write(`${listenHelp}\n`);
    return ExitCode.ok;
  }
  noExtra("listen", positionals, 0);
  const port = parsePort("listen", values.port, true);
  const keep = values.keep;
  const idle = values.idle === undefined ? undefined : parsePositive("listen", "-w", values.idle);
  const quitAfter = values["eof-exit"] ? 0 : values["quit-after"] === undefined ? undefined : parseSeconds("listen", "-q", values["quit-after"]);
  const tls = serverTls("listen", values);
  const session = new Session({ command: "listen", io, wirelog: values.wirelog, status: values["no-status"] === true ? false : values.status, dataOnStdout: true, idle });
  const meter = session.meter;
  const options = { host: values.host, port, wirelog: meter, ...(keep ? {} : { maxConnections: 1 }) };
  const server = tls === undefined ? new Server(options) : new ServerTls({ ...options, tls });
  try {
    await server.open();
  } catch (error) {
    session.wirelog?.close();
    throw error;
  }
  const address = formatAddress(server.host, server.port);
  session.relabel(`hio listen ${address}`);
  const terminal = new Console({ input: io.stdin, output: io.stdout, mode: "bytes", raw: false, name: "stdio" });
  let stdinEnded = false;
  const joined = new Signal();
  const handler = function* (remoter: Remoter): Operation<void> {
    meter.connections++;
    meter.total++;
    session.log(`+ ${remoter.key}`);
    joined.notify();
    if (stdinEnded) remoter.shutdownSend();
    try {
      yield* pump(remoter.rxbs, terminal.txbs);
    } finally {
      meter.connections--;
      session.log(`- ${remoter.key}`);
    }
    if (!keep) {
      yield* drained(terminal.txbs);
      session.finish();
    }
  };
  const fromStdin = doify(
    function* stdinToPeers(tymth: Tymth) {
      for (;;) {
        // Without a peer yet, what is typed waits (in the ring) for the first one.
        while (server.remoters.size === 0) yield* waitFor(joined);
        let chunk: Uint8Array;
        try {
          chunk = yield* readAvailable(terminal.rxbs, { max: 16 * 1024 });
        } catch (error) {
          if (!(error instanceof EndOfStreamError)) throw error;
          stdinEnded = true;
          for (const remoter of server.remoters.values()) remoter.shutdownSend();
          if (quitAfter === undefined) return true;
          const end = tymth() + quitAfter;
          while (tymth() < end) yield end - tymth();
          yield* drained(terminal.txbs);
          session.finish();
          return true;
        }
        for (const remoter of [...server.remoters.values()]) {
          if (remoter.alive) yield* writeAll(remoter.txbs, chunk);
        }
      }
    },
    { name: "stdin to peers" },
  );
  class CountingServerDoer extends ServerDoer {
    override recur(tyme: number): boolean {
      meter.passes++;
      return super.recur(tyme);
    }
  }
  const running = session.run([fromStdin, new CountingServerDoer({ server, handler }), new ConsoleDoer({ console: terminal })]);
  session.log(`listening on ${address}${tls === undefined ? "" : " (TLS)"}`);
  const end = await running;
  return end.interrupted ? end.signalCode : ExitCode.ok;
}
