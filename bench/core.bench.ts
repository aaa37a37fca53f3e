/**
 * Benchmark: the scheduler's cost per deed run, against the floor (a bare
 * loop calling next(tyme) on the same number of plain generators), plus the
 * idle CPU of a real-time Doist and the latency from an I/O event (a loopback
 * socket's 'data') calling wake() to the woken doer running.
 *
 * Run: npm run bench:core
 */
import { once } from "node:events";
import { createConnection, createServer, type AddressInfo, type Socket } from "node:net";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Doist, doify, currentWaker, WAIT, type Waker } from "../src/core/index.js";

// A full GC before each timed loop, on both sides: the objects a round's setup
// made (generators, doers, deeds) are then old, and promoting them is not
// charged to whichever loop happens to run the next scavenge.
setFlagsFromString("--expose-gc");
const collect = runInNewContext("gc") as () => void;

function* plain(): Generator<number, never, number> {
  for (;;) yield 0;
}

const body = function* (): Generator<number, never, number> {
  for (;;) yield 0;
};

/** Wall-clock and CPU nanoseconds since `started`, per `runs`. */
function per(runs: number, started: bigint, cpu: NodeJS.CpuUsage): [number, number] {
  const wall = Number(process.hrtime.bigint() - started);
  const used = process.cpuUsage(cpu);
  return [wall / runs, ((used.user + used.system) * 1000) / runs];
}

/** ns per run of the floor (wall, CPU): next(tyme) on `count` generators for `passes` passes. */
function floor(count: number, passes: number): [number, number] {
  const dogs = Array.from({ length: count }, () => plain());
  for (const dog of dogs) dog.next(0);
  collect();
  let tyme = 0;
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let pass = 0; pass < passes; pass++) {
    for (let index = 0; index < dogs.length; index++) dogs[index]!.next(tyme);
    tyme += 0.03125;
  }
  return per(count * passes, started, cpu);
}

/** ns per deed run (wall, CPU) of a hand-stepped Doist over `count` doified generators. */
function doist(count: number, passes: number): [number, number] {
  const doers = Array.from({ length: count }, () => doify(body));
  const root = new Doist({ tock: 0.03125, doers });
  root.enter();
  collect();
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let pass = 0; pass < passes; pass++) root.recur();
  const result = per(count * passes, started, cpu);
  root.exit();
  return result;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

console.log("hio-ts bench:core\n");

// Idle CPU: one doer that waits for an event, real time, 5 s of wall clock.
{
  const idleDoer = doify(function* () {
    yield;
    yield WAIT;
    return true;
  });
  const idleDoist = new Doist({ tock: 0.03125, real: true, limit: 5, doers: [idleDoer] });
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  await idleDoist.do();
  const cpu = process.cpuUsage(cpuBefore);
  const wall = performance.now() - wallBefore;
  const percent = ((cpu.user + cpu.system) / 1000 / wall) * 100;
  console.log(
    `\nidle real-time Doist (tock 1/32 s, one doer waiting for an event): ${wall.toFixed(0)} ms wall, ${((cpu.user + cpu.system) / 1000).toFixed(1)} ms CPU = ${percent.toFixed(2)}% of a core (goal < 2%)`,
  );

  // Same with tock 0, where hio's own loop would spin a core.
  const zeroDoist = new Doist({
    tock: 0,
    real: true,
    limit: 5,
    doers: [
      doify(function* () {
        yield;
        yield WAIT;
        return true;
      }),
    ],
  });
  const timer = setTimeout(() => zeroDoist.wake(), 1000); // a stray wake must not start a spin
  const zeroCpu = process.cpuUsage();
  const zeroWall = performance.now();
  const stopper = setTimeout(() => zeroDoist.remove([...zeroDoist.doers]), 2000); // ends the run
  await zeroDoist.do();
  clearTimeout(timer);
  clearTimeout(stopper);
  const zc = process.cpuUsage(zeroCpu);
  const zw = performance.now() - zeroWall;
  console.log(`idle real-time Doist with tock 0 (stopped after ~2 s): ${zw.toFixed(0)} ms wall, ${(((zc.user + zc.system) / 1000 / zw) * 100).toFixed(2)}% of a core`);
}

