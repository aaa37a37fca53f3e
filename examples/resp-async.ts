/**
 * The generator RESP client (examples/resp-client.ts) used from plain
 * `async` code: `run()` starts a Doist with the Client's doer, runs one
 * operation in it and resolves with what it returns, then closes the
 * connection. An AbortSignal bounds the whole exchange.
 *
 * ```sh
 * redis-server --port 6379 --save '' --appendonly no &
 * npx tsx examples/resp-async.ts greeting "hello from async"
 * ```
 *
 * @module
 */
import { pathToFileURL } from "node:url";
import { Client, ClientDoer, decodeUtf8, run, type Operation } from "hio-ts";
import { Resp } from "./resp-client.js";

/**
 * Sets `key` to `value` and reads it back, from async code.
 * @param port the Redis port
 * @param key the key
 * @param value the value to store
 * @param signal bounds the whole exchange (default: 5 s of wall clock)
 * @returns the value Redis gives back for `key`
 */
export async function setAndGet(port: number, key: string, value: string, signal: AbortSignal = AbortSignal.timeout(5000)): Promise<string> {
  const client = new Client({ port });
  const resp = new Resp(client);
  const reply = await run(
    function* exchange(): Operation<Uint8Array> {
      yield* client.waitConnected();
      yield* resp.command("SET", key, value);
      return (yield* resp.command("GET", key)) as Uint8Array;
    },
    { doers: [new ClientDoer({ client })], signal, signals: false },
  );
  return decodeUtf8(reply);
}

/**
 * Runs `setAndGet` with the command line's key and value.
 * @param argv `KEY VALUE [PORT]`
 * @param out where to print
 * @returns the exit code
 */
export async function main(argv: string[] = process.argv.slice(2), out: (line: string) => void = console.log): Promise<number> {
  const [key = "hio-ts:async", value = "hello from async", port = "6379"] = argv;
  try {
    out(await setAndGet(Number(port), key, value));
    return 0;
  } catch (error) {
    out(`failed: ${(error as Error).message}`);
    return 1;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main();
