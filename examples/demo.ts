/**
 * The main demo (`npm start`): an echo server and two clients talking over
 * loopback under one real-time Doist, with no arguments and no hardware. It
 * prints the trace (lifecycle contexts, connections, every message with its
 * tyme) and the figures (messages, bytes, round-trip times), then exits 0.
 *
 * ```sh
 * npm start                      # = npx tsx examples/demo.ts
 * npx tsx examples/demo.ts --messages 20 --fast
 * ```
 *
 * ```text
 * Doist "demo" (real time, tock 1/32 s)
 *  └─ session (DoDoer; done when all three are)
 *      ├─ server (ServerDoer ── Server 127.0.0.1:<free port>; one echo handler per connection;
 *      │          done once shut down after the last talker)
 *      ├─ alice  (ClientDoer ── Client; handler: a line every 1/8 s of tyme, reads each echo)
 *      └─ bob    (ClientDoer ── Client; handler: a line every 3/16 s)
 * ```
 *
 * Each ClientDoer is done when its handler returns (and closes its client);
 * the last talker shuts the server down gracefully, so the ServerDoer is done
 * once its connections are gone, and the session with it.
 *
 * @module
 */
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import {
  Client,
  ClientDoer,
  DoDoer,
  Doist,
  HioError,
  Server,
  ServerDoer,
  WireLog,
  decodeUtf8,
  encodeUtf8,
  readLine,
  writeAll,
  type Doable,
  type ClientHandler,
  type Remoter,
  type Operation,
} from "hio-ts";

type Out = (line: string) => void;

/** The figures of one talker. */
export interface TalkerStats {
  /** Its name. */
  name: string;
  /** Lines sent. */
  sent: number;
  /** Echoes received and matched. */
  echoed: number;
  /** Bytes written to the client's txbs. */
  bytesOut: number;
  /** Bytes read from the client's rxbs. */
  bytesIn: number;
  /** Wall-clock round-trip times in milliseconds. */
  rttMs: number[];
}

/** What {@link runDemo} reports. */
export interface DemoResult {
  /** Whether every talker finished and every echo matched. */
  ok: boolean;
  /** Figures per talker. */
  talkers: TalkerStats[];
  /** Connections the server accepted. */
  accepted: number;
  /** Bytes the server received and sent, from its wirelog. */
  serverBytesIn: number;
  serverBytesOut: number;
  /** Tyme when the Doist stopped. */
  tyme: number;
  /** Wall-clock milliseconds the run took. */
  wallMs: number;
}

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Lines each client sends. Default 5. */
  messages?: number;
  /** Run as fast as possible instead of in real time. Default false. */
  fast?: boolean;
  /** Where to print the trace. */
  out?: Out;
}

function trace(out: Out, tyme: number | undefined, who: string, what: string): void {
  out(`tyme ${(tyme ?? 0).toFixed(5).padStart(8)}  ${who.padEnd(7)} ${what}`);
}

/** The session: an ordinary DoDoer (done when all its doers are) that traces its lifecycle. */
class Session extends DoDoer {
  readonly #out: Out;

  constructor(doers: Doable[], out: Out) {
    super({ doers });
    this.#out = out;
  }

