/**
 * `hio udp send` and `hio udp listen`: datagrams from the command line.
 *
 * @module
 */
import {
  Console,
  ConsoleDoer,
  EndOfStreamError,
  Peer,
  PeerDoer,
  UdpTimeoutError,
  encodeUtf8,
  formatUdpAddress,
  readDatagram,
  readLine,
  waitFor,
  writeAll,
  writeDatagram,
  type Operation,
} from "../../index.js";
import { noExtra, parseAddress, parseCommand, parsePort, parsePositive } from "../args.js";
import { ExitCode, UsageError } from "../exit-codes.js";
import { drained } from "../pump.js";
import { Session, noInput, type CliIo } from "../session.js";

/** `hio udp --help`. */
export const udpHelp = `usage: hio udp send HOST:PORT [MESSAGE...] [--replies N] [--timeout S]
       hio udp listen --port N [--host ADDRESS] [--echo] [--count N]

  send     sends MESSAGE (or each line of stdin) as one datagram; with
           --replies N waits for N answers and prints them
  listen   prints each datagram received; --echo sends it back

Run "hio udp send --help" or "hio udp listen --help" for their options.`;

/** `hio udp send --help`. */
export const udpSendHelp = `usage: hio udp send HOST:PORT [MESSAGE...] [--replies N] [--timeout S] [--bind ADDRESS] [--wirelog FILE]

Sends the MESSAGE words joined by spaces as one datagram, or, without a
MESSAGE, each line of stdin (without its line ending) as one datagram. With
--replies N it then waits for N datagrams back and prints each on its own
line on stdout. IPv6: [::1]:9000. A bare PORT means 127.0.0.1.

options:
  --replies N      answers to wait for (default 0)
  --timeout S      seconds to wait for each answer (default 5)
  --bind ADDRESS   local address to send from (default 127.0.0.1 for a
                   loopback destination, else 0.0.0.0 or ::)
  --wirelog FILE   append a transcript of every datagram received and sent
  -h, --help       show this help

exit codes: 1 a datagram could not be sent (unknown host, unreachable...),
2 bad arguments, 3 fewer than N replies within the timeout, 4 cannot bind,
130 Ctrl-C, 143 SIGTERM`;

/** `hio udp listen --help`. */
export const udpListenHelp = `usage: hio udp listen --port N [--host ADDRESS] [--echo] [--count N] [--raw] [--wirelog FILE] [--status | --no-status]

Binds a UDP port and writes the payload of every datagram received to
stdout, one datagram per line (a newline is added unless the datagram ends
with one; --raw writes the payloads as they are, like netcat -u -l). Senders
are logged on stderr the first time they are heard from. Stops on Ctrl-C,
or after --count datagrams.

options:
  --port N         port to bind (0: a free one, printed on stderr)
  --host ADDRESS   address to bind (default 127.0.0.1)
  --echo           send every datagram back to its sender
  --count N        exit 0 after N datagrams
  --raw            write the payloads as they are, with nothing added
  --wirelog FILE   append a transcript of every datagram received and sent
  --status         draw the live status line on stderr (default: only when
                   stdout is not the terminal)
  --no-status      do not draw it
  -h, --help       show this help

exit codes: 2 bad arguments, 4 cannot bind (address in use, permission), 130 Ctrl-C, 143 SIGTERM`;

/**
 * Runs `hio udp send|listen`.
 * @param argv the arguments after `udp`
 * @param io the streams
 * @returns the exit code
 * @throws UsageError for bad arguments; UdpOpenError when it cannot bind
 */
export async function udpCommand(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === "send") return sendCommand(rest, io);
  if (sub === "listen") return listenCommand(rest, io);
  if (sub === undefined || sub === "--help" || sub === "-h" || sub === "help") {
    (sub === undefined ? io.stderr : io.stdout).write(`${udpHelp}\n`);
    return sub === undefined ? ExitCode.usage : ExitCode.ok;
  }
  throw new UsageError(`unknown udp command ${JSON.stringify(sub)} (send or listen)`, "udp");
}

class CountingPeerDoer extends PeerDoer {
  constructor(
    options: ConstructorParameters<typeof PeerDoer>[0],
    readonly session: Session,
  ) {
    super(options);
  }

  override recur(tyme: number): boolean {
    this.session.meter.passes++;
    return super.recur(tyme);
  }
}

async function openPeer(peer: Peer, session: Session): Promise<void> {
  try {
    await peer.open();
  } catch (error) {
    session.wirelog?.close();
    throw error;
  }
}

