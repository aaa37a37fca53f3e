/**
 * Benchmark: the scheduler's cost per deed run, against the floor (a bare
 * loop calling next(tyme) on the same number of plain generators), plus the
 * idle CPU and wake latency of a real-time Doist.
 *
 * Run: npm run bench:core
 */
import { Doist, doify, currentWaker, WAIT, type Waker } from "../src/core/index.js";

function* plain(): Generator<number, never, number> {
  for (;;) yield 0;
}

const body = function* (): Generator<number, never, number> {
  for (;;) yield 0;
};

/** ns per run of the floor: next(tyme) on `count` generators for `passes` passes. */
function floor(count: number, passes: number): number {
  const dogs = Array.from({ length: count }, () => plain());
  for (const dog of dogs) dog.next(0);
  let tyme = 0;
  const started = process.hrtime.bigint();
  for (let pass = 0; pass < passes; pass++) {
    for (let index = 0; index < dogs.length; index++) dogs[index]!.next(tyme);
    tyme += 0.03125;
  }
  const elapsed = Number(process.hrtime.bigint() - started);
  return elapsed / (count * passes);
}

/** ns per deed run of a hand-stepped Doist over `count` doified generators. */
function doist(count: number, passes: number): number {
  const doers = Array.from({ length: count }, () => doify(body));
  const root = new Doist({ tock: 0.03125, doers });
  root.enter();
  const started = process.hrtime.bigint();
  for (let pass = 0; pass < passes; pass++) root.recur();
  const elapsed = Number(process.hrtime.bigint() - started);
  root.exit();
  return elapsed / (count * passes);
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
  console.log(`\nidle real-time Doist (tock 1/32 s, one doer waiting for an event): ${wall.toFixed(0)} ms wall, ${((cpu.user + cpu.system) / 1000).toFixed(1)} ms CPU = ${percent.toFixed(2)}% of a core (goal < 2%)`);

  // Same with tock 0, where hio's own loop would spin a core.
  const zeroDoist = new Doist({ tock: 0, real: true, limit: 5, doers: [doify(function* () { yield; yield WAIT; return true; })] });
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

// Wake latency: a timer callback wakes a waiting doer; how long until it runs?
{
  const latencies: number[] = [];
  let wokenAt = 0;
  let waker: Waker | undefined;
  const rounds = 200;
  const waiter = doify(function* () {
    waker = currentWaker();
    yield;
    for (let round = 0; round < rounds; round++) {
      yield WAIT;
      latencies.push(performance.now() - wokenAt);
    }
    return true;
  });
  const wakeDoist = new Doist({ tock: 0.03125, real: true, limit: 30, doers: [waiter] });
  let fired = 0;
  const fire = () => {
    if (fired++ >= rounds) return;
    wokenAt = performance.now();
    waker!.wake();
    setTimeout(fire, 3 + (fired % 7));
  };
  setTimeout(fire, 10);
  await wakeDoist.do();
  latencies.sort((a, b) => a - b);
  const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  console.log(
    `wake() from a timer callback to the doer running (${latencies.length} wakes, tock 1/32 s): p50 ${(p(0.5) * 1000).toFixed(0)} µs, p99 ${(p(0.99) * 1000).toFixed(0)} µs, max ${(p(1) * 1000).toFixed(0)} µs (goal < 1 ms)`,
  );
}

console.log("\nns per deed run (median of 7 interleaved rounds; floor: a bare loop calling next(tyme) on plain generators)\n");
console.log("doers   | floor ns/run | doist ns/run | ratio doist/floor");
console.log("--------|--------------|--------------|------------------");
for (const count of [1, 100, 10_000]) {
  const passes = Math.max(50, Math.floor(2_000_000 / count));
  floor(count, passes); // warm up
  doist(count, passes);
  const floors: number[] = [];
  const doists: number[] = [];
  for (let round = 0; round < 7; round++) {
    floors.push(floor(count, passes));
    doists.push(doist(count, passes));
  }
  const f = median(floors);
  const d = median(doists);
  console.log(`${String(count).padStart(7)} | ${f.toFixed(1).padStart(12)} | ${d.toFixed(1).padStart(12)} | ${(d / f).toFixed(2).padStart(8)}x`);
}

