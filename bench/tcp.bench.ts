/**
 * TCP benchmark: the same load client (bench/tcp-load.ts, its own process)
 * against a raw node:net echo server and hio-ts echo servers
 * (bench/tcp-server.ts, their own processes), in one run. Prints a table
 * with the hio-ts/raw ratio per row, for EchoServerDoer and the handler
 * form (readAvailable + writeAll, and pipe). Run: npm run bench:tcp
 *
 * Size by env: TCP_BENCH_ROUNDS (3 paired rounds), TCP_BENCH_BYTES (512e6
 * per throughput run), TCP_BENCH_SECONDS (2 per ping-pong/churn run),
 * TCP_BENCH_ACTIVE (1000 ping-pong connections of 512 B), TCP_BENCH_IDLE
 * (10000), TCP_BENCH_ONLY (throughput,pingpong,churn,idle), TCP_BENCH_SERVERS
 * (hio,hio-handler,hio-pipe: the hio-ts columns), TCP_BENCH_BASELINE (path of
 * another checkout, e.g. `git worktree add /tmp/base main`: its servers run
 * as extra columns in the same rounds, for before/after). A short run:
 * `TCP_BENCH_ROUNDS=1 TCP_BENCH_BYTES=64e6 TCP_BENCH_SECONDS=1 TCP_BENCH_IDLE=1000 npm run bench:tcp`.
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

async function startServer(name: string, mode: string, bufferSize = 65_536, script = here("./tcp-server.ts")): Promise<ServerProcess> {
  const child = fork(script, [mode, String(bufferSize)], { execArgv, stdio: "inherit" });
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

/** The hio-ts servers measured beside raw, one column each: EchoServerDoer, and the handler form two ways. */
const ALL_HIO = [
  { mode: "hio", label: "EchoServerDoer" },
  { mode: "hio-handler", label: "handler: readAvailable + writeAll" },
  { mode: "hio-pipe", label: "handler: pipe (zero-copy)" },
] as const;
/** Comma-separated hio-ts servers to measure (hio, hio-handler, hio-pipe); default all. */
const SERVERS = new Set((process.env.TCP_BENCH_SERVERS ?? "hio,hio-handler,hio-pipe").split(","));
/**
 * Another checkout of hio-ts (e.g. `git worktree add /tmp/base main`) whose
 * servers run as extra columns in the same rounds, for before/after
 * comparisons that share one load and one machine state.
 */
const BASELINE = process.env.TCP_BENCH_BASELINE;
const HIO: { mode: string; label: string; script?: string }[] = ALL_HIO.filter((server) => SERVERS.has(server.mode));
if (BASELINE !== undefined) {
  for (const server of [...HIO]) HIO.push({ ...server, label: `${server.label} (baseline)`, script: `${BASELINE}/bench/tcp-server.ts` });
}
const rows: string[][] = [];
const fmt = (value: number, digits = 0): string => (Number.isFinite(value) ? value.toFixed(digits) : "n/a");
const ratio = (hio: number, raw: number, higherIsBetter = true): string =>
  Number.isFinite(hio) && Number.isFinite(raw) && raw !== 0 && hio !== 0 ? `${(higherIsBetter ? hio / raw : raw / hio).toFixed(2)}x` : "n/a";

/** Adds a row: raw's value, then each hio-ts server's value and ratio (NaN: not measured). */
function row(metric: string, unit: string, raw: number, hio: readonly number[], digits = 0, higherIsBetter = true): void {
  const cells = [metric, unit, fmt(raw, digits)];
  for (const value of hio) cells.push(fmt(value, digits), ratio(value, raw, higherIsBetter));
  rows.push(cells);
  console.error(`  ${metric}: raw ${fmt(raw, digits)} hio ${hio.map((value) => fmt(value, digits)).join(" / ")} ${unit}`);
}

const ROUNDS = Number(process.env.TCP_BENCH_ROUNDS ?? 3);
/** Bytes echoed per throughput run (default 512e6). */
const BYTES = Number(process.env.TCP_BENCH_BYTES ?? 512e6);
/** Seconds per ping-pong and churn run (default 2). */
const SECONDS = Number(process.env.TCP_BENCH_SECONDS ?? 2);
/** Connections of the many-active ping-pong row (default 1000). */
const ACTIVE = Number(process.env.TCP_BENCH_ACTIVE ?? 1000);
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

/**
 * Runs `job` against raw and every hio-ts server, one after the other in
 * each round (paired runs), ROUNDS times; returns the medians of each field.
 * Each round starts with the next server in turn: the machine drifts within
 * a run (churn leaves the load client's ports in TIME_WAIT, tens of
 * thousands by the end, and each connect then costs the client more), so a
 * fixed order would always hand the later servers a slower client.
 */