async function sendCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand("udp send", argv, {
    replies: { type: "string", default: "0" },
    timeout: { type: "string", default: "5" },
    bind: { type: "string" },
  });
  if (values.help === true) {
    io.stdout.write(`${udpSendHelp}\n`);
    return ExitCode.ok;
  }
  const to = parseAddress("udp send", positionals[0]);
  const replies = values.replies === "0" ? 0 : parsePositive("udp send", "--replies", values.replies, true);
  const timeout = parsePositive("udp send", "--timeout", values.timeout);
  const message = positionals.length > 1 ? encodeUtf8(positionals.slice(1).join(" ")) : undefined;
  const v6 = to.host.includes(":");
  const loopback = to.host === "127.0.0.1" || to.host === "::1" || to.host === "localhost";
  const bind = values.bind ?? (loopback ? (v6 ? "::1" : "127.0.0.1") : v6 ? "::" : "0.0.0.0");
  const session = new Session({ command: "udp send", io, wirelog: values.wirelog, status: false });
  const peer = new Peer({ host: bind, port: 0, wirelog: session.meter, name: "hio udp send" });
  await openPeer(peer, session);
  // Without a MESSAGE the datagrams come from stdin; with one, stdin is not read.
  const terminal = new Console({ input: message === undefined ? io.stdin : noInput(), output: io.stdout, mode: "bytes", raw: false, name: "stdio" });
  let received = 0;
  const handler = function* (peer: Peer): Operation<void> {
    if (message !== undefined) yield* writeDatagram(peer, message, to);
    else {
      for (;;) {
        let line: Uint8Array;
        try {
          line = yield* readLine(terminal.rxbs, { max: 65_507 });
        } catch (error) {
          if (error instanceof EndOfStreamError) {
            if (error.partial.length > 0) yield* writeDatagram(peer, error.partial, to);
            break;
          }
          throw error;
        }
        yield* writeDatagram(peer, line, to);
      }
    }
    yield* allSent(peer);
    try {
      for (; received < replies; received++) {
        const { data } = yield* readDatagram(peer, { timeout });
        yield* writeAll(terminal.txbs, data);
        if (data[data.length - 1] !== 0x0a) yield* writeAll(terminal.txbs, NEWLINE);
      }
    } catch (error) {
      if (!(error instanceof UdpTimeoutError)) throw error;
    }
    yield* drained(terminal.txbs);
    session.finish();
  };
  const end = await session.run([new CountingPeerDoer({ peer, handler }, session), new ConsoleDoer({ console: terminal })]);
  if (end.interrupted) return end.signalCode;
  const failures = peer.takeErrors();
  if (peer.counters.sendErrors > 0 || failures.length > 0) {
    for (const error of failures) session.log(error.message);
    session.log(`${peer.counters.sendErrors} of ${peer.counters.sendErrors + peer.counters.sent} datagrams could not be sent to ${formatUdpAddress(to)}`);
    return ExitCode.failure;
  }
  if (received < replies) {
    session.log(`${received} of ${replies} replies from ${formatUdpAddress(to)} within ${timeout} s`);
    return ExitCode.connect;
  }
  return ExitCode.ok;
}

const NEWLINE = new Uint8Array([0x0a]);

/** Waits until the OS has taken every queued datagram (sendSignal is notified on each completion). */
function* allSent(peer: Peer): Operation<void> {
  while (peer.sendQueueLength > 0) yield* waitFor(peer.sendSignal);
}

async function listenCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand("udp listen", argv, {
    port: { type: "string" },
    host: { type: "string", default: "127.0.0.1" },
    echo: { type: "boolean", default: false },
    count: { type: "string" },
    raw: { type: "boolean", default: false },
  });
  if (values.help === true) {
    io.stdout.write(`${udpListenHelp}\n`);
    return ExitCode.ok;
  }
  noExtra("udp listen", positionals, 0);
  const port = parsePort("udp listen", values.port, true);
  const count = values.count === undefined ? Number.POSITIVE_INFINITY : parsePositive("udp listen", "--count", values.count, true);
  const session = new Session({
    command: "udp listen",
    io,
    wirelog: values.wirelog,
    status: values["no-status"] === true ? false : values.status,
    dataOnStdout: true,
    noun: "peer",
  });
  const meter = session.meter;
  const peer = new Peer({ host: values.host, port, wirelog: meter, name: "hio udp listen" });
  await openPeer(peer, session);
  const address = formatUdpAddress({ host: peer.host, port: peer.port });
  session.relabel(`hio udp listen ${address}`);
  const terminal = new Console({ input: noInput(), output: io.stdout, mode: "bytes", raw: false, name: "stdout" });
  const heard = new Set<string>();
  const handler = function* (peer: Peer): Operation<void> {
    for (let received = 0; received < count; received++) {
      const { data, from } = yield* readDatagram(peer);
      const sender = formatUdpAddress(from);
      if (!heard.has(sender)) {
        heard.add(sender);
        meter.connections = heard.size;
        meter.total = heard.size;
        session.log(`+ ${sender}`);
      }
      yield* writeAll(terminal.txbs, data);
      if (!values.raw && data[data.length - 1] !== 0x0a) yield* writeAll(terminal.txbs, NEWLINE);
      if (values.echo) yield* writeDatagram(peer, data, from);
    }
    yield* allSent(peer);
    yield* drained(terminal.txbs);
    session.finish();
  };
  const running = session.run([new CountingPeerDoer({ peer, handler }, session), new ConsoleDoer({ console: terminal })]);
  session.log(`listening on ${address}`);
  const end = await running;
  return end.interrupted ? end.signalCode : ExitCode.ok;
}
