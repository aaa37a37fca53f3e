/**
 * Soak benchmark (issue 11), minutes long, not part of `npm test`: the same
 * load against a hio-ts ServerDoer (handler form, echo) and a raw node:net
 * echo server (`socket.pipe(socket)`), each in its own child process, in one
 * run, printed side by side:
 * - churn: cycles mixing graceful close, RST after echo and RST at connect;
 * - idle + active: idle connections held open while active ones ping-pong,
 *   then all closed at once (mass disconnect);
 * - reconnect: a reconnecting hio-ts Client writing records to a server that
 *   is killed (every connection reset) and restarted, against a raw
 *   reconnect loop; bytes lost (written - received) vs reported lost.
 * For each server: fds and remoters before/after, heap after GC
 * before/after, the longest event-loop stall, RSS per idle connection.
 *
 * Run: npm run bench:soak. Size by env: SOAK_CYCLES (100000), SOAK_IDLE
 * (10000), SOAK_ACTIVE (1000), SOAK_ACTIVE_SECONDS (5), SOAK_RESTARTS (10),
 * SOAK_CONCURRENCY (100). A short run:
 * `SOAK_CYCLES=3000 SOAK_IDLE=1000 SOAK_ACTIVE=100 SOAK_RESTARTS=3 npm run bench:soak`.
 */
import { fork, type ChildProcess } from "node:child_process";
import { readdirSync } from "node:fs";
import net from "node:net";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import v8 from "node:v8";
import vm from "node:vm";
import { Doist } from "../src/core/index.js";
import { readAvailable, writeAll } from "../src/io/index.js";
import { Client, ClientDoer, Server, ServerDoer, type Remoter } from "../src/tcp/index.js";

const CYCLES = Number(process.env.SOAK_CYCLES ?? 100_000);
const IDLE = Number(process.env.SOAK_IDLE ?? 10_000);
const ACTIVE = Number(process.env.SOAK_ACTIVE ?? 1_000);
const ACTIVE_SECONDS = Number(process.env.SOAK_ACTIVE_SECONDS ?? 5);
const RESTARTS = Number(process.env.SOAK_RESTARTS ?? 10);
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 100);

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

async function heapAfterGc(): Promise<number> {
  for (let index = 0; index < 3; index++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

const fds = (): number => readdirSync("/proc/self/fd").length;

// ---------------------------------------------------------------- server child

async function serve(mode: "hio" | "raw"): Promise<void> {
  const stall = monitorEventLoopDelay({ resolution: 5 });
  stall.enable();
  let remoters = (): number => 0;
  let port = 0;
  if (mode === "raw") {
    const sockets = new Set<net.Socket>();
    const server = net.createServer({ allowHalfOpen: false }, (socket) => {
      sockets.add(socket);
      socket.on("error", () => {});
      socket.on("close", () => sockets.delete(socket));
      socket.pipe(socket);
    });
    await new Promise<void>((resolve) => server.listen({ port: 0, host: "127.0.0.1", backlog: 4096 }, resolve));
    port = (server.address() as net.AddressInfo).port;
    remoters = () => sockets.size;
  } else {
    const server = new Server({ port: 0, backlog: 4096, bufferSize: 16_384 });
    await server.open();
    port = server.port;
    const doer = new ServerDoer({
      server,
      handler: function* (remoter: Remoter) {
        for (;;) yield* writeAll(remoter.txbs, yield* readAvailable(remoter.rxbs));
      },
      onError: () => {},
    });
    void new Doist({ doers: [doer], real: true, signals: false }).do();
    remoters = () => server.remoters.size;
  }
  process.on("message", async (message: { type: string }) => {
    if (message.type === "stats") {
      process.send!({ fds: fds(), remoters: remoters(), heap: await heapAfterGc(), rss: process.memoryUsage().rss, stallMs: stall.max / 1e6 });
    } else if (message.type === "reset-stall") {
      stall.reset();
      process.send!({});
    } else if (message.type === "exit") process.exit(0);
  });
  process.send!({ port });
}

// ---------------------------------------------------------------- load (parent)

interface Child {
  mode: string;
  port: number;
  ask(type: string): Promise<Record<string, number>>;
  child: ChildProcess;
}

function reply(child: ChildProcess): Promise<Record<string, number>> {
  return new Promise((resolve) => child.once("message", (message) => resolve(message as Record<string, number>)));
}

async function startChild(mode: string): Promise<Child> {
  const child = fork(fileURLToPath(import.meta.url), ["serve", mode], { execArgv: ["--import", "tsx"], stdio: "inherit" });
  const { port } = await reply(child);
  return {
    mode,
    port: port!,
    child,
    ask: (type) => {
      const answer = reply(child);
      child.send({ type });
      return answer;
    },
  };
}

function cycle(port: number, kind: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    socket.on("error", () => {});
    socket.on("close", () => resolve());
    if (kind === 2) {
      socket.on("connect", () => socket.resetAndDestroy());
      return;
    }
    socket.on("connect", () => socket.write("ping"));
    let got = 0;
    socket.on("data", (chunk: Buffer) => {
      got += chunk.length;
      if (got < 4) return;
      if (kind === 0) socket.end();
      else socket.resetAndDestroy();
    });
  });
}

