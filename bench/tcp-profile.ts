/**
 * CPU profile of one hio-ts (or raw) echo server under one load, for finding
 * where the time goes: starts bench/tcp-server.ts in `mode`, profiles only
 * the load's window (node:inspector, via its `prof-start`/`prof-stop`
 * messages), writes the .cpuprofile and prints the functions with the most
 * self time. Open the file in Chrome DevTools for the call tree.
 *
 * Run: `npx tsx bench/tcp-profile.ts MODE JOB [OUT]`, MODE raw | hio |
 * hio-handler | hio-pipe; JOB a bench/tcp-load.ts job as JSON, or
 * `{"scenario":"massclose","connections":10000}` (that many idle
 * connections, then all closed at once; the window is the close).
 * Example: `npx tsx bench/tcp-profile.ts hio-handler '{"scenario":"pingpong","connections":16,"seconds":3}'`
 */
import { fork } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));
const mode = process.argv[2] ?? "hio-handler";
const job = JSON.parse(process.argv[3] ?? '{"scenario":"pingpong","connections":16,"seconds":3}') as { scenario: string; connections: number };
const out = process.argv[4] ?? `/tmp/hio-${mode}-${job.scenario}.cpuprofile`;
const execArgv = ["--import", "tsx", "--expose-gc"];

const server = fork(here("./tcp-server.ts"), [mode, "65536"], { execArgv });
const ask = (message: object): Promise<Record<string, number>> =>
  new Promise((resolve) => {
    server.once("message", (reply) => resolve(reply as Record<string, number>));
    server.send(message);
  });
const ready = (await new Promise((resolve) => server.once("message", resolve))) as { port: number };
const load = fork(here("./tcp-load.ts"), [], { execArgv });
const next = (): Promise<unknown> => new Promise((resolve) => load.once("message", resolve));
let result: unknown;
if (job.scenario === "massclose") {
  load.send({ scenario: "idle", connections: job.connections, port: ready.port });
  await next();
  while ((await ask({ type: "count" })).connections! < job.connections);
  await ask({ type: "prof-start" });
  const start = performance.now();
  load.send({ scenario: "close" });
  await next();
  while ((await ask({ type: "count" })).connections! > 0);
  result = { closed: job.connections, allReapedMs: performance.now() - start };
} else {
  await ask({ type: "prof-start" });
  load.send({ ...job, port: ready.port });
  result = await next();
}
await ask({ type: "prof-stop", path: out });
load.kill();
server.send({ type: "exit" });
console.log(JSON.stringify(result));

// Self time per function, most first.
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
const profile = JSON.parse(readFileSync(out, "utf8")) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const self = new Map<string, number>();
let total = 0;
for (let index = 0; index < profile.samples.length; index++) {
  const frame = byId.get(profile.samples[index]!)!.callFrame;
  const key = `${frame.functionName || "(anonymous)"} ${frame.url.split("/").pop()}:${frame.lineNumber + 1}`;
  const delta = profile.timeDeltas[index]!;
  self.set(key, (self.get(key) ?? 0) + delta);
  total += delta;
}
console.log(`${out}: top self time`);
for (const [key, micros] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 20)) {
  console.log(`${((100 * micros) / total).toFixed(1).padStart(5)}% ${(micros / 1000).toFixed(1).padStart(8)} ms  ${key}`);
}
