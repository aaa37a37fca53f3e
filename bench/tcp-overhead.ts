/**
 * The JavaScript cost hio-ts adds per round trip and per connection, without
 * the kernel: a ServerDoer with the README's handler (readAvailable +
 * writeAll) in a real-time Doist, on an in-memory driver whose sockets get
 * `data` from this process and count `write`s. Every round gives each of
 * `connections` sockets one message in one macrotask (as one epoll wake
 * would) and waits until all are answered; the churn scenario accepts a
 * connection, sends one byte, waits for the echo and the close (the peer's
 * FIN first). The raw column runs the same load on the same sockets with a
 * `data` listener that writes back at once (what `socket.pipe(socket)` does
 * in JavaScript), so the difference is what hio-ts itself costs. Steadier
 * than bench:tcp on a shared machine (no syscalls, no second process).
 *
 * Run: `npx tsx bench/tcp-overhead.ts [pingpong|churn|all]`; size by env
 * TCP_OVERHEAD_CONNS (16), TCP_OVERHEAD_ROUNDS (20000), TCP_OVERHEAD_SIZE (64),
 * TCP_OVERHEAD_CHURN (20000 connections, 16 at a time).
 */
import { PerformanceObserver, constants } from "node:perf_hooks";
import { Doist } from "../src/core/index.js";
import { readAvailable, writeAll } from "../src/io/index.js";
import { type ConnectionHandler, Server, ServerDoer, type StreamServer, type StreamSocket, type TcpDriver } from "../src/tcp/index.js";

type Listener = (...args: never[]) => void;

/** An in-memory accepted socket: `data`/`end` come from the load, writes are counted. */
class MemorySocket implements StreamSocket {
  readonly remoteAddress = "127.0.0.1";
  readonly remotePort: number;
  readonly localAddress = "127.0.0.1";
  readonly localPort = 7000;
  destroyed = false;
  readonly errored = null;
  readonly writableLength = 0;
  written = 0;
  ended = false;
  onWrite: ((socket: MemorySocket, bytes: number) => void) | undefined;
  readonly #listeners = new Map<string, Listener[]>();

  constructor(port: number) {
    this.remotePort = port;
  }

  on(event: string, listener: Listener): this {
    const list = this.#listeners.get(event);
    if (list === undefined) this.#listeners.set(event, [listener]);
    else list.push(listener);
    return this;
  }

  emit(event: string, arg?: unknown): void {
    const list = this.#listeners.get(event);
    // As an EventEmitter does: the socket is `this` (the pump's shared listeners rely on it).
    if (list !== undefined) for (const listener of list) (listener as (this: MemorySocket, arg: unknown) => void).call(this, arg);
  }

  write(data: Uint8Array, callback?: (error?: Error | null) => void): boolean {
    this.written += data.length;
    // Node calls back a write that went through at once on the next tick.
    if (callback !== undefined) process.nextTick(callback, null);
    this.onWrite?.(this, data.length);
    return true;
  }

  end(callback?: () => void): this {
    this.ended = true;
    this.onWrite?.(this, -1);
    if (callback !== undefined) queueMicrotask(callback);
    return this;
  }

  destroy(): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    queueMicrotask(() => this.emit("close"));
    return this;
  }

  pause(): this {
    return this;
  }

  resume(): this {
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }
}

/** A driver whose listener hands over MemorySockets made by `accept`. */
class MemoryDriver implements TcpDriver {
  connection: ((socket: StreamSocket) => void) | undefined;
  connect(): StreamSocket {
    throw new Error("not used");
  }
  listen(_options: unknown, handlers: { connection(socket: StreamSocket): void }): StreamServer {
    this.connection = handlers.connection;
    const listeners: (() => void)[] = [];
    setImmediate(() => {
      for (const listener of listeners) listener();
    });
    return {
      address: () => ({ address: "127.0.0.1", port: 7000, family: "IPv4" }),
      close: () => undefined,
      on: (event: string, listener: () => void) => {
        if (event === "listening") listeners.push(listener);
        return undefined;
      },
    } as StreamServer;
  }
}

const echo: ConnectionHandler = function* (remoter) {
  for (;;) {
    const chunk = yield* readAvailable(remoter.rxbs);
    yield* writeAll(remoter.txbs, chunk);
  }
};

const CONNS = Number(process.env.TCP_OVERHEAD_CONNS ?? 16);
const ROUNDS = Number(process.env.TCP_OVERHEAD_ROUNDS ?? 20_000);
const SIZE = Number(process.env.TCP_OVERHEAD_SIZE ?? 64);
const CHURN = Number(process.env.TCP_OVERHEAD_CHURN ?? 20_000);