async function churn(port: number): Promise<number> {
  const start = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < CYCLES) {
      const kind = next++ % 3;
      await cycle(port, kind);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return CYCLES / ((performance.now() - start) / 1000);
}

async function idleAndActive(server: Child): Promise<{ rssPerIdle: number; roundTrips: number; massCloseStallMs: number }> {
  const before = await server.ask("stats");
  const idle: net.Socket[] = [];
  for (let index = 0; index < IDLE; index += 500) {
    const batch = Array.from({ length: Math.min(500, IDLE - index) }, () => {
      const socket = net.connect({ port: server.port, host: "127.0.0.1" });
      socket.on("error", () => {});
      idle.push(socket);
      return new Promise((resolve) => socket.once("connect", resolve));
    });
    await Promise.all(batch);
  }
  await waitFor(async () => (await server.ask("stats")).remoters! >= IDLE);
  const withIdle = await server.ask("stats");
  const rssPerIdle = (withIdle.rss! - before.rss!) / IDLE;
  // Active connections ping-pong 512 B for ACTIVE_SECONDS.
  const payload = Buffer.alloc(512, 7);
  let roundTrips = 0;
  const stopAt = performance.now() + ACTIVE_SECONDS * 1000;
  const active = await Promise.all(
    Array.from(
      { length: ACTIVE },
      () =>
        new Promise<net.Socket>((resolve) => {
          const socket = net.connect({ port: server.port, host: "127.0.0.1" }, () => resolve(socket));
          socket.on("error", () => {});
          let got = 0;
          socket.on("data", (chunk: Buffer) => {
            got += chunk.length;
            while (got >= 512) {
              got -= 512;
              roundTrips++;
              if (performance.now() < stopAt) socket.write(payload);
            }
          });
        }),
    ),
  );
  for (const socket of active) socket.write(payload);
  await new Promise((resolve) => setTimeout(resolve, ACTIVE_SECONDS * 1000 + 200));
  await server.ask("reset-stall");
  for (const socket of [...idle, ...active]) socket.destroy();
  await waitFor(async () => (await server.ask("stats")).remoters === 0);
  const after = await server.ask("stats");
  return { rssPerIdle, roundTrips: roundTrips / ACTIVE_SECONDS, massCloseStallMs: after.stallMs! };
}

