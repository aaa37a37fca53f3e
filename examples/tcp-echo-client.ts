/**
 * TCP echo client: sends each message as a line to an echo server, waits for
 * the echo, prints it with its round-trip time, then exits.
 *
 * ```sh
 * npx tsx examples/tcp-echo-server.ts --port 7000 &
 * npx tsx examples/tcp-echo-client.ts --port 7000 hello world
 * ```
 *
 * Options: `--host` (default 127.0.0.1), `--port` (default 7000),
 * `--timeout S` (seconds to wait for the connection and for each echo,
 * default 5). Exit code 0 when every echo matched, 1 when the connection
 * failed or an echo differed, 2 for bad arguments.
 *
 * @module
 */
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { Client, ClientDoer, Doist, HioError, decodeUtf8, encodeUtf8, readLine, writeAll, type ClientHandler, type Operation } from "hio-ts";

/** What one echo exchange gave. */
export interface Echo {
  /** The message sent. */
  sent: string;
  /** The line that came back. */
  received: string;
  /** Wall-clock milliseconds from handing the line to `txbs` to reading its echo. */
  rttMs: number;
}

/**
 * Makes the client's protocol handler: waits for the connection, then sends
 * each message and reads its echo before sending the next. Run it as a
 * ClientDoer's `handler`; the ClientDoer is done once it returns.
 * @param messages lines to send
 * @param echoes receives each exchange as it completes
 * @param timeout seconds of tyme to wait for the connection and each echo
 * @returns the handler, a generator function of the client
 * @example
 * ```ts
 * const echoes: Echo[] = [];
 * const doer = new ClientDoer({ client: new Client({ port: 7000 }), handler: echoTalker(["hello"], echoes) });
 * await new Doist({ real: true, doers: [doer] }).do(); // ends after the last echo
 * ```
 */
export function echoTalker(messages: readonly string[], echoes: Echo[], timeout = 5): ClientHandler {
  return function* talk(client: Client): Operation<void> {
    yield* client.waitConnected({ timeout });
    for (const message of messages) {
      // Round trips are measured on the wall clock: tyme only moves in tocks.
      const start = performance.now();
      yield* writeAll(client.txbs, encodeUtf8(`${message}\n`));
      const line = yield* readLine(client.rxbs, { timeout });
      echoes.push({ sent: message, received: decodeUtf8(line), rttMs: performance.now() - start });
    }
  };
}

/**
 * Connects, exchanges the messages, prints each echo.
 * @param argv command-line arguments
 * @param out where to print
 * @returns the exit code
 */
export async function main(argv: string[] = process.argv.slice(2), out: (line: string) => void = console.log): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        host: { type: "string", default: "127.0.0.1" },
        port: { type: "string", default: "7000" },
        timeout: { type: "string", default: "5" },
      },
    });
  } catch (error) {
    out(`usage: npx tsx examples/tcp-echo-client.ts [--host H] [--port N] [--timeout S] [message...] (${(error as Error).message})`);
    return 2;
  }
  const { values, positionals } = parsed;
  const port = Number(values.port);
  const timeout = Number(values.timeout);
  if (!Number.isInteger(port) || port < 1 || port > 65535 || !(timeout > 0)) {
    out(`--port must be 1-65535 and --timeout > 0, got ${values.port} and ${values.timeout}`);
    return 2;
  }
  const messages = positionals.length > 0 ? positionals : ["hello", "world"];
  const client = new Client({ host: values.host, port });
  const echoes: Echo[] = [];
  // The ClientDoer is done when the handler returns (and its writes are
  // sent), so the Doist ends with it and closes the client.
  const doer = new ClientDoer({ client, handler: echoTalker(messages, echoes, timeout) });
  const doist = new Doist({ name: "tcp-echo-client", real: true, doers: [doer] });
  try {
    await doist.do();
  } catch (error) {
    out(error instanceof HioError ? error.message : String(error));
    return 1;
  }
  let mismatched = 0;
  for (const echo of echoes) {
    if (echo.received !== echo.sent) mismatched++;
    out(`${echo.received}  (${echo.rttMs.toFixed(2)} ms)`);
  }
  return mismatched === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main();
