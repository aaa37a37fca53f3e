/**
 * A small HTTP/1.1 server: one handler generator per connection reads
 * requests with `yield*` (request line, headers, a Content-Length or chunked
 * body), answers with Content-Length or chunked responses, and keeps the
 * connection alive between requests (HTTP/1.1 by default, HTTP/1.0 when asked).
 *
 * ```sh
 * npx tsx examples/http-server.ts --port 8080         # Ctrl-C stops it
 * curl -v http://127.0.0.1:8080/ http://127.0.0.1:8080/   # two requests, one connection
 * curl -N 'http://127.0.0.1:8080/chunked?count=5&interval=0.5'
 * curl --data-binary 'some body' http://127.0.0.1:8080/echo
 * ```
 *
 * Routes: `GET /` (a greeting), `GET /chunked?count=N&interval=S` (N chunks,
 * S seconds of tyme apart: a slow stream that holds up no other
 * connection), `POST /echo` (the body back), `HEAD` of the GET routes.
 * Anything else: 404 or 405. Malformed requests get 400 (431 for headers
 * too large, 413 for a body over 1 MiB, 505 for other versions) and the
 * connection is closed.
 *
 * @module
 */
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import {
  Doist,
  EndOfStreamError,
  FrameTooLongError,
  HioError,
  ListenError,
  Server,
  ServerDoer,
  decodeUtf8,
  encodeUtf8,
  readAvailable,
  readExactly,
  readLine,
  writeAll,
  type Operation,
  type Remoter,
  type RingBuffer,
} from "hio-ts";

/** A parsed request. */
export interface HttpRequest {
  method: string;
  /** The request target as sent, e.g. `/chunked?count=3`. */
  target: string;
  /** Its path, e.g. `/chunked`. */
  path: string;
  /** Its query parameters. */
  query: URLSearchParams;
  /** `1.1` or `1.0`. */
  version: "1.1" | "1.0";
  /** Header fields by lower-case name; repeated fields joined with `, `. */
  headers: Map<string, string>;
  /** The body (empty when there is none). */
  body: Uint8Array;
}