  override enter(): void {
    trace(this.#out, this.tyme, "session", "enter: start the server, the clients and the talkers");
    super.enter();
  }

  override clean(): void {
    trace(this.#out, this.tyme, "session", "clean: the talkers are done and the server is shut down");
  }

  override cease(): void {
    trace(this.#out, this.tyme, "session", "cease: stopped before the talkers were done");
  }

  override exit(): void {
    super.exit(); // closes the clients and the server first
    trace(this.#out, this.tyme, "session", "exit: server and clients closed");
  }
}

function echoHandler(out: Out, tymth: () => number | undefined) {
  return function* echo(remoter: Remoter): Operation<void> {
    trace(out, tymth(), "server", `accepted ${remoter.key}: its handler starts`);
    try {
      for (;;) {
        const line = yield* readLine(remoter.rxbs);
        yield* writeAll(remoter.txbs, line);
        yield* writeAll(remoter.txbs, NEWLINE);
      }
    } finally {
      trace(out, tymth(), "server", `${remoter.key} gone: its handler exits`);
    }
  };
}

const NEWLINE = new Uint8Array([0x0a]);

/**
 * A talker: a ClientDoer's handler that sends `messages` lines, `interval`
 * seconds of tyme apart, and reads each echo.
 */
function talker(stats: TalkerStats, messages: number, interval: number, out: Out, tymth: () => number | undefined, finished: () => void): ClientHandler {
  return function* talk(client: Client): Operation<void> {
    trace(out, tymth(), stats.name, `enter: connecting to ${client.host}:${client.port}`);
    yield* client.waitConnected({ timeout: 5 });
    trace(out, tymth(), stats.name, "connected");
    for (let n = 1; n <= messages; n++) {
      const message = `${stats.name} says hello #${n}`;
      const bytes = encodeUtf8(`${message}\n`);
      const start = performance.now(); // wall clock: tyme only moves in tocks
      yield* writeAll(client.txbs, bytes);
      stats.sent++;
      stats.bytesOut += bytes.length;
      const echo = yield* readLine(client.rxbs, { timeout: 5 });
      const rtt = performance.now() - start;
      stats.bytesIn += echo.length + 1;
      if (decodeUtf8(echo) === message) stats.echoed++;
      stats.rttMs.push(rtt);
      trace(out, tymth(), stats.name, `> ${message}  < echoed in ${rtt.toFixed(3)} ms`);
      if (n < messages) yield interval; // sleeps: nothing runs it until then
    }
    trace(out, tymth(), stats.name, "done");
    finished();
  };
}

/**
 * Runs the demo: a server on a free loopback port, two clients each sending
 * `messages` lines and reading the echoes.
 * @param options `messages`, `fast`, `out`
 * @returns the figures
 * @throws ListenError when no loopback port can be bound; a ConnectError or
 *   ReadTimeoutError when the exchange fails
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const out = options.out ?? console.log;
  const messages = options.messages ?? 5;
  const wirelog = new WireLog({ name: "demo server" });
  const server = new Server({ host: "127.0.0.1", port: 0, wirelog });
  await server.open(); // bound before any client tries to connect
  const doist = new Doist({ name: "demo", real: options.fast !== true, tock: 1 / 32 });
  wirelog.wind(doist.tymen());
  const serverDoer = new ServerDoer({ server, handler: echoHandler(out, doist.tymen()) });
  const talkers: TalkerStats[] = [];
  const doers: Doable[] = [serverDoer];
  let talking = 2;
  // The last talker to finish shuts the server down: its handlers see their
  // clients close and end, then the ServerDoer is done (1 s of grace at most).
  const finished = (): void => {
    if (--talking === 0) void serverDoer.shutdown(1);
  };
  for (const [name, interval] of [
    ["alice", 0.125],
    ["bob", 0.1875],
  ] as const) {
    const stats: TalkerStats = { name, sent: 0, echoed: 0, bytesOut: 0, bytesIn: 0, rttMs: [] };
    const client = new Client({ host: server.host, port: server.port });
    talkers.push(stats);
    // Done when the handler returns (its writes sent); it closes the client.
    doers.push(new ClientDoer({ client, handler: talker(stats, messages, interval, out, doist.tymen(), finished) }));
  }
  trace(out, doist.tyme, "server", `listening on ${server.host}:${server.port}`);
  const start = performance.now();
  await doist.do({ doers: [new Session(doers, out)] });
  const wallMs = performance.now() - start;
  let serverBytesIn = 0;
  let serverBytesOut = 0;
  for (const entry of wirelog.entries) {
    if (entry.direction === "rx") serverBytesIn += entry.bytes.length;
    else serverBytesOut += entry.bytes.length;
  }
  wirelog.close();
  const ok = talkers.every((stats) => stats.echoed === messages);
  return { ok, talkers, accepted: server.accepted, serverBytesIn, serverBytesOut, tyme: doist.tyme, wallMs };
}

/**
 * Prints the figures as a table.
 * @param result what {@link runDemo} returned
 * @param out where to print
 */
export function printFigures(result: DemoResult, out: Out): void {
  out("");
  out("client  sent  echoed  bytes out  bytes in  rtt min / avg / max (ms)");
  for (const stats of result.talkers) {
    const rtt = stats.rttMs;
    const avg = rtt.length === 0 ? 0 : rtt.reduce((sum, value) => sum + value, 0) / rtt.length;
    const range = rtt.length === 0 ? "-" : `${Math.min(...rtt).toFixed(3)} / ${avg.toFixed(3)} / ${Math.max(...rtt).toFixed(3)}`;
    out(
      `${stats.name.padEnd(6)}  ${String(stats.sent).padStart(4)}  ${String(stats.echoed).padStart(6)}  ${String(stats.bytesOut).padStart(9)}  ${String(stats.bytesIn).padStart(8)}  ${range}`,
    );
  }
  out(`server: ${result.accepted} connections, ${result.serverBytesIn} bytes in, ${result.serverBytesOut} bytes out (from its wirelog)`);
  out(`tyme ${result.tyme} s in ${(result.wallMs / 1000).toFixed(3)} s of wall clock; ${result.ok ? "every echo matched" : "SOME ECHOES MISSING"}`);
}

/**
 * Runs the demo and prints the trace and the figures.
 * @param argv `--messages N` (default 5), `--fast` (not real time)
 * @param out where to print
 * @returns the exit code: 0 when every echo matched
 */
export async function main(argv: string[] = process.argv.slice(2), out: Out = console.log): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { messages: { type: "string", default: "5" }, fast: { type: "boolean", default: false } } }));
  } catch (error) {
    out(`usage: npx tsx examples/demo.ts [--messages N] [--fast] (${(error as Error).message})`);
    return 2;
  }
  const messages = Number(values.messages);
  if (!Number.isInteger(messages) || messages < 1) {
    out(`--messages must be a whole number >= 1, got ${values.messages}`);
    return 2;
  }
  out(`hio-ts demo: an echo server and two clients under one Doist (${values.fast ? "fast" : "real time"}, tock 1/32 s)\n`);
  try {
    const result = await runDemo({ messages, fast: values.fast, out });
    printFigures(result, out);
    return result.ok ? 0 : 1;
  } catch (error) {
    out(`demo failed: ${error instanceof HioError ? error.message : String(error)}`);
    return 1;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main();