interface Target {
  accept(socket: MemorySocket): void;
  stop(): Promise<void>;
}

async function hioTarget(): Promise<Target> {
  const driver = new MemoryDriver();
  const server = new Server({ port: 0, driver });
  const doist = new Doist({ doers: [new ServerDoer({ server, handler: echo })], real: true, signals: false });
  const running = doist.do();
  await server.open();
  return {
    accept: (socket) => driver.connection!(socket),
    stop: async () => {
      doist[Symbol.dispose]();
      await running;
    },
  };
}

async function rawTarget(): Promise<Target> {
  return {
    accept: (socket) => {
      socket.on("data", ((chunk: Uint8Array) => socket.write(chunk)) as Listener);
      socket.on("end", (() => socket.end()) as Listener);
    },
    stop: async () => {},
  };
}

/** Rounds of one message per connection, each round in its own macrotask. */
async function pingpong(target: Target): Promise<{ perRound: number; cpu: number }> {
  const message = new Uint8Array(SIZE).fill(0x61);
  const sockets: MemorySocket[] = [];
  let answered = 0;
  let done: () => void = () => {};
  const onWrite = (_socket: MemorySocket, bytes: number): void => {
    if (bytes > 0 && ++answered === CONNS) done();
  };
  for (let index = 0; index < CONNS; index++) {
    const socket = new MemorySocket(10_000 + index);
    socket.onWrite = onWrite;
    sockets.push(socket);
    target.accept(socket);
  }
  await new Promise((resolve) => setTimeout(resolve, 10));
  const round = (): Promise<void> =>
    new Promise<void>((resolve) => {
      answered = 0;
      done = resolve;
      // One macrotask per socket: Node drains microtasks after each socket's
      // callback from the event loop, so a wake per event costs what it would.
      // A fresh array of its own per read, as Node delivers.
      for (const socket of sockets) setImmediate(() => socket.emit("data", new Uint8Array(message)));
    });
  for (let index = 0; index < 500; index++) await round(); // warm up
  const start = process.cpuUsage();
  for (let index = 0; index < ROUNDS; index++) await round();
  const used = process.cpuUsage(start);
  for (const socket of sockets) socket.destroy();
  return { perRound: (used.user + used.system) / ROUNDS, cpu: used.user + used.system };
}

/**
 * Connections accepted, sent one byte, echoed, half-closed by the peer,
 * closed: 16 at a time. Also the time spent in scavenges (minor GCs) per
 * connection: what a connection's objects cost the GC when they die young,
 * and more when something keeps them past a scavenge.
 */
async function churn(target: Target): Promise<{ perConn: number; scavenge: number }> {
  let next = 20_000;
  const one = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const socket = new MemorySocket(next++ % 60_000);
      socket.onWrite = (_socket, bytes) => {
        if (bytes > 0) setImmediate(() => socket.emit("end"));
      };
      socket.on("close", resolve as Listener);
      socket.onWrite = (_s, bytes) => {
        if (bytes > 0) setImmediate(() => socket.emit("end"));
        else if (bytes < 0) setImmediate(() => socket.destroy());
      };
      target.accept(socket);
      setImmediate(() => socket.emit("data", Buffer.from("x")));
    });
  const worker = async (count: number): Promise<void> => {
    for (let index = 0; index < count; index++) await one();
  };
  await Promise.all(Array.from({ length: 16 }, () => worker(100))); // warm up
  let scavenges = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if ((entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges += entry.duration;
  });
  observer.observe({ entryTypes: ["gc"] });
  const start = process.cpuUsage();
  await Promise.all(Array.from({ length: 16 }, () => worker(Math.floor(CHURN / 16))));
  const used = process.cpuUsage(start);
  await new Promise((resolve) => setImmediate(resolve)); // the last entries
  observer.disconnect();
  const connections = Math.floor(CHURN / 16) * 16;
  return { perConn: (used.user + used.system) / connections, scavenge: (scavenges * 1000) / connections };
}

const which = process.argv[2] ?? "all";
for (const [name, make] of [
  ["raw", rawTarget],
  ["hio", hioTarget],
] as const) {
  const target = await make();
  if (which === "all" || which === "pingpong") {
    const result = await pingpong(target);
    console.log(`${name}: ping-pong ${SIZE} B, ${CONNS} conns: ${(result.perRound / CONNS).toFixed(2)} µs CPU per round trip (${result.perRound.toFixed(1)} µs per round)`);
  }
  if (which === "all" || which === "churn") {
    const result = await churn(target);
    console.log(`${name}: churn: ${result.perConn.toFixed(2)} µs CPU per connection, of which ${result.scavenge.toFixed(2)} µs in scavenges`);
  }
  await target.stop();
}
