/**
 * Serial benchmark: hio-ts's Serial against raw serialport on the same kind
 * of device, in one run. The device is a pty whose far end socat connects to
 * an in-kernel pipe (`socat pty,raw,echo=0,link=... PIPE`), so everything
 * sent comes back and no JavaScript runs on the far side. Both sides open the
 * device through serialport's native binding; only what sits on top differs:
 * serialport's SerialPort stream ("raw") or hio-ts's Serial + SerialDoer in a
 * real-time Doist ("hio-ts").
 *
 * Rows: echo throughput (64 KiB writes, kept in flight, counting the bytes
 * that come back) and ping-pong round trips of 64 bytes (rate, p50, p99).
 * Each measurement runs on a fresh device, twice per side, alternating raw and hio-ts, and the
 * better of the two is kept (for ping-pong: the run with more round trips,
 * with its p50 and p99). Run: npm run bench:serial
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Doist, doify, lendRegions, readExactly, regionsLength, Serial, SerialDoer, writeAll, type Doable } from "../src/index.js";

const require = createRequire(import.meta.url);
const { SerialPort } = require("serialport") as typeof import("serialport");

const THROUGHPUT_BYTES = Number(process.env.SERIAL_BENCH_BYTES ?? 64 * 1024 * 1024);
const PINGPONG_SECONDS = Number(process.env.SERIAL_BENCH_SECONDS ?? 3);
const CHUNK = 64 * 1024;
const TOCK = 0.001;

interface Result {
  bytesPerSecond?: number;
  roundTrips?: number;
  p50?: number;
  p99?: number;
}

// --- the echo device ---------------------------------------------------------

async function startEcho(path: string): Promise<ChildProcess> {
  // -b 4096: socat writes at most what a writable pipe is sure to take; with
  // its default 8 KiB blocks it can block on a full pipe it alone drains.
  const socat = spawn("socat", ["-b", "4096", "-d", "-d", `pty,raw,echo=0,link=${path}`, "PIPE"], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`socat did not start: ${log}`)), 5_000);
    socat.stderr!.on("data", (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes("starting data transfer loop")) {
        clearTimeout(timer);
        resolve();
      }
    });
    socat.once("exit", (code) => reject(new Error(`socat exited with ${code}: ${log}`)));
  });
  socat.removeAllListeners("exit");
  return socat;
}

function pattern(size: number): Buffer {
  const data = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) data[i] = i & 0xff;
  return data;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]! * 1000; // ms -> µs
}

// --- raw serialport ----------------------------------------------------------

async function openRaw(path: string): Promise<InstanceType<typeof SerialPort>> {
  const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  port.on("error", () => {}); // a stalled run's device is killed under it
  abandon = () => void closeRaw(port);
  return port;
}

async function closeRaw(port: InstanceType<typeof SerialPort>): Promise<void> {
  await new Promise<void>((resolve) => port.close(() => resolve()));
}

async function rawThroughput(path: string): Promise<Result> {
  const port = await openRaw(path);
  const chunk = pattern(CHUNK);
  const start = performance.now();
  await new Promise<void>((resolve) => {
    let received = 0;
    port.on("data", (data: Buffer) => {
      received += data.length;
      if (received >= THROUGHPUT_BYTES) resolve();
    });
    let sent = 0;
    const send = () => {
      while (sent < THROUGHPUT_BYTES) {
        sent += chunk.length;
        if (!port.write(chunk)) {
          port.once("drain", send);
          return;
        }
      }
    };
    send();
  });
  const seconds = (performance.now() - start) / 1000;
  await closeRaw(port);
  return { bytesPerSecond: THROUGHPUT_BYTES / seconds };
}

async function rawPingPong(path: string): Promise<Result> {
  const port = await openRaw(path);
  const message = pattern(64);
  const times: number[] = [];
  const end = performance.now() + PINGPONG_SECONDS * 1000;
  await new Promise<void>((resolve) => {
    let got = 0;
    let sentAt = 0;
    const ping = () => {
      sentAt = performance.now();
      port.write(message);
    };
    port.on("data", (data: Buffer) => {
      got += data.length;
      if (got < message.length) return;
      got -= message.length;
      const now = performance.now();
      times.push(now - sentAt);
      if (now >= end) resolve();
      else ping();
    });
    ping();
  });
  await closeRaw(port);
  return summarize(times);
}

// --- hio-ts ------------------------------------------------------------------

/** Runs doers in a real-time Doist until `finished` resolves, then stops it. */
async function runUntil(doers: Doable[], finished: Promise<void>): Promise<void> {
  const doist = new Doist({ doers, real: true, tock: TOCK, signals: false });
  const done = doist.do();
  done.catch(() => {}); // awaited below; a stalled run's device is killed under it
  abandon = () => {
    doist.remove([...doist.doers]);
    void current?.close();
  };
  await finished;
  doist.remove([...doist.doers]);
  await done;
}

