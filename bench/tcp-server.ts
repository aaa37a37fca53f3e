/**
 * Echo server process for bench/tcp.bench.ts: `raw` (node:net), `hio`
 * (EchoServerDoer), `hio-handler` (ServerDoer with a generator handler per
 * connection written as the README teaches: readAvailable + writeAll) or
 * `hio-pipe` (the same with the zero-copy `pipe(rxbs, txbs)`), each on
 * loopback port 0, in a real-time Doist for hio.
 * Talks to the bench over IPC: sends { type: "ready", port }, answers
 * "stats" (memory after GC, connections) and "tick" (cost of one ServerDoer
 * pass). Run by the bench; not on its own.
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import net from "node:net";
import { Doist } from "../src/core/index.js";
import { pipe, readAvailable, writeAll } from "../src/io/index.js";
import { EchoServerDoer, Server, ServerDoer, type ConnectionHandler } from "../src/tcp/index.js";

const mode = process.argv[2] ?? "raw";
const bufferSize = Number(process.argv[3] ?? 65_536);
const send = (message: object): void => void process.send?.(message);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

/** CPU time (user + system) this process spends per second of wall clock over one second, in %. */
async function idleCpu(): Promise<number> {
  const start = process.cpuUsage();
  const wall = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const used = process.cpuUsage(start);
  return ((used.user + used.system) / 1000 / (performance.now() - wall)) * 100;
}

/**
 * CPU profile of a window of the run, for finding where time goes: message
 * `prof-start`, then `prof-stop` with `path`: the .cpuprofile is written there.
 */
const session = new Session();
function profile(message: { type: string; path?: string }): void {
  if (message.type === "prof-start") {
    session.connect();
    session.post("Profiler.enable", () => session.post("Profiler.start", () => send({ type: "prof-started" })));
  } else if (message.type === "prof-stop") {
    session.post("Profiler.stop", (error, result) => {
      if (error === null) writeFileSync(message.path!, JSON.stringify(result.profile));
      session.disconnect();
      send({ type: "prof-stopped" });
    });
  }
}

function memory(): { rss: number; heapUsed: number; arrayBuffers: number } {
  gc();
  gc();
  const usage = process.memoryUsage();
  return { rss: usage.rss, heapUsed: usage.heapUsed, arrayBuffers: usage.arrayBuffers };
}

const echo: ConnectionHandler = function* (remoter) {
  for (;;) {
    const chunk = yield* readAvailable(remoter.rxbs);
    yield* writeAll(remoter.txbs, chunk);
  }
};

/** The zero-copy handler: bytes go from rxbs's store straight into txbs's. */
const piped: ConnectionHandler = function* (remoter) {
  yield* pipe(remoter.rxbs, remoter.txbs);
};

if (mode === "raw") {
  let connections = 0;
  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    connections++;
    socket.on("data", (chunk) => {
      if (!socket.write(chunk)) {
        socket.pause();
        socket.once("drain", () => socket.resume());
      }
    });
    socket.on("end", () => socket.end());
    socket.on("error", () => {});
    socket.on("close", () => connections--);
  });
  server.listen({ port: 0, host: "127.0.0.1", backlog: 4096 }, () => send({ type: "ready", port: (server.address() as net.AddressInfo).port }));
  process.on("message", (message: { type: string }) => {
    profile(message);
    if (message.type === "exit") process.exit(0);
    if (message.type === "stats") send({ type: "stats", ...memory(), connections });
    if (message.type === "count") send({ type: "count", connections });
    if (message.type === "cpu") void idleCpu().then((percent) => send({ type: "cpu", percent }));
    if (message.type === "tick") send({ type: "tick", micros: Number.NaN });
  });
} else {
  const server = new Server({ port: 0, backlog: 4096, bufferSize });
  const doer =
    mode === "hio-handler" ? new ServerDoer({ server, handler: echo }) : mode === "hio-pipe" ? new ServerDoer({ server, handler: piped }) : new EchoServerDoer({ server });
  const doist = new Doist({ doers: [doer], real: true, signals: false });
  void doist.do();
  await server.open();
  send({ type: "ready", port: server.port });
  process.on("message", (message: { type: string }) => {
    profile(message);
    if (message.type === "exit") process.exit(0);
    if (message.type === "stats") send({ type: "stats", ...memory(), connections: server.remoters.size });
    if (message.type === "count") send({ type: "count", connections: server.remoters.size });
    if (message.type === "cpu") void idleCpu().then((percent) => send({ type: "cpu", percent }));
    if (message.type === "tick") {
      const passes = 10_000;
      const tyme = doist.tyme;
      for (let pass = 0; pass < 100; pass++) doer.recur(tyme); // warm up
      const start = performance.now();
      for (let pass = 0; pass < passes; pass++) doer.recur(tyme);
      send({ type: "tick", micros: ((performance.now() - start) * 1000) / passes });
    }
  });
}