// Wake latency from I/O: a loopback socket's 'data' event wakes a waiting
// doer (as a handle does); how long from the event to the doer running?
{
  const rounds = 400;
  const latencies: number[] = [];
  let eventAt = 0;
  let waker: Waker | undefined;
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const accepted = once(server, "connection") as Promise<[Socket]>;
  const client = createConnection((server.address() as AddressInfo).port, "127.0.0.1");
  await once(client, "connect");
  const [peer] = await accepted;
  client.setNoDelay(true);
  const percentile = (values: number[], q: number) => values[Math.min(values.length - 1, Math.floor(q * values.length))]!;
  // Baseline in the same run: the same event to a microtask queued in its handler (raw Node, no Doist).
  const raw: number[] = [];
  const rawDone = new Promise<void>((resolve) => {
    const onRaw = () => {
      const at = performance.now();
      queueMicrotask(() => {
        raw.push(performance.now() - at);
        if (raw.length < rounds) setTimeout(() => client.write("x"), 2 + (raw.length % 5));
        else {
          peer.off("data", onRaw);
          resolve();
        }
      });
    };
    peer.on("data", onRaw);
  });
  client.write("x");
  await rawDone;
  raw.sort((a, b) => a - b);
  peer.on("data", () => {
    eventAt = performance.now();
    waker!.wake();
  });
  const waiter = doify(function* () {
    waker = currentWaker();
    yield;
    for (let round = 0; round < rounds; round++) {
      yield WAIT;
      latencies.push(performance.now() - eventAt);
    }
    return true;
  });
  const wakeDoist = new Doist({ tock: 0.03125, real: true, limit: 60, doers: [waiter] });
  let sent = 0;
  const send = () => {
    if (sent++ >= rounds) return;
    client.write("x");
    setTimeout(send, 2 + (sent % 5)); // the Doist is idle (asleep) before each byte
  };
  setTimeout(send, 10);
  await wakeDoist.do();
  client.destroy();
  peer.destroy();
  server.close();
  latencies.sort((a, b) => a - b);
  const p = (q: number) => percentile(latencies, q);
  const us = (ms: number) => (ms * 1000).toFixed(0);
  console.log(
    `I/O wake to handler running: a loopback socket 'data' event calls wake() on an idle real-time Doist (${latencies.length} wakes, tock 1/32 s): p50 ${us(p(0.5))} µs, p99 ${us(p(0.99))} µs, max ${us(p(1))} µs (goal: p99 < 200 µs)`,
  );
  console.log(
    `  raw Node baseline, same run: that 'data' event to a microtask queued in its handler (${raw.length} events): p50 ${us(percentile(raw, 0.5))} µs, p99 ${us(percentile(raw, 0.99))} µs, max ${us(percentile(raw, 1))} µs`,
  );
}

console.log("\nns per deed run (median of 9 interleaved rounds, each timed loop after a full GC; floor: a bare loop calling");
console.log("next(tyme) on plain generators; CPU: process CPU time over the same runs, steadier than wall time on a shared machine)\n");
console.log("doers   | floor ns/run | doist ns/run | ratio (wall) | floor CPU ns | doist CPU ns | ratio (CPU)");
console.log("--------|--------------|--------------|--------------|--------------|--------------|------------");
for (const count of [1, 100, 10_000]) {
  const passes = Math.max(50, Math.floor(2_000_000 / count));
  floor(count, passes); // warm up
  doist(count, passes);
  const floors: [number, number][] = [];
  const doists: [number, number][] = [];
  for (let round = 0; round < 9; round++) {
    floors.push(floor(count, passes));
    doists.push(doist(count, passes));
  }
  const fw = median(floors.map((run) => run[0]));
  const dw = median(doists.map((run) => run[0]));
  const fc = median(floors.map((run) => run[1]));
  const dc = median(doists.map((run) => run[1]));
  const cells = [
    fw.toFixed(1).padStart(12),
    dw.toFixed(1).padStart(12),
    `${(dw / fw).toFixed(2)}x`.padStart(12),
    fc.toFixed(1).padStart(12),
    dc.toFixed(1).padStart(12),
    `${(dc / fc).toFixed(2)}x`.padStart(10),
  ];
  console.log(`${String(count).padStart(7)} | ${cells.join(" | ")}`);
}
