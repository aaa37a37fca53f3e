/**
 * A Redis (RESP2) client written as generators: `yield* resp.command("GET", "key")`
 * inside any doer sends the command and parses the reply straight out of
 * `client.rxbs`, nested arrays and binary-safe bulk strings included, with
 * no callbacks and no promise per command. Pipelining is one write of many
 * commands followed by as many replies.
 *
 * ```sh
 * redis-server --port 6379 --save '' --appendonly no &
 * npx tsx examples/resp-client.ts                      # a short tour: PING, SET, GET, INCR, lists, a pipeline
 * npx tsx examples/resp-client.ts SET greeting hello   # one command, printed like redis-cli
 * npx tsx examples/resp-client.ts --port 6380 GET greeting
 * ```
 *
 * Exit code 0, or 1 when the connection fails or Redis answers an error,
 * 2 for bad arguments.
 *
 * @module
 */
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import {
  Client,
  ClientDoer,
  Doist,
  FrameTooLongError,
  HioError,
  decodeUtf8,
  encodeUtf8,
  readAvailable,
  readExactly,
  readLine,
  writeAll,
  type Operation,
  type RingBuffer,
} from "hio-ts";

/**
 * A RESP2 reply: simple string → `string`, integer → `number` (`bigint`
 * beyond 2^53), bulk string → `Uint8Array` (binary-safe), null bulk or null
 * array → `null`, array → an array of replies, error → a {@link RespError}
 * (a value, so one failed command in a pipeline does not hide the others).
 */
export type RespValue = string | number | bigint | null | Uint8Array | RespError | RespValue[];

/** An error reply from the server, e.g. `WRONGTYPE Operation against a key...`. */
export class RespError extends HioError {
  /** The first word: `ERR`, `WRONGTYPE`, `NOSCRIPT`... */
  readonly kind: string;

  /**
   * @param message the error line, without the leading `-`
   */
  constructor(message: string) {
    super(message);
    this.kind = message.split(" ", 1)[0] ?? "";
  }
}

/** The bytes did not follow RESP: the connection cannot be trusted after it. */
export class RespProtocolError extends HioError {}

/** Options of {@link readReply} and {@link Resp}. */
export interface RespOptions {
  /** Largest bulk string accepted, in bytes. Default 64 MiB. */
  maxBulk?: number;
  /** Seconds of tyme to wait for each piece of a reply; default: no limit. */
  timeout?: number;
}

const CRLF = encodeUtf8("\r\n");

/**
 * Encodes a command as a RESP array of bulk strings.
 * @param args the command and its arguments; numbers are sent as their decimal text
 * @returns the bytes to send
 */