/** The Serial of the hio-ts run in progress, described when a run stalls. */
let current: Serial | undefined;
/** Stops the run in progress (its Doist or raw port), when it stalls. */
let abandon: (() => void) | undefined;
const stopRun = (): void => abandon?.();

async function hioThroughput(path: string): Promise<Result> {
  const serial = (current = new Serial({ path, baudRate: 115200 }));
  await serial.open();
  const chunk = pattern(CHUNK);
  let start = 0;
  let seconds = 0;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const writer = doify(function* writer() {
    start = performance.now();
    for (let sent = 0; sent < THROUGHPUT_BYTES; sent += chunk.length) yield* writeAll(serial.txbs, chunk);
    return true;
  });
  const reader = doify(function* reader() {
    // Zero-copy: count what is lent, then consume it (no array per read).
    for (let received = 0; received < THROUGHPUT_BYTES; ) received += serial.rxbs.consume(regionsLength(yield* lendRegions(serial.rxbs)));
    seconds = (performance.now() - start) / 1000;
    finish();
    return true;
  });
  await runUntil([new SerialDoer({ serial }), writer, reader], finished);
  await serial.close();
  return { bytesPerSecond: THROUGHPUT_BYTES / seconds };
}

async function hioPingPong(path: string): Promise<Result> {
  const serial = (current = new Serial({ path, baudRate: 115200 }));
  const message = pattern(64);
  const times: number[] = [];
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const doer = new SerialDoer({
    serial,
    handler: function* (serial) {
      const end = performance.now() + PINGPONG_SECONDS * 1000;
      for (;;) {
        const sentAt = performance.now();
        yield* writeAll(serial.txbs, message);
        yield* readExactly(serial.rxbs, message.length);
        const now = performance.now();
        times.push(now - sentAt);
        if (now >= end) break;
      }
      finish();
    },
  });
  await runUntil([doer], finished);
  await serial.close();
  return summarize(times);
}

