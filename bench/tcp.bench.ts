/**
 * TCP benchmark: the same load client (bench/tcp-load.ts, its own process)
 * against a raw node:net echo server and hio-ts echo servers
 * (bench/tcp-server.ts, their own processes), in one run. Prints a table
 * with the hio-ts/raw ratio per row. Run: npm run bench:tcp
 */
import { fork, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));
const execArgv = ["--import", "tsx", "--expose-gc"];
const IDLE = Number(process.env.TCP_BENCH_IDLE ?? 10_000);
/** Comma-separated scenarios to run (throughput, pingpong, churn, idle); default all. */
const ONLY = new Set((process.env.TCP_BENCH_ONLY ?? "throughput,pingpong,churn,idle").split(","));

interface ServerProcess {
  name: string;
  child: ChildProcess;
  port: number;
  ask(type: string): Promise<Record<string, number>>;
}

function once(child: ChildProcess): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null): void => reject(new Error(`child exited with ${code}`));
    child.once("message", (message) => {
      child.off("exit", onExit);
      resolve(message as Record<string, number>);
    });
    child.once("exit", onExit);
  });
}

async function startServer(name: string, mode: string, bufferSize = 65_536): Promise<ServerProcess> {
  const child = fork(here("./tcp-server.ts"), [mode, String(bufferSize)], { execArgv, stdio: "inherit" });
  const ready = await once(child);
  return {
    name,
    child,
    port: ready.port!,
    ask: (type) => {
      const reply = once(child);
      child.send({ type });
      return reply;
    },
  };
}

async function load(job: object): Promise<Record<string, number>> {
  const child = fork(here("./tcp-load.ts"), [], { execArgv, stdio: "inherit" });
  child.send(job);
  const result = await once(child);
  await new Promise((resolve) => (child.exitCode === null ? child.once("exit", resolve) : resolve(undefined)));
  return result;
}

const rows: string[][] = [];
const fmt = (value: number, digits = 0): string => (Number.isFinite(value) ? value.toFixed(digits) : "n/a");
const ratio = (hio: number, raw: number, higherIsBetter = true): string =>
  Number.isFinite(hio) && Number.isFinite(raw) && raw !== 0 ? `${(higherIsBetter ? hio / raw : raw / hio).toFixed(2)}x` : "n/a";

function row(metric: string, unit: string, raw: number, hio: number, digits = 0, higherIsBetter = true): void {
  rows.push([metric, unit, fmt(raw, digits), fmt(hio, digits), ratio(hio, raw, higherIsBetter)]);
  console.error(`  ${metric}: raw ${fmt(raw, digits)} hio ${fmt(hio, digits)} ${unit}`);
}

const ROUNDS = Number(process.env.TCP_BENCH_ROUNDS ?? 3);
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * CPU time (user + system) a process has used, in ms, from /proc (Linux);
 * NaN elsewhere. Less noisy than wall-clock rates on a shared machine: it
 * says how much work the server did, not how long it waited for the client.
 */
function cpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return Number.NaN;
  }
}

/**
 * Runs `job` on `server` and adds `serverCpu`: the server's CPU time during
 * the run per unit of work (ms per MB echoed, or ms per round trip or
 * connection completed).
 */
async function measured(job: object, server: ServerProcess): Promise<Record<string, number>> {
  const before = cpuMs(server.child.pid);
  const result = await load({ ...job, port: server.port });
  return { ...result, serverCpu: (cpuMs(server.child.pid) - before) / (result.megabytes ?? result.completed!) };
}

/** Runs `job` against both servers, alternating, ROUNDS times; returns the medians of each field. */
async function compare(job: object, raw: ServerProcess, hio: ServerProcess): Promise<{ raw: Record<string, number>; hio: Record<string, number> }> {
  const runs: { raw: Record<string, number>[]; hio: Record<string, number>[] } = { raw: [], hio: [] };
  for (let round = 0; round < ROUNDS; round++) {
    runs.raw.push(await measured(job, raw));
    runs.hio.push(await measured(job, hio));
  }
  const pick = (list: Record<string, number>[]): Record<string, number> =>
    Object.fromEntries(Object.keys(list[0]!).map((key) => [key, median(list.map((result) => result[key]!))]));
  return { raw: pick(runs.raw), hio: pick(runs.hio) };
}