export function encodeCommand(args: readonly (string | number | Uint8Array)[]): Uint8Array {
  const parts: Uint8Array[] = [encodeUtf8(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = arg instanceof Uint8Array ? arg : encodeUtf8(String(arg));
    parts.push(encodeUtf8(`$${bytes.length}\r\n`), bytes, CRLF);
  }
  let size = 0;
  for (const part of parts) size += part.length;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function parseInteger(ring: RingBuffer, text: string): number | bigint {
  if (!/^-?\d+$/.test(text)) throw new RespProtocolError(`${ring.name}: expected an integer, got ${JSON.stringify(text)}`);
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : BigInt(text);
}

function* readBulk(ring: RingBuffer, length: number, options: RespOptions): Operation<Uint8Array> {
  const timeout = options.timeout === undefined ? {} : { timeout: options.timeout };
  let bulk: Uint8Array;
  if (length <= ring.capacity) bulk = yield* readExactly(ring, length, timeout);
  else {
    // Larger than the ring: take it piece by piece as it arrives.
    bulk = new Uint8Array(length);
    for (let got = 0; got < length; ) {
      const piece = yield* readAvailable(ring, { max: length - got, ...timeout });
      bulk.set(piece, got);
      got += piece.length;
    }
  }
  const end = yield* readExactly(ring, 2, timeout);
  if (end[0] !== 13 || end[1] !== 10) throw new RespProtocolError(`${ring.name}: bulk string of ${length} bytes not followed by CRLF`);
  return bulk;
}

/**
 * Reads one complete reply, however it was split across packets.
 * @param ring where the replies arrive (`client.rxbs`)
 * @param options `maxBulk`, `timeout`
 * @returns the reply; an error reply is returned as a RespError, not thrown
 * @throws RespProtocolError for bytes that are not RESP; FrameTooLongError
 *   for a bulk over `maxBulk`; EndOfStreamError, ReadTimeoutError
 * @example
 * ```ts
 * client.txbs.write(encodeCommand(["LRANGE", "queue", 0, -1]));
 * const items = yield* readReply(client.rxbs);
 * ```
 */
export function* readReply(ring: RingBuffer, options: RespOptions = {}): Operation<RespValue> {
  const line = yield* readLine(ring, { max: 64 * 1024, ...(options.timeout === undefined ? {} : { timeout: options.timeout }) });
  const text = decodeUtf8(line.subarray(1));
  switch (line[0]) {
    case 0x2b: // +
      return text;
    case 0x2d: // -
      return new RespError(text);
    case 0x3a: // :
      return parseInteger(ring, text);
    case 0x24: {
      // $
      const length = Number(parseInteger(ring, text));
      if (length === -1) return null;
      const max = options.maxBulk ?? 64 * 1024 * 1024;
      if (length < 0) throw new RespProtocolError(`${ring.name}: bad bulk length ${length}`);
      if (length > max) throw new FrameTooLongError(`${ring.name}: bulk string of ${length} bytes is over maxBulk ${max}`, max);
      return yield* readBulk(ring, length, options);
    }
    case 0x2a: {
      // *
      const count = Number(parseInteger(ring, text));
      if (count === -1) return null;
      if (count < 0) throw new RespProtocolError(`${ring.name}: bad array length ${count}`);
      const items: RespValue[] = [];
      for (let index = 0; index < count; index++) items.push(yield* readReply(ring, options));
      return items;
    }
    default:
      throw new RespProtocolError(`${ring.name}: unexpected reply type ${JSON.stringify(decodeUtf8(line.subarray(0, 1)))} (RESP3 is not spoken here)`);
  }
}

/**
 * Redis commands over a {@link Client}, as generators. One dog at a time may
 * use it (replies are read in order from one ring).
 *
 * @example
 * ```ts
 * const client = new Client({ port: 6379 });
 * const resp = new Resp(client);
 * const doer = new ClientDoer({
 *   client,
 *   handler: function* (client) {
 *     yield* client.waitConnected({ timeout: 5 });
 *     yield* resp.command("SET", "greeting", "hello");
 *     const value = yield* resp.command("GET", "greeting"); // Uint8Array "hello"
 *   },
 * });
 * await new Doist({ real: true, doers: [doer] }).do(); // ends when the handler returns
 * ```
 */
export class Resp {
  /** The connection. */
  readonly client: Client;
  readonly #options: RespOptions;

  /**
   * @param client the client to talk over (run it with a ClientDoer)
   * @param options `maxBulk`, `timeout`
   */
  constructor(client: Client, options: RespOptions = {}) {
    this.client = client;
    this.#options = options;
  }

  /**
   * Sends one command and reads its reply.
   * @param args the command and its arguments
   * @returns the reply
   * @throws RespError when the server answers with an error; as {@link readReply}
   */
  *command(...args: (string | number | Uint8Array)[]): Operation<RespValue> {
    yield* writeAll(this.client.txbs, encodeCommand(args), this.#timeout());
    const reply = yield* readReply(this.client.rxbs, this.#options);
    if (reply instanceof RespError) throw reply;
    return reply;
  }

  /**
   * Sends many commands in one write, then reads all the replies.
   * @param commands each command with its arguments
   * @returns the replies in order; error replies are RespError values
   */
  *pipeline(commands: readonly (readonly (string | number | Uint8Array)[])[]): Operation<RespValue[]> {
    const encoded = commands.map((args) => encodeCommand(args));
    let size = 0;
    for (const bytes of encoded) size += bytes.length;
    const batch = new Uint8Array(size);
    let offset = 0;
    for (const bytes of encoded) {
      batch.set(bytes, offset);
      offset += bytes.length;
    }
    yield* writeAll(this.client.txbs, batch, this.#timeout());
    const replies: RespValue[] = [];
    for (let index = 0; index < commands.length; index++) replies.push(yield* readReply(this.client.rxbs, this.#options));
    return replies;
  }

  #timeout(): { timeout?: number } {
    return this.#options.timeout === undefined ? {} : { timeout: this.#options.timeout };
  }
}

/**
 * Formats a reply as redis-cli prints it.
 * @param value the reply
 * @param indent prefix for nested array lines
 * @returns the text (lines joined with LF)
 */
export function formatReply(value: RespValue, indent = ""): string {
  if (value === null) return "(nil)";
  if (value instanceof RespError) return `(error) ${value.message}`;
  if (typeof value === "number" || typeof value === "bigint") return `(integer) ${value}`;
  if (typeof value === "string") return value;
  if (value instanceof Uint8Array) return JSON.stringify(decodeUtf8(value));
  if (value.length === 0) return "(empty array)";
  const width = String(value.length).length;
  return value
    .map((item, index) => {
      const label = `${String(index + 1).padStart(width)}) `;
      const nested = formatReply(item, indent + " ".repeat(label.length));
      return `${index === 0 ? "" : indent}${label}${nested}`;
    })
    .join("\n");
}

function* tour(resp: Resp, out: (line: string) => void): Operation<void> {
  const show = function* (...args: (string | number)[]): Operation<void> {
    out(`> ${args.join(" ")}`);
    out(formatReply(yield* resp.command(...args)));
  };
  yield* show("PING");
  yield* show("SET", "hio-ts:greeting", "hello from a generator");
  yield* show("GET", "hio-ts:greeting");
  yield* show("DEL", "hio-ts:counter", "hio-ts:list");
  yield* show("INCR", "hio-ts:counter");
  yield* show("RPUSH", "hio-ts:list", "doist", "dodoer", "doer");
  yield* show("LRANGE", "hio-ts:list", 0, -1);
  const count = 1000;
  const start = performance.now();
  const replies = yield* resp.pipeline(Array.from({ length: count }, () => ["INCR", "hio-ts:counter"]));
  const ms = performance.now() - start;
  out(`> ${count} x INCR hio-ts:counter, pipelined`);
  out(`${formatReply(replies.at(-1) ?? null)}  (${count} replies in ${ms.toFixed(1)} ms)`);
  yield* show("DEL", "hio-ts:greeting", "hio-ts:counter", "hio-ts:list");
}

/**
 * Runs one command (or the tour) against a Redis server and prints the reply.
 * @param argv `[--host H] [--port N] [--timeout S] [COMMAND [ARG...]]`
 * @param out where to print
 * @returns the exit code
 */
export async function main(argv: string[] = process.argv.slice(2), out: (line: string) => void = console.log): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { host: { type: "string", default: "127.0.0.1" }, port: { type: "string", default: "6379" }, timeout: { type: "string", default: "5" } },
    });
  } catch (error) {
    out(`usage: npx tsx examples/resp-client.ts [--host H] [--port N] [--timeout S] [COMMAND [ARG...]] (${(error as Error).message})`);
    return 2;
  }
  const { values, positionals } = parsed;
  const port = Number(values.port);
  const timeout = Number(values.timeout);
  if (!Number.isInteger(port) || port < 1 || port > 65535 || !(timeout > 0)) {
    out(`--port must be 1-65535 and --timeout > 0, got ${values.port} and ${values.timeout}`);
    return 2;
  }
  const client = new Client({ host: values.host, port });
  const resp = new Resp(client, { timeout });
  let failed = false;
  // The ClientDoer is done when its handler returns (and what it wrote is
  // sent), so the Doist ends with it and closes the client.
  const doer = new ClientDoer({
    client,
    handler: function* redis(client) {
      yield* client.waitConnected({ timeout });
      try {
        if (positionals.length === 0) yield* tour(resp, out);
        else out(formatReply(yield* resp.command(...positionals)));
      } catch (error) {
        if (!(error instanceof RespError)) throw error;
        out(formatReply(error));
        failed = true;
      }
    },
  });
  const doist = new Doist({ name: "resp-client", real: true, doers: [doer] });
  try {
    await doist.do();
  } catch (error) {
    out(error instanceof HioError ? error.message : String(error));
    return 1;
  }
  return failed ? 1 : 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main();
