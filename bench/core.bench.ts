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
// doer (as a handle does); how long from the event to the doer running? The
// raw baseline is the same hop without the Doist: that 'data' event to a
// microtask (a settled promise's reaction) queued in its handler. Raw and
// Doist events alternate on one connection in one run (the Doist asleep for
// both), 2-6 ms apart so each finds the process idle; the first `warmup` of
// each kind are not counted.
{
  const rounds = 600;
  const warmup = 50;
  const total = 2 * (warmup + rounds); // even events raw, odd events to the Doist
  const latencies: number[] = [];
  const raw: number[] = [];
  let eventAt = 0;
  let sent = 0;
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
  // The raw hop: a reaction on a settled promise, Node's cheapest microtask
  // (queueMicrotask makes an AsyncResource and a bound function per call).
  const settled = Promise.resolve();
  const send = () => {
    if (sent >= total) return;
    sent++;
    client.write("x");
  };
  const next = () => setTimeout(send, 2 + (sent % 5)); // idle (the Doist asleep) before each byte
  const onRaw = () => {
    const latency = performance.now() - eventAt;
    if (sent > 2 * warmup) raw.push(latency);
    next();
  };
  peer.on("data", () => {
    const toDoist = sent % 2 === 0; // the byte just sent was odd-numbered
    eventAt = performance.now();
    if (toDoist) waker!.wake();
    else settled.then(onRaw);
  });
  const waiter = doify(function* () {
    waker = currentWaker();
    yield;
    while (sent < total) {
      yield WAIT;
      const latency = performance.now() - eventAt;
      if (sent > 2 * warmup) latencies.push(latency);
      next();
    }
    return true;
  });
  const wakeDoist = new Doist({ tock: 0.03125, real: true, limit: 60, doers: [waiter] });
  setTimeout(send, 10);
  await wakeDoist.do();
  peer.removeAllListeners("data");

  // CPU per wake, back to back (steadier than latency on a shared machine): a
  // byte's 'data' event, then the next byte written, either from a microtask
  // queued in the handler (raw) or from a doer the handler woke (Doist).
  const trips = 10_000;
  const rawTrips = async (): Promise<[number, number]> => {
    let count = 0;
    const cpu = process.cpuUsage();
    const started = process.hrtime.bigint();
    await new Promise<void>((resolve) => {
      const onTrip = () => {
        if (++count >= trips) resolve();
        else client.write("x");
      };
      const onData = () => settled.then(onTrip);
      peer.on("data", onData);
      client.write("x");
    });
    peer.removeAllListeners("data");
    const result = per(trips, started, cpu);
    return [result[0] / 1000, result[1] / 1000];
  };
  const doistTrips = async (): Promise<[number, number]> => {
    let tripWaker: Waker | undefined;
    peer.on("data", () => tripWaker!.wake());
    const tripper = doify(function* () {
      tripWaker = currentWaker();
      yield;
      for (let count = 0; count < trips; count++) {
        client.write("x");
        yield WAIT;
      }
      return true;
    });
    const tripDoist = new Doist({ tock: 0.03125, real: true, limit: 600, doers: [tripper] });
    const cpu = process.cpuUsage();
    const started = process.hrtime.bigint();
    await tripDoist.do();
    const result = per(trips, started, cpu);
    peer.removeAllListeners("data");
    return [result[0] / 1000, result[1] / 1000];
  };
  await rawTrips(); // warm up
  await doistTrips();
  const rawRuns: [number, number][] = [];
  const doistRuns: [number, number][] = [];
  for (let round = 0; round < 5; round++) {
    rawRuns.push(await rawTrips());
    doistRuns.push(await doistTrips());
  }
  client.destroy();
  peer.destroy();
  server.close();
  latencies.sort((a, b) => a - b);
  raw.sort((a, b) => a - b);
  const us = (ms: number) => (ms * 1000).toFixed(0);
  const row = (values: number[]) =>
    `p50 ${us(percentile(values, 0.5))} µs, p90 ${us(percentile(values, 0.9))} µs, p99 ${us(percentile(values, 0.99))} µs, max ${us(percentile(values, 1))} µs`;
  console.log(
    `I/O wake to handler running: a loopback socket 'data' event calls wake() on an idle real-time Doist (${latencies.length} wakes, tock 1/32 s): ${row(latencies)} (goal: p99 < 200 µs)`,
  );
  console.log(`  raw Node baseline, same run, interleaved: that 'data' event to a microtask (a settled promise's then) queued in its handler (${raw.length} events): ${row(raw)}`);
  console.log(`  (${warmup} events of each kind before these not counted; Doist minus raw at p50: ${us(percentile(latencies, 0.5) - percentile(raw, 0.5))} µs)`);
  const rawCpu = median(rawRuns.map((run) => run[1]));
  const doistCpu = median(doistRuns.map((run) => run[1]));
  console.log(
    `I/O wake round trips back to back (${trips} per run, median of 5 interleaved runs): Doist ${doistCpu.toFixed(2)} µs CPU per trip (${median(doistRuns.map((run) => run[0])).toFixed(2)} µs wall), raw (a promise reaction) ${rawCpu.toFixed(2)} µs CPU (${median(rawRuns.map((run) => run[0])).toFixed(2)} µs wall): the Doist adds ${(doistCpu - rawCpu).toFixed(2)} µs CPU per wake`,
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
