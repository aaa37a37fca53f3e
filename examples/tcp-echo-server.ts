/**
 * TCP echo server: every line a client sends comes back, on as many
 * connections as there are, under one Doist.
 *
 * ```sh
 * npx tsx examples/tcp-echo-server.ts --port 7000      # Ctrl-C stops it
 * nc 127.0.0.1 7000                                    # in another terminal
 * ```
 *
 * Options: `--host` (default 127.0.0.1), `--port` (default 7000; 0 picks a
 * free one, printed on the first line), `--raw` (echo bytes as they come,
 * with EchoServerDoer, instead of lines), `--wirelog FILE` (a transcript of
 * the bytes on the wire), `--limit S` (stop after S seconds).
 *
 * The protocol is one generator per connection (`echoLines`): it reads a line
 * with `yield*`, writes it back, and sleeps on the ring in between, so an idle
 * connection costs nothing. No callback appears anywhere.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { Doist, EchoServerDoer, ListenError, Server, ServerDoer, WireLog, readLine, writeAll, type Remoter, type TcpDriver, type Operation } from "hio-ts";

const NEWLINE = new Uint8Array([0x0a]);

/**
 * Echoes each line (LF or CRLF ended) back with an LF, until the peer closes.
 * A line longer than 8 KiB ends the connection with a FrameTooLongError,
 * which the ServerDoer reports in `errors`.
 * @param remoter the connection
 */
export function* echoLines(remoter: Remoter): Operation<void> {
  for (;;) {
    const line = yield* readLine(remoter.rxbs, { max: 8192 });
    yield* writeAll(remoter.txbs, line);
    yield* writeAll(remoter.txbs, NEWLINE);
  }
}

/** Options of {@link echoServer}. */
export interface EchoServerOptions {
  /** Address to bind. Default 127.0.0.1. */
  host?: string;
  /** Port; 0 for a free one. Default 7000. */
  port?: number;
  /** Echo raw bytes with EchoServerDoer instead of lines with a handler. */
  raw?: boolean;
  /** Where to record the bytes on the wire. */
  wirelog?: WireLog;
  /** Where to print connections coming and going. */
  out?: (line: string) => void;
  /** Where sockets come from: Node's (default) or a simulated network's (`net.tcpDriver(host)`). */
  driver?: TcpDriver;
}

/**
 * Builds the server and its doer (not yet listening).
 * @param options `host`, `port`, `raw`, `wirelog`, `out`, `driver`
 * @returns the server and the ServerDoer that runs it
 */
export function echoServer(options: EchoServerOptions = {}): { server: Server; doer: ServerDoer } {
  const server = new Server({
    host: options.host ?? "127.0.0.1",
    port: options.port ?? 7000,
    wirelog: options.wirelog,
    ...(options.driver === undefined ? {} : { driver: options.driver }),
  });
  if (options.raw === true) return { server, doer: new EchoServerDoer({ server }) };
  const out = options.out;
  const doer = new ServerDoer({
    server,
    handler: out === undefined ? echoLines : (remoter) => announced(remoter, out),
    onError: (error) => out?.(`error: ${error.message}`),
  });
  return { server, doer };
}

function* announced(remoter: Remoter, out: (line: string) => void): Operation<void> {
  out(`connected: ${remoter.key}`);
  try {
    yield* echoLines(remoter);
  } finally {
    out(`closed: ${remoter.key}`);
  }
}

/**
 * Runs the echo server until Ctrl-C (or `--limit` seconds).
 * @param argv command-line arguments
 * @param out where to print
 * @returns the exit code
 */
export async function main(argv: string[] = process.argv.slice(2), out: (line: string) => void = console.log): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        host: { type: "string", default: "127.0.0.1" },
        port: { type: "string", default: "7000" },
        raw: { type: "boolean", default: false },
        wirelog: { type: "string" },
        limit: { type: "string" },
      },
    }));
  } catch (error) {
    out(`usage: npx tsx examples/tcp-echo-server.ts [--host H] [--port N] [--raw] [--wirelog FILE] (${(error as Error).message})`);
    return 2;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    out(`--port must be a whole number from 0 to 65535, got ${values.port}`);
    return 2;
  }
  const wirelog = values.wirelog === undefined ? undefined : new WireLog({ path: values.wirelog, name: "tcp-echo-server" });
  const { server, doer } = echoServer({ host: values.host, port, raw: values.raw, out, ...(wirelog && { wirelog }) });
  try {
    await server.open();
  } catch (error) {
    out(error instanceof ListenError ? error.message : String(error));
    wirelog?.close();
    return 1;
  }
  const doist = new Doist({ name: "tcp-echo-server", real: true, limit: values.limit === undefined ? undefined : Number(values.limit), doers: [doer] });
  wirelog?.wind(doist.tymen());
  const running = doist.do(); // from here on Ctrl-C stops it cleanly
  out(`listening on ${server.host}:${server.port}`);
  try {
    await running;
  } finally {
    wirelog?.close();
    out(`stopped at tyme ${doist.tyme}; ${server.accepted} connections served`);
  }
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main();