async function compare(job: object, raw: ServerProcess, hio: readonly ServerProcess[]): Promise<{ raw: Record<string, number>; hio: Record<string, number>[] }> {
  const runs: Record<string, number>[][] = [[], ...hio.map(() => [])];
  const servers = [raw, ...hio];
  for (let round = 0; round < ROUNDS; round++) {
    for (let step = 0; step < servers.length; step++) {
      const index = (round + step) % servers.length;
      runs[index]!.push(await measured(job, servers[index]!));
    }
  }
  const pick = (list: Record<string, number>[]): Record<string, number> =>
    Object.fromEntries(Object.keys(list[0]!).map((key) => [key, median(list.map((result) => result[key]!))]));
  const [rawResult, ...hioResults] = runs.map(pick);
  return { raw: rawResult!, hio: hioResults };
}

const raw = await startServer("raw", "raw");
const hios = await Promise.all(HIO.map((server) => startServer(server.label, server.mode, 65_536, server.script)));
try {
  for (const connections of ONLY.has("throughput") ? [1, 16] : []) {
    const result = await compare({ scenario: "throughput", connections, bytes: BYTES }, raw, hios);
    row(
      `throughput, ${connections} conn, 64 KiB writes`,
      "MB/s",
      result.raw.mbPerSecond!,
      result.hio.map((hio) => hio.mbPerSecond!),
    );
    row(
      `throughput, ${connections} conn: server CPU per MB echoed`,
      "ms",
      result.raw.serverCpu!,
      result.hio.map((hio) => hio.serverCpu!),
      2,
      false,
    );
  }
  for (const [connections, size] of ONLY.has("pingpong")
    ? [
        [1, 64],
        [16, 64],
        [ACTIVE, 512],
      ]
    : []) {
    const result = await compare({ scenario: "pingpong", connections, seconds: SECONDS, size }, raw, hios);
    const name = `ping-pong ${size} B, ${connections} conn`;
    row(
      name,
      "round trips/s",
      result.raw.roundTrips!,
      result.hio.map((hio) => hio.roundTrips!),
    );
    row(
      `${name}, p50`,
      "µs",
      result.raw.p50!,
      result.hio.map((hio) => hio.p50!),
      1,
      false,
    );
    row(
      `${name}, p99`,
      "µs",
      result.raw.p99!,
      result.hio.map((hio) => hio.p99!),
      1,
      false,
    );
    row(
      `${name}: server CPU per round trip`,
      "µs",
      result.raw.serverCpu! * 1000,
      result.hio.map((hio) => hio.serverCpu! * 1000),
      1,
      false,
    );
  }
  if (ONLY.has("churn")) {
    const result = await compare({ scenario: "churn", connections: 16, seconds: SECONDS }, raw, hios);
    row(
      "connection churn, 16 at a time",
      "conns/s",
      result.raw.connsPerSecond!,
      result.hio.map((hio) => hio.connsPerSecond!),
    );
    row(
      "connection churn: server CPU per connection",
      "µs",
      result.raw.serverCpu! * 1000,
      result.hio.map((hio) => hio.serverCpu! * 1000),
      0,
      false,
    );
  }
} finally {
  raw.child.kill();
  for (const hio of hios) hio.child.kill();
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
for (const [mode, bufferSize] of rawIdle === undefined
  ? []
  : ([
      ["hio", 65_536],
      ["hio-handler", 65_536],
      ["hio-pipe", 65_536],
      ["hio", 4096],
    ] as const)) {
  for (let column = 0; column < HIO.length; column++) {
    if (HIO[column]!.mode !== mode) continue;
    const idle = await idleRun(await startServer("hio", mode, bufferSize, HIO[column]!.script));
    const only = (value: number): number[] => HIO.map((_, index) => (index === column ? value : Number.NaN));
    const rings = `${bufferSize / 1024} KiB rings`;
    row(`${IDLE} idle conns: RSS per conn (${rings})`, "KiB", rawIdle!.perConnection / 1024, only(idle.perConnection / 1024), 1, false);
    row(`${IDLE} idle conns: buffers per conn (${rings})`, "KiB", rawIdle!.buffers / 1024, only(idle.buffers / 1024), 1, false);
    row(`${IDLE} idle conns: tick cost (${rings})`, "µs/pass", Number.NaN, only(idle.tick), 2, false);
    row(`${IDLE} idle conns: server CPU while idle (${rings})`, "%", rawIdle!.cpu, only(idle.cpu), 2, false);
  }
}

console.log(
  `\nTCP echo over loopback, node ${process.version}, 2 cores shared by load client and server; median of ${ROUNDS} rounds, each starting with the next server in turn; ratio = hio-ts/raw (for µs, ms and KiB rows: raw/hio-ts, so > 1 is hio-ts better); server CPU from /proc, user + system, in 10 ms ticks\n`,
);
console.log(`| metric | unit | raw net | ${HIO.map((server) => `${server.label} | ratio`).join(" | ")} |`);
console.log(`| --- | --- | ---: | ${HIO.map(() => "---: | ---:").join(" | ")} |`);
for (const cells of rows) console.log(`| ${cells.join(" | ")} |`);