const raw = await startServer("raw", "raw");
const hio = await startServer("hio", "hio");
try {
  for (const connections of ONLY.has("throughput") ? [1, 16] : []) {
    const result = await compare({ scenario: "throughput", connections, bytes: 512e6 }, raw, hio);
    row(`throughput, ${connections} conn, 64 KiB writes`, "MB/s", result.raw.mbPerSecond!, result.hio.mbPerSecond!);
    row(`throughput, ${connections} conn: server CPU per MB echoed`, "ms", result.raw.serverCpu!, result.hio.serverCpu!, 2, false);
  }
  for (const connections of ONLY.has("pingpong") ? [1, 16] : []) {
    const result = await compare({ scenario: "pingpong", connections, seconds: 2 }, raw, hio);
    row(`ping-pong 64 B, ${connections} conn`, "round trips/s", result.raw.roundTrips!, result.hio.roundTrips!);
    row(`ping-pong 64 B, ${connections} conn, p50`, "µs", result.raw.p50!, result.hio.p50!, 1, false);
    row(`ping-pong 64 B, ${connections} conn, p99`, "µs", result.raw.p99!, result.hio.p99!, 1, false);
    row(`ping-pong 64 B, ${connections} conn: server CPU per round trip`, "µs", result.raw.serverCpu! * 1000, result.hio.serverCpu! * 1000, 1, false);
  }
  if (ONLY.has("churn")) {
    const result = await compare({ scenario: "churn", connections: 16, seconds: 2 }, raw, hio);
    row("connection churn, 16 at a time", "conns/s", result.raw.connsPerSecond!, result.hio.connsPerSecond!);
    row("connection churn: server CPU per connection", "µs", result.raw.serverCpu! * 1000, result.hio.serverCpu! * 1000, 0, false);
    const small = await startServer("hio", "hio", 4096);
    try {
      const smallRings = await compare({ scenario: "churn", connections: 16, seconds: 2 }, raw, small);
      row("connection churn, 16 at a time (hio-ts with 4 KiB rings)", "conns/s", smallRings.raw.connsPerSecond!, smallRings.hio.connsPerSecond!);
    } finally {
      small.child.kill();
    }
  }
} finally {
  raw.child.kill();
  hio.child.kill();
}

async function idleRun(server: ServerProcess): Promise<{ perConnection: number; buffers: number; tick: number; cpu: number }> {
  const before = await server.ask("stats");
  const client = fork(here("./tcp-load.ts"), [], { execArgv, stdio: "inherit" });
  client.send({ scenario: "idle", port: server.port, connections: IDLE });
  await once(client);
  while ((await server.ask("count")).connections! < IDLE);
  const after = await server.ask("stats");
  const cpu = await server.ask("cpu");
  const tick = await server.ask("tick");
  client.send({ scenario: "close" });
  await once(client);
  client.kill();
  server.child.kill();
  return { perConnection: (after.rss! - before.rss!) / IDLE, buffers: (after.arrayBuffers! - before.arrayBuffers!) / IDLE, tick: tick.micros!, cpu: cpu.percent! };
}

const rawIdle = ONLY.has("idle") ? await idleRun(await startServer("raw", "raw")) : undefined;
for (const [label, mode, bufferSize] of rawIdle === undefined ? [] : [
  ["EchoServerDoer, 64 KiB rings", "hio", 65_536],
  ["ServerDoer + handler, 64 KiB rings", "hio-handler", 65_536],
  ["EchoServerDoer, 4 KiB rings", "hio", 4096],
] as const) {
  const idle = await idleRun(await startServer("hio", mode, bufferSize));
  row(`${IDLE} idle conns: RSS per conn (${label})`, "KiB", rawIdle!.perConnection / 1024, idle.perConnection / 1024, 1, false);
  row(`${IDLE} idle conns: buffers per conn (${label})`, "KiB", rawIdle!.buffers / 1024, idle.buffers / 1024, 1, false);
  row(`${IDLE} idle conns: tick cost (${label})`, "µs/pass", Number.NaN, idle.tick, 2, false);
  row(`${IDLE} idle conns: server CPU while idle (${label})`, "%", rawIdle!.cpu, idle.cpu, 2, false);
}

console.log(`\nTCP echo over loopback, node ${process.version}, 2 cores shared by load client and server; median of ${ROUNDS} alternating rounds; ratio = hio-ts/raw (for µs, ms and KiB rows: raw/hio-ts, so > 1 is hio-ts better); server CPU from /proc, user + system, in 10 ms ticks\n`);
console.log("| metric | unit | raw net | hio-ts | ratio |");
console.log("| --- | --- | ---: | ---: | ---: |");
for (const cells of rows) console.log(`| ${cells.join(" | ")} |`);