function summarize(times: number[]): Result {
  const sorted = Float64Array.from(times).sort();
  const total = times.reduce((sum, time) => sum + time, 0) / 1000;
  return { roundTrips: times.length / total, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
}

// --- the run -----------------------------------------------------------------

const dir = mkdtempSync(join(tmpdir(), "hio-serial-bench-"));
let runs = 0;

/** Runs that stalled and were run again, by side. */
const stalls = { raw: 0, "hio-ts": 0 };

/**
 * Runs one measurement on a fresh echo device, so no run inherits another's
 * bytes. The socat PIPE echo device can deadlock (seen for both sides, about
 * once in ten runs): a run with no result after 60 s is described on stderr,
 * stopped, counted in `stalls` and run again on a new device, at most twice.
 */
async function onFreshDevice(run: (path: string) => Promise<Result>, side: "raw" | "hio-ts", what: string): Promise<Result> {
  for (let attempt = 1; ; attempt++) {
    const path = join(dir, `echo${runs++}`);
    const socat = await startEcho(path);
    current = undefined;
    abandon = undefined;
    try {
      return await watchdog(run(path), `${side} ${what}`);
    } catch (error) {
      if (!(error instanceof StallError) || attempt === 3) throw error;
      stalls[side]++;
      console.error(`${error.message}; running it again on a new device`);
      stopRun();
    } finally {
      const exited = new Promise((resolve) => socat.once("exit", resolve));
      socat.kill("SIGTERM");
      await exited;
    }
  }
}

class StallError extends Error {}

/** Rejects with StallError, describing the hio-ts Serial if one runs, when `run` has no result after 60 s. */
function watchdog<T>(run: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const serial = current;
      const state =
        serial === undefined
          ? ""
          : ` (serial ${serial.state}, error ${serial.error?.message ?? "none"}, received ${serial.bytesReceived}, sent ${serial.bytesSent}, rxbs ${serial.rxbs.length}, txbs ${serial.txbs.length}, unsent ${serial.unsent})`;
      reject(new StallError(`${what} stalled for 60 s${state}`));
    }, 60_000);
  });
  return Promise.race([run, stalled]).finally(() => clearTimeout(timer));
}

/** Runs raw and hio-ts alternately, twice each, and keeps each side's better result. */
async function compare(raw: (path: string) => Promise<Result>, hio: (path: string) => Promise<Result>, key: keyof Result): Promise<[Result, Result]> {
  const kept: [Result | undefined, Result | undefined] = [undefined, undefined];
  for (let round = 0; round < 2; round++) {
    for (const [side, run] of [raw, hio].entries()) {
      const result = await onFreshDevice(run, side === 0 ? "raw" : "hio-ts", key);
      if (kept[side] === undefined || result[key]! > kept[side]![key]!) kept[side] = result;
    }
  }
  return [kept[0]!, kept[1]!];
}

const rows: string[][] = [];
const fmt = (value: number, digits: number) => value.toFixed(digits);
function row(metric: string, unit: string, raw: number, hio: number, digits: number, higherIsBetter: boolean): void {
  const ratio = higherIsBetter ? hio / raw : raw / hio;
  rows.push([metric, unit, fmt(raw, digits), fmt(hio, digits), `${ratio.toFixed(2)}x`]);
}

try {
  const [rawT, hioT] = await compare(rawThroughput, hioThroughput, "bytesPerSecond");
  const [rawP, hioP] = await compare(rawPingPong, hioPingPong, "roundTrips");
  row(`echo throughput, ${CHUNK / 1024} KiB writes, ${THROUGHPUT_BYTES / 2 ** 20} MiB`, "MB/s", rawT.bytesPerSecond! / 1e6, hioT.bytesPerSecond! / 1e6, 1, true);
  row("ping-pong 64 B", "round trips/s", rawP.roundTrips!, hioP.roundTrips!, 0, true);
  row("ping-pong 64 B, p50", "µs", rawP.p50!, hioP.p50!, 1, false);
  row("ping-pong 64 B, p99", "µs", rawP.p99!, hioP.p99!, 1, false);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const header = ["metric", "unit", "raw serialport", "hio-ts", "ratio (hio-ts/raw; latency raw/hio-ts)"];
const widths = header.map((title, column) => Math.max(title.length, ...rows.map((cells) => cells[column]!.length)));
const line = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(" | ")} |`;
console.log(`\nserial on a socat pty (PIPE echo), Node ${process.version}, real-time Doist tock ${TOCK * 1000} ms, best of 2\n`);
console.log(line(header));
console.log(`|${widths.map((width) => "-".repeat(width + 2)).join("|")}|`);
for (const cells of rows) console.log(line(cells));
if (stalls.raw + stalls["hio-ts"] > 0) console.log(`\nruns that stalled (socat echo device) and were run again: raw ${stalls.raw}, hio-ts ${stalls["hio-ts"]}`);
