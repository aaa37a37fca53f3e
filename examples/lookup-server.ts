/**
 * A TCP server whose handler awaits a Promise-based API: each line a client
 * sends is a host name, and the handler answers with its addresses from
 * `dns.promises.lookup`, waiting with `yield* until(...)` (no callback, no
 * polling; the connection's other work goes on meanwhile). A lookup that
 * fails or takes over `--timeout` seconds is answered with an error line.
 *
 * ```sh
 * npx tsx examples/lookup-server.ts --port 7300 &
 * printf 'localhost\nno-such-host.invalid\n' | nc -N 127.0.0.1 7300
 * ```
 *
 * @module
 */
import { lookup } from "node:dns/promises";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { Doist, EndOfStreamError, Server, ServerDoer, TimeoutError, readLineText, until, writeText, type Operation, type Remoter } from "hio-ts";

/**
 * Makes the per-connection handler.
 * @param timeout seconds of tyme allowed per lookup
 * @returns a handler for ServerDoer: one line in, one line out, until the client closes
 */
export function lookupHandler(timeout: number): (remoter: Remoter) => Operation<void> {
  return function* lookupConnection(remoter: Remoter): Operation<void> {
    for (;;) {
      let name: string;
      try {
        name = (yield* readLineText(remoter.rxbs, { max: 255 })).trim();
      } catch (error) {
        if (error instanceof EndOfStreamError) return; // the client is done
        throw error;
      }
      if (name.length === 0) continue;
      let reply: string;
      try {
        const addresses = yield* until(lookup(name, { all: true }), { timeout });
        reply = `${name} ${addresses.map((entry) => entry.address).join(" ")}`;
      } catch (error) {
        const reason = error instanceof TimeoutError ? "timed out" : ((error as NodeJS.ErrnoException).code ?? String(error));
        reply = `${name} error ${reason}`;
      }
      yield* writeText(remoter.txbs, `${reply}\n`);
    }
  };
}

/**
 * Runs the server until SIGINT.
 * @param argv `[--host H] [--port N] [--timeout S]`
 * @param out where to print
 * @returns the exit code
 */
export async function main(argv: string[] = process.argv.slice(2), out: (line: string) => void = console.log): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { host: { type: "string", default: "127.0.0.1" }, port: { type: "string", default: "7300" }, timeout: { type: "string", default: "5" } },
  });
  const port = Number(values.port);
  const timeout = Number(values.timeout);
  if (!Number.isInteger(port) || port < 0 || port > 65535 || !(timeout > 0)) {
    out(`--port must be 0-65535 and --timeout > 0, got ${values.port} and ${values.timeout}`);
    return 2;
  }
  const server = new Server({ host: values.host, port });
  const doist = new Doist({ name: "lookup-server", real: true, doers: [new ServerDoer({ server, handler: lookupHandler(timeout) })] });
  const running = doist.do();
  await server.open();
  out(`listening on ${values.host}:${server.port}`);
  await running;
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main();