/** A request the server refuses; `status` is the response it gets. */
export class HttpError extends HioError {
  /**
   * @param status the HTTP status to answer with
   * @param message why
   */
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Counters, for the curious and for tests. */
export interface HttpStats {
  requests: number;
  /** Responses by status code. */
  statuses: Map<number, number>;
}

/** Limits of the parser. */
export const LIMITS = { line: 8192, headers: 100, body: 1024 * 1024 } as const;

const REASONS: Record<number, string> = {
  100: "Continue",
  200: "OK",
  400: "Bad Request",
  404: "Not Found",
  405: "Method Not Allowed",
  413: "Content Too Large",
  431: "Request Header Fields Too Large",
  505: "HTTP Version Not Supported",
};
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function* line(ring: RingBuffer, status: number): Operation<string> {
  try {
    return decodeUtf8(yield* readLine(ring, { max: LIMITS.line }));
  } catch (error) {
    if (error instanceof FrameTooLongError) throw new HttpError(status, `line longer than ${LIMITS.line} bytes`);
    throw error;
  }
}

function* readBytes(ring: RingBuffer, length: number, into: Uint8Array[]): Operation<void> {
  if (length <= ring.capacity) {
    into.push(yield* readExactly(ring, length));
    return;
  }
  for (let got = 0; got < length; ) {
    const piece = yield* readAvailable(ring, { max: length - got });
    into.push(piece);
    got += piece.length;
  }
}

function* readChunkedBody(ring: RingBuffer, into: Uint8Array[]): Operation<void> {
  let total = 0;
  for (;;) {
    const sizeLine = yield* line(ring, 400);
    const size = /^[0-9A-Fa-f]{1,8}(?:;.*)?$/.test(sizeLine) ? parseInt(sizeLine, 16) : Number.NaN;
    if (Number.isNaN(size)) throw new HttpError(400, `bad chunk size ${JSON.stringify(sizeLine)}`);
    if (size === 0) break;
    total += size;
    if (total > LIMITS.body) throw new HttpError(413, `chunked body over ${LIMITS.body} bytes`);
    yield* readBytes(ring, size, into);
    if ((yield* line(ring, 400)) !== "") throw new HttpError(400, "chunk data not followed by CRLF");
  }
  while ((yield* line(ring, 431)) !== "") {} // trailer fields: read and ignored
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
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

/**
 * Reads one request. Sends `100 Continue` itself when the client expects it
 * and the body is acceptable; a Content-Length over the limit gets 413 at
 * once, without inviting the body.
 * @param remoter the connection
 * @returns the request, or undefined when the peer closed between requests
 * @throws HttpError for a request to refuse (its `status` says how); EndOfStreamError mid-request
 */
export function* readRequest(remoter: Remoter): Operation<HttpRequest | undefined> {
  const rxbs = remoter.rxbs;
  let requestLine: string;
  try {
    do requestLine = yield* line(rxbs, 400);
    while (requestLine === ""); // RFC 9112 §2.2: ignore empty lines before a request
  } catch (error) {
    if (error instanceof EndOfStreamError && error.partial.length === 0) return undefined;
    throw error;
  }
  const match = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) (\S+) HTTP\/(\d\.\d)$/.exec(requestLine);
  if (match === null) throw new HttpError(400, `bad request line ${JSON.stringify(requestLine.slice(0, 80))}`);
  const [, method, target, version] = match as unknown as [string, string, string, string];
  if (version !== "1.1" && version !== "1.0") throw new HttpError(505, `HTTP/${version} is not spoken here`);
  const headers = new Map<string, string>();
  for (let count = 0; ; count++) {
    const field = yield* line(rxbs, 431);
    if (field === "") break;
    if (count >= LIMITS.headers) throw new HttpError(431, `more than ${LIMITS.headers} header fields`);
    const colon = field.indexOf(":");
    const name = field.slice(0, colon).toLowerCase();
    if (colon <= 0 || !TOKEN.test(name)) throw new HttpError(400, `bad header field ${JSON.stringify(field.slice(0, 80))}`);
    const value = field.slice(colon + 1).trim();
    const before = headers.get(name);
    headers.set(name, before === undefined ? value : `${before}, ${value}`);
  }
  const url = new URL(target, "http://localhost");
  const transferEncoding = headers.get("transfer-encoding");
  const contentLength = headers.get("content-length");
  // Check the framing before answering 100 Continue: a body that will be
  // refused (413, 400) must not be invited (RFC 9110 §10.1.1).
  let length = 0;
  if (transferEncoding !== undefined) {
    // Both framings at once is how requests get smuggled: refuse it.
    if (contentLength !== undefined) throw new HttpError(400, "both Transfer-Encoding and Content-Length");
    if (transferEncoding.toLowerCase() !== "chunked") throw new HttpError(400, `unsupported Transfer-Encoding ${transferEncoding}`);
  } else if (contentLength !== undefined) {
    if (!/^\d{1,10}$/.test(contentLength)) throw new HttpError(400, `bad Content-Length ${contentLength}`);
    length = Number(contentLength);
    if (length > LIMITS.body) throw new HttpError(413, `body of ${length} bytes is over ${LIMITS.body}`);
  }
  if (transferEncoding !== undefined || length > 0) {
    if (headers.get("expect")?.toLowerCase() === "100-continue") yield* writeAll(remoter.txbs, encodeUtf8("HTTP/1.1 100 Continue\r\n\r\n"));
  }
  const parts: Uint8Array[] = [];
  if (transferEncoding !== undefined) yield* readChunkedBody(rxbs, parts);
  else if (length > 0) yield* readBytes(rxbs, length, parts);
  return { method, target, path: url.pathname, query: url.searchParams, version, headers, body: parts.length === 0 ? new Uint8Array(0) : concat(parts) };
}

function head(status: number, fields: Record<string, string | number>): Uint8Array {
  let text = `HTTP/1.1 ${status} ${REASONS[status] ?? "Unknown"}\r\nDate: ${new Date().toUTCString()}\r\nServer: hio-ts\r\n`;
  for (const [name, value] of Object.entries(fields)) text += `${name}: ${value}\r\n`;
  return encodeUtf8(`${text}\r\n`);
}

/**
 * Writes a response with a Content-Length.
 * @param txbs where to write
 * @param status the status code
 * @param body the body
 * @param options `type` (Content-Type), `close` (add `Connection: close`), `keepAlive` (add `Connection: keep-alive`, for HTTP/1.0), `headOnly` (HEAD)
 */
export function* respond(
  txbs: RingBuffer,
  status: number,
  body: Uint8Array | string,
  options: { type?: string; close?: boolean; keepAlive?: boolean; headOnly?: boolean; extra?: Record<string, string> } = {},
): Operation<void> {
  const bytes = typeof body === "string" ? encodeUtf8(body) : body;
  const fields: Record<string, string | number> = { "Content-Type": options.type ?? "text/plain; charset=utf-8", "Content-Length": bytes.length, ...options.extra };
  if (options.close === true) fields.Connection = "close";
  else if (options.keepAlive === true) fields.Connection = "keep-alive";
  yield* writeAll(txbs, head(status, fields));
  if (options.headOnly !== true && bytes.length > 0) yield* writeAll(txbs, bytes);
}

function* streamChunks(txbs: RingBuffer, request: HttpRequest, close: boolean, headOnly: boolean): Operation<void> {
  const count = Math.min(Math.max(Number(request.query.get("count") ?? 3) || 0, 0), 1000);
  const interval = Math.min(Math.max(Number(request.query.get("interval") ?? 0.25) || 0, 0), 10);
  const fields: Record<string, string> = { "Content-Type": "text/plain; charset=utf-8", "Transfer-Encoding": "chunked" };
  if (close) fields.Connection = "close";
  yield* writeAll(txbs, head(200, fields));
  if (headOnly) return;
  for (let index = 1; index <= count; index++) {
    const data = encodeUtf8(`chunk ${index} of ${count}\n`);
    yield* writeAll(txbs, encodeUtf8(`${data.length.toString(16)}\r\n`));
    yield* writeAll(txbs, data);
    yield* writeAll(txbs, encodeUtf8("\r\n"));
    if (index < count && interval > 0) yield interval; // sleeps; other connections go on
  }
  yield* writeAll(txbs, encodeUtf8("0\r\n\r\n"));
}

function keepsAlive(request: HttpRequest): boolean {
  const tokens = (request.headers.get("connection") ?? "")
    .toLowerCase()
    .split(",")
    .map((token) => token.trim());
  return request.version === "1.1" ? !tokens.includes("close") : tokens.includes("keep-alive");
}

/**
 * Makes the per-connection handler.
 * @param stats counters to update
 * @returns a handler for a ServerDoer
 */
export function httpHandler(stats: HttpStats = { requests: 0, statuses: new Map() }) {
  const count = (status: number) => stats.statuses.set(status, (stats.statuses.get(status) ?? 0) + 1);
  return function* http(remoter: Remoter): Operation<void> {
    const txbs = remoter.txbs;
    try {
      for (;;) {
        const request = yield* readRequest(remoter);
        if (request === undefined) return;
        stats.requests++;
        const alive = keepsAlive(request);
        const connection = { close: !alive, keepAlive: alive && request.version === "1.0" };
        const headOnly = request.method === "HEAD";
        const get = request.method === "GET" || headOnly;
        let status = 200;
        if (request.path === "/" && get) {
          yield* respond(txbs, 200, "hello from hio-ts\n", { ...connection, headOnly });
        } else if (request.path === "/chunked" && get) {
          yield* streamChunks(txbs, request, !alive, headOnly);
        } else if (request.path === "/echo" && request.method === "POST") {
          yield* respond(txbs, 200, request.body, { ...connection, type: request.headers.get("content-type") ?? "application/octet-stream" });
        } else if (request.path === "/" || request.path === "/chunked" || request.path === "/echo") {
          status = 405;
          yield* respond(txbs, 405, "method not allowed\n", { ...connection, headOnly, extra: { Allow: request.path === "/echo" ? "POST" : "GET, HEAD" } });
        } else {
          status = 404;
          yield* respond(txbs, 404, "not found\n", { ...connection, headOnly });
        }
        count(status);
        if (!alive) return;
      }
    } catch (error) {
      if (error instanceof HttpError) {
        count(error.status);
        yield* respond(txbs, error.status, `${error.message}\n`, { close: true });
        return; // the handler's end flushes the answer and closes the connection
      }
      if (error instanceof EndOfStreamError) return; // the peer left mid-request
      throw error;
    }
  };
}

/**
 * Builds the server and its doer (not yet listening).
 * @param options `host`, `port`, `idleTimeout` (seconds of tyme; default 30, 0: never), `stats`
 * @returns the server, its ServerDoer, and the counters
 */
export function httpServer(options: { host?: string; port?: number; idleTimeout?: number; stats?: HttpStats } = {}): { server: Server; doer: ServerDoer; stats: HttpStats } {
  const stats = options.stats ?? { requests: 0, statuses: new Map<number, number>() };
  const server = new Server({ host: options.host ?? "127.0.0.1", port: options.port ?? 8080, idleTimeout: options.idleTimeout ?? 30 });
  return { server, doer: new ServerDoer({ server, handler: httpHandler(stats) }), stats };
}

/**
 * Runs the server until Ctrl-C.
 * @param argv `[--host H] [--port N]`
 * @param out where to print
 * @returns the exit code
 */
export async function main(argv: string[] = process.argv.slice(2), out: (line: string) => void = console.log): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { host: { type: "string", default: "127.0.0.1" }, port: { type: "string", default: "8080" } } }));
  } catch (error) {
    out(`usage: npx tsx examples/http-server.ts [--host H] [--port N] (${(error as Error).message})`);
    return 2;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    out(`--port must be a whole number from 0 to 65535, got ${values.port}`);
    return 2;
  }
  const { server, doer, stats } = httpServer({ host: values.host, port });
  try {
    await server.open();
  } catch (error) {
    out(error instanceof ListenError ? error.message : String(error));
    return 1;
  }
  const doist = new Doist({ name: "http-server", real: true, doers: [doer] });
  const running = doist.do(); // from here on Ctrl-C stops it cleanly
  out(`serving http://${server.host}:${server.port}/`);
  try {
    await running;
  } finally {
    out(`stopped: ${server.accepted} connections, ${stats.requests} requests`);
  }
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main();