async function waitFor(condition: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const stop = performance.now() + ms;
  while (!(await condition())) {
    if (performance.now() > stop) throw new Error("soak: timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A server in this process that can be killed (every connection reset) and restarted on its port. */
class Restartable {
  port = 0;
  received = 0;
  #server: net.Server | undefined;
  readonly #sockets = new Set<net.Socket>();
  onData: (() => void) | undefined;

  async start(): Promise<void> {
    const server = net.createServer((socket) => {
      this.#sockets.add(socket);
      socket.on("error", () => {});
      socket.on("close", () => this.#sockets.delete(socket));
      socket.on("data", (chunk: Buffer) => {
        this.received += chunk.length;
        this.onData?.();
      });
    });
    await new Promise<void>((resolve) => server.listen(this.port, "127.0.0.1", () => resolve()));
    this.port = (server.address() as net.AddressInfo).port;
    this.#server = server;
  }

  kill(): Promise<void> {
    for (const socket of this.#sockets) socket.resetAndDestroy();
    this.#sockets.clear();
    const server = this.#server;
    this.#server = undefined;
    return new Promise((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  }
}

const RECORD = 1000;

async function reconnectHio(): Promise<Record<string, number>> {
  const peer = new Restartable();
  await peer.start();
  const client = new Client({ port: peer.port, reconnectable: true, tymeout: 0.05, bufferSize: 16_384 });
  let written = 0;
  let stop = false;
  const record = new Uint8Array(RECORD).fill(1);
  const doer = new ClientDoer({
    client,
    handler: function* (client) {
      while (!stop) {
        yield* writeAll(client.txbs, record);
        written += record.length;
        yield 0.001;
      }
    },
  });
  const doist = new Doist({ doers: [doer], real: true, tock: 0.001, signals: false });
  const running = doist.do();
  for (let restart = 0; restart < RESTARTS; restart++) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Kill when everything the OS took from the client has arrived: then
    // nothing is lost in kernel buffers, and lost must equal reported lost.
    await new Promise<void>((resolve) => {
      const tryKill = (): void => {
        if (peer.received !== client.sentBytes) return;
        peer.onData = undefined;
        clearInterval(timer);
        resolve();
      };
      peer.onData = tryKill;
      const timer = setInterval(tryKill, 1);
    });
    await peer.kill();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await peer.start();
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
  stop = true;
  await waitFor(async () => client.txbs.length === 0 && peer.received === client.sentBytes, 10_000).catch(() => {});
  doist.remove([doer]);
  doist.wake();
  await running;
  await peer.kill();
  const attempted = written; // every writeAll call, whole or cut (a cut one counts its unwritten rest in unsentBytes)
  return { written: attempted, received: peer.received, lost: attempted - peer.received, reported: client.unsentBytes, writesLost: client.unsentWrites, attempts: client.attempts };
}

async function reconnectRaw(): Promise<Record<string, number>> {
  const peer = new Restartable();
  await peer.start();
  let written = 0;
  let stop = false;
  let socket: net.Socket | undefined;
  let attempts = 0;
  const record = Buffer.alloc(RECORD, 1);
  const connect = (): void => {
    if (stop) return;
    attempts++;
    const next = net.connect({ port: peer.port, host: "127.0.0.1" });
    next.on("error", () => {});
    next.on("close", () => {
      if (socket === next) socket = undefined;
      setTimeout(connect, 50);
    });
    next.on("connect", () => (socket = next));
  };
  connect();
  const timer = setInterval(() => {
    if (socket !== undefined && socket.writableLength < 16_384) {
      socket.write(record);
      written += record.length;
    }
  }, 1);
  for (let restart = 0; restart < RESTARTS; restart++) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    await peer.kill();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await peer.start();
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
  clearInterval(timer);
  stop = true;
  await new Promise((resolve) => setTimeout(resolve, 300));
  socket?.destroy();
  await peer.kill();
  return { written, received: peer.received, lost: written - peer.received, reported: Number.NaN, writesLost: Number.NaN, attempts };
}

// ---------------------------------------------------------------- main

const fmt = (value: number | undefined, digits = 0): string => (value === undefined || !Number.isFinite(value) ? "n/a" : value.toFixed(digits));
const kib = (bytes: number | undefined): string => (bytes === undefined ? "n/a" : `${(bytes / 1024).toFixed(1)} KiB`);
const mib = (bytes: number | undefined): string => (bytes === undefined ? "n/a" : `${(bytes / 1024 / 1024).toFixed(1)} MiB`);

async function main(): Promise<void> {
  console.log(`soak: ${CYCLES} churn cycles (concurrency ${CONCURRENCY}), ${IDLE} idle + ${ACTIVE} active for ${ACTIVE_SECONDS}s, ${RESTARTS} server restarts`);
  const rows: [string, string, string][] = [];
  const results: Record<string, Record<string, string>> = {};
  for (const mode of ["raw", "hio"]) {
    const server = await startChild(mode);
    const before = await server.ask("stats");
    await server.ask("reset-stall");
    const rate = await churn(server.port);
    await waitFor(async () => (await server.ask("stats")).remoters === 0);
    const afterChurn = await server.ask("stats");
    const mixed = await idleAndActive(server);
    const after = await server.ask("stats");
    results[mode] = {
      churn: `${fmt(rate)} cycles/s`,
      fds: `${before.fds} -> ${afterChurn.fds} -> ${after.fds}`,
      remoters: `${before.remoters} -> ${afterChurn.remoters} -> ${after.remoters}`,
      heap: `${mib(before.heap)} -> ${mib(afterChurn.heap)} -> ${mib(after.heap)}`,
      stall: `${fmt(afterChurn.stallMs, 1)} ms`,
      massClose: `${fmt(mixed.massCloseStallMs, 1)} ms`,
      rssIdle: kib(mixed.rssPerIdle),
      roundTrips: `${fmt(mixed.roundTrips)} RT/s`,
    };
    server.child.send({ type: "exit" });
  }
  const labels: [string, string][] = [
    ["churn", "churn rate"],
    ["fds", "server fds before -> after churn -> after idle/active"],
    ["remoters", "server connections before -> after churn -> after idle/active"],
    ["heap", "server heap after GC before -> after churn -> after idle/active"],
    ["stall", "longest server event-loop stall during churn"],
    ["massClose", `longest server stall: ${IDLE + ACTIVE} closing at once`],
    ["rssIdle", "server RSS per idle connection"],
    ["roundTrips", `${ACTIVE} active 512 B ping-pong (with ${IDLE} idle)`],
  ];
  for (const [key, label] of labels) rows.push([label, results.raw![key]!, results.hio![key]!]);
  const hio = await reconnectHio();
  const raw = await reconnectRaw();
  rows.push(["reconnect: attempts", fmt(raw.attempts), fmt(hio.attempts)]);
  rows.push(["reconnect: bytes written", fmt(raw.written), fmt(hio.written)]);
  rows.push(["reconnect: bytes lost (written - received)", fmt(raw.lost), fmt(hio.lost)]);
  rows.push(["reconnect: bytes reported lost", "n/a (node reports none)", `${fmt(hio.reported)} (${fmt(hio.writesLost)} writes)`]);
  rows.push(["reconnect: lost == reported", "n/a", hio.lost === hio.reported ? "yes" : "NO"]);
  const width = Math.max(...rows.map((row) => row[0].length));
  console.log(`${"".padEnd(width)}  ${"raw node:net".padEnd(34)}  hio-ts ServerDoer/Client`);
  for (const [label, rawValue, hioValue] of rows) console.log(`${label.padEnd(width)}  ${rawValue.padEnd(34)}  ${hioValue}`);
  if (hio.lost !== hio.reported) process.exitCode = 1;
}

if (process.argv[2] === "serve") void serve(process.argv[3] as "hio" | "raw");
else await main();
