/**
 * Benchmark: the I/O primitives against their floors, side by side in one run.
 *
 * 1. RingBuffer throughput: bytes written into a 64 KiB ring and read back
 *    out, against the floor of the same two copies done with plain
 *    `Uint8Array.set` into preallocated arrays. Three ways to read: `readInto`
 *    a reused array (the same work as the floor), `readRegions` + `consume`
 *    (zero-copy views, copied out), and `read(n)`, which allocates a new
 *    array per call (shown for honesty: the allocation, not the ring, sets
 *    its pace).
 * 2. readLine over 100 MB of short lines, the generator driven by hand (a
 *    loop calling `next()` and writing the next 64 KiB into the ring whenever
 *    the reader waits; no Doist), against a hand-written `indexOf` +
 *    `subarray` loop over one Buffer holding all 100 MB. readFrame with a
 *    LineFramer is shown for comparison.
 * 3. Streams: a DelimiterFramer in a FramerTransform against
 *    `@serialport/parser-delimiter` on the same 100 MB of lines in 64 KiB
 *    chunks; ringReadable/ringWritable against a plain Readable/Writable
 *    moving the same 64 KiB chunks (and against the plain ring loop); and
 *    `toDuplex(client)` writing 128 MB to a loopback sink against a raw
 *    `net.Socket` writing to the same sink.
 *
 * 4. Handler reads of whole chunks (what an echo or a proxy does per socket
 *    read): `lendRegions` + `consume` (views of the ring, no copy) and
 *    `readAvailable` (a new array per read), each driven by hand, against the
 *    bare loop of `ring.readRegions()` + `consume` with no reader at all.
 *
 * Run: npm run bench:io
 */
import net from "node:net";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { DelimiterParser } from "@serialport/parser-delimiter";
import { Doist, runIn } from "../src/core/index.js";
import {
  DelimiterFramer,
  FramerTransform,
  LineFramer,
  RingBuffer,
  lendRegions,
  readAvailable,
  readFrame,
  readLine,
  regionsLength,
  ringReadable,
  ringWritable,
  toDuplex,
  type Reader,
} from "../src/io/index.js";
import { Client, ClientDoer } from "../src/tcp/index.js";

const MB = 1024 * 1024;

interface Row {
  name: string;
  hio: number;
  baseline: number;
  unit: string;
  goal?: number;
}

/** Best of `runs` timings (ms) of `fn`, after one warm-up; also returns its result. */
function best<T>(runs: number, fn: () => T): { ms: number; result: T } {
  let result = fn();
  let ms = Number.POSITIVE_INFINITY;
  for (let run = 0; run < runs; run++) {
    const started = process.hrtime.bigint();
    result = fn();
    ms = Math.min(ms, Number(process.hrtime.bigint() - started) / 1e6);
  }
  return { ms, result };
}

// ---------------------------------------------------------------- ring

function ringFloor(total: number, chunk: Uint8Array): number {
  const staging = new Uint8Array(65_536);
  const out = new Uint8Array(chunk.length);
  let moved = 0;
  let check = 0;
  while (moved < total) {
    staging.set(chunk, (moved % (staging.length - chunk.length + 1)) & ~7);
    out.set(staging.subarray(0, chunk.length));
    check += out[0]!;
    moved += chunk.length;
  }
  return check;
}

function ringReadCopy(total: number, chunk: Uint8Array): number {
  const ring = new RingBuffer(65_536);
  let moved = 0;
  let check = 0;
  while (moved < total) {
    ring.write(chunk);
    const out = ring.read(chunk.length);
    check += out[0]!;
    moved += out.length;
  }
  return check;
}

function ringReadInto(total: number, chunk: Uint8Array): number {
  const ring = new RingBuffer(65_536);
  const out = new Uint8Array(chunk.length);
  let moved = 0;
  let check = 0;
  while (moved < total) {
    ring.write(chunk);
    const count = ring.readInto(out);
    check += out[0]!;
    moved += count;
  }
  return check;
}

function ringRegions(total: number, chunk: Uint8Array): number {
  const ring = new RingBuffer(65_536);
  const out = new Uint8Array(chunk.length);
  let moved = 0;
  let check = 0;
  while (moved < total) {
    ring.write(chunk);
    let at = 0;
    for (const region of ring.readRegions()) {
      out.set(region, at);
      at += region.length;
    }
    ring.consume(at);
    check += out[0]!;
    moved += at;
  }
  return check;
}

// ------------------------------------------------------ handler reads

/** The floor: write a chunk, look at it through the ring's own views, consume it. */
function bareRegions(total: number, chunk: Uint8Array): number {
  const ring = new RingBuffer({ capacity: 262_144, initialSize: 262_144 });
  let moved = 0;
  let check = 0;
  while (moved < total) {
    ring.write(chunk);
    const regions = ring.readRegions();
    const count = regionsLength(regions);
    check += regions[0]![count - 1 < regions[0]!.length ? count - 1 : 0]!;
    ring.consume(count);
    moved += count;
  }
  return check;
}

/** The same through a reader made by `make`, stepped by hand like a handler's `yield*`. */
function handlerReads(total: number, chunk: Uint8Array, lending: boolean): number {
  const ring = new RingBuffer({ capacity: 262_144, initialSize: 262_144 });
  let moved = 0;
  let check = 0;
  while (moved < total) {
    ring.write(chunk);
    if (lending) {
      const step = lendRegions(ring).next(0);
      if (!step.done) throw new Error("lendRegions waited with bytes in the ring");
      const regions = step.value;
      const count = regionsLength(regions);
      check += regions[0]![count - 1 < regions[0]!.length ? count - 1 : 0]!;
      ring.consume(count);
      moved += count;
    } else {
      const step = readAvailable(ring).next(0);
      if (!step.done) throw new Error("readAvailable waited with bytes in the ring");
      check += step.value[step.value.length - 1]!;
      moved += step.value.length;
    }
  }
  return check;
}

// ------------------------------------------------------------ readLine

function makeLines(size: number): Buffer {
  const data = Buffer.allocUnsafe(size);
  let seed = 12345;
  let at = 0;
  while (at < size) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const length = 8 + (seed % 48); // 8..55 bytes of text
    const end = Math.min(at + length, size - 1);
    for (; at < end; at++) data[at] = 97 + (at % 26);
    data[at++] = 10;
  }
  return data;
}

function handLoop(data: Buffer): number {
  let lines = 0;
  let bytes = 0;
  let start = 0;
  for (;;) {
    const index = data.indexOf(10, start);
    if (index < 0) break;
    const line = data.subarray(start, index);
    bytes += line.length;
    lines++;
    start = index + 1;
  }
  return lines * 1e6 + (bytes % 1e6);
}

/** Drives readers made by `make` by hand, feeding `data` in 64 KiB pieces. */
function driveLines(data: Buffer, make: (ring: RingBuffer) => Reader<Uint8Array>): number {
  const ring = new RingBuffer(65_536);
  let offset = 0;
  let lines = 0;
  let bytes = 0;
  let reader = make(ring);
  for (;;) {
    const step = reader.next(0);
    if (step.done) {
      bytes += step.value.length;
      lines++;
      reader = make(ring);
      continue;
    }
    if (offset >= data.length) break;
    offset += ring.write(data.subarray(offset, offset + 65_536));
  }
  return lines * 1e6 + (bytes % 1e6);
}

// ---------------------------------------------------------------- main

const rows: Row[] = [];
console.log("hio-ts bench:io (node " + process.version + ")\n");

for (const size of [1024, 16_384]) {
  const chunk = new Uint8Array(size).fill(7);
  const total = 1024 * MB;
  const floor = best(5, () => ringFloor(total, chunk)).ms;
  const into = best(5, () => ringReadInto(total, chunk)).ms;
  const regions = best(5, () => ringRegions(total, chunk)).ms;
  const copy = best(3, () => ringReadCopy(total / 4, chunk)).ms * 4;
  const gbps = (ms: number) => total / MB / 1024 / (ms / 1000);
  rows.push({ name: `ring write+readInto, ${size} B chunks`, hio: gbps(into), baseline: gbps(floor), unit: "GiB/s", goal: 0.5 });
  rows.push({ name: `ring write+readRegions+consume, ${size} B`, hio: gbps(regions), baseline: gbps(floor), unit: "GiB/s" });
  rows.push({ name: `ring write+read(n) (allocates), ${size} B`, hio: gbps(copy), baseline: gbps(floor), unit: "GiB/s" });
}

for (const size of [16_384, 65_536]) {
  const chunk = new Uint8Array(size).fill(7);
  const total = 1024 * MB;
  const bare = best(5, () => bareRegions(total, chunk)).ms;
  const lent = best(5, () => handlerReads(total, chunk, true)).ms;
  const copied = best(3, () => handlerReads(total / 4, chunk, false)).ms * 4;
  const gbps = (ms: number) => total / MB / 1024 / (ms / 1000);
  rows.push({ name: `handler lendRegions+consume, ${size / 1024} KiB`, hio: gbps(lent), baseline: gbps(bare), unit: "GiB/s" });
  rows.push({ name: `handler readAvailable (allocates), ${size / 1024} KiB`, hio: gbps(copied), baseline: gbps(bare), unit: "GiB/s" });
}

{
  const data = makeLines(100 * MB);
  const hand = best(5, () => handLoop(data));
  const options = { max: 8192 };
  const lines = best(5, () => driveLines(data, (ring) => readLine(ring, options)));
  const framer = new LineFramer({ max: 8192 });
  const frames = best(3, () => driveLines(data, (ring) => readFrame(ring, framer)));
  if (lines.result !== hand.result || frames.result !== hand.result) {
    throw new Error(`line counts differ: hand ${hand.result}, readLine ${lines.result}, readFrame ${frames.result}`);
  }
  const count = Math.floor(hand.result / 1e6);
  const mps = (ms: number) => count / 1e6 / (ms / 1000);
  console.log(`100 MB: ${count} lines (8..55 bytes + LF)\n`);
  rows.push({ name: "readLine by hand, 100 MB", hio: mps(lines.ms), baseline: mps(hand.ms), unit: "Mlines/s", goal: 0.5 });
  rows.push({ name: "readFrame(LineFramer) by hand, 100 MB", hio: mps(frames.ms), baseline: mps(hand.ms), unit: "Mlines/s" });
}

// ------------------------------------------------------------- streams

/** Best of `runs` timings (ms) of async `fn`, after one warm-up. */
async function bestAsync(runs: number, fn: () => Promise<unknown>): Promise<number> {
  await fn();
  let ms = Number.POSITIVE_INFINITY;
  for (let run = 0; run < runs; run++) {
    const started = process.hrtime.bigint();
    await fn();
    ms = Math.min(ms, Number(process.hrtime.bigint() - started) / 1e6);
  }
  return ms;
}

/** Feeds `data` in 64 KiB chunks through `transform`, counting frames from 'data' events. */
async function frameThrough(data: Buffer, transform: NodeJS.ReadWriteStream): Promise<number> {
  let count = 0;
  transform.on("data", () => count++);
  const chunks: Buffer[] = [];
  for (let at = 0; at < data.length; at += 65_536) chunks.push(data.subarray(at, at + 65_536));
  await pipeline(Readable.from(chunks), transform);
  return count;
}

/** Drains a Readable, counting bytes. */
async function drain(readable: AsyncIterable<Uint8Array>): Promise<number> {
  let bytes = 0;
  for await (const chunk of readable) bytes += chunk.length;
  return bytes;
}

/** A Readable of `total` bytes in 64 KiB chunks, pushed straight (the raw stream). */
function rawReadable(total: number, chunk: Uint8Array): Readable {
  let sent = 0;
  return new Readable({
    highWaterMark: 65_536,
    read() {
      while (sent < total) {
        sent += chunk.length;
        if (!this.push(chunk.slice())) return;
      }
      this.push(null);
    },
  });
}

/** The same bytes through a 64 KiB ring that a producer refills whenever the stream drains it. */
function ringSource(total: number, chunk: Uint8Array): Readable {
  const ring = new RingBuffer({ capacity: 65_536 * 4 });
  let sent = 0;
  const refill = { wake: () => undefined as void };
  refill.wake = () => {
    while (sent < total && ring.free >= chunk.length) sent += ring.write(chunk);
    if (sent >= total) ring.end();
    else ring.spaceSignal.subscribe(refill);
  };
  refill.wake();
  return ringReadable(ring);
}

/** Writes `total` bytes through `writable`, respecting its back pressure. */
async function writeThrough(writable: Writable, total: number, chunk: Uint8Array): Promise<void> {
  await pipeline(rawReadable(total, chunk), writable);
}

/** A Writable over a ring that a consumer empties as bytes arrive. */
function ringSink(): Writable {
  const ring = new RingBuffer({ capacity: 65_536 * 4 });
  const consumer = { wake: () => undefined as void };
  consumer.wake = () => {
    ring.consume(ring.length);
    if (!ring.ended) ring.dataSignal.subscribe(consumer);
  };
  ring.dataSignal.subscribe(consumer);
  return ringWritable(ring);
}

/** A raw Writable that copies each chunk once, as a ring write does. */
function rawSink(): Writable {
  const store = new Uint8Array(65_536);
  return new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Uint8Array, _encoding, callback) {
      store.set(chunk.subarray(0, Math.min(chunk.length, store.length)));
      callback();
    },
  });
}

/** A loopback server that discards what it gets and reports the byte count of each connection. */
async function sinkServer(): Promise<{ port: number; close(): Promise<void>; received(total: number): Promise<void> }> {
  let bytes = 0;
  let waiter: { total: number; resolve: () => void } | undefined;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("data", (chunk) => {
      bytes += chunk.length;
      if (waiter !== undefined && bytes >= waiter.total) {
        bytes = 0;
        const done = waiter.resolve;
        waiter = undefined;
        done();
      }
    });
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
    received: (total) => new Promise<void>((resolve) => (waiter = { total, resolve })),
  };
}

{
  const data = makeLines(100 * MB);
  const ours = await bestAsync(3, () => frameThrough(data, new FramerTransform(new DelimiterFramer({ delimiter: 10 }))));
  const theirs = await bestAsync(3, () => frameThrough(data, new DelimiterParser({ delimiter: "\n" })));
  const mbps = (ms: number) => 100 / (ms / 1000);
  rows.push({ name: "FramerTransform vs parser-delimiter, 100 MB", hio: mbps(ours), baseline: mbps(theirs), unit: "MB/s", goal: 1 });

  const total = 256 * MB;
  const chunk = new Uint8Array(65_536).fill(7);
  const rawRead = await bestAsync(3, () => drain(rawReadable(total, chunk)));
  const ringRead = await bestAsync(3, () => drain(ringSource(total, chunk)));
  const rawWrite = await bestAsync(3, () => writeThrough(rawSink(), total, chunk));
  const ringWrite = await bestAsync(3, () => writeThrough(ringSink(), total, chunk));
  const ringPlain = best(3, () => ringReadInto(total, chunk)).ms;
  rows.push({ name: "ringReadable vs raw Readable, 64 KiB", hio: mbps(ringRead) * (total / MB / 100), baseline: mbps(rawRead) * (total / MB / 100), unit: "MB/s" });
  rows.push({ name: "ringWritable vs raw Writable, 64 KiB", hio: mbps(ringWrite) * (total / MB / 100), baseline: mbps(rawWrite) * (total / MB / 100), unit: "MB/s" });
  rows.push({ name: "ringReadable vs plain ring write+readInto", hio: mbps(ringRead) * (total / MB / 100), baseline: mbps(ringPlain) * (total / MB / 100), unit: "MB/s" });

  // toDuplex over a real loopback Client against a raw net.Socket, same sink server.
  const sink = await sinkServer();
  const tcpTotal = 128 * MB;
  const rawSocket = net.connect(sink.port, "127.0.0.1");
  await new Promise<void>((resolve) => rawSocket.once("connect", resolve));
  const rawTcp = await bestAsync(3, async () => {
    const got = sink.received(tcpTotal);
    await new Promise<void>((resolve) => {
      let sent = 0;
      const pump = () => {
        while (sent < tcpTotal) {
          sent += chunk.length;
          if (!rawSocket.write(chunk)) return void rawSocket.once("drain", pump);
        }
        resolve();
      };
      pump();
    });
    await got;
  });
  rawSocket.destroy();
  const client = new Client({ port: sink.port });
  const doist = new Doist({ real: true, tock: 0.01, signals: false, doers: [new ClientDoer({ client })] });
  const running = doist.do();
  await runIn(doist, () => client.waitConnected({ timeout: 5 }));
  const duplex = toDuplex(client, { close: false });
  const hioTcp = await bestAsync(3, async () => {
    const got = sink.received(tcpTotal);
    await new Promise<void>((resolve) => {
      let sent = 0;
      const pump = () => {
        while (sent < tcpTotal) {
          sent += chunk.length;
          if (!duplex.write(chunk)) return void duplex.once("drain", pump);
        }
        resolve();
      };
      pump();
    });
    await got;
  });
  await doist[Symbol.asyncDispose]();
  await running;
  duplex.destroy();
  await sink.close();
  rows.push({ name: "toDuplex(Client) vs net.Socket, TCP 128 MB", hio: tcpTotal / MB / (hioTcp / 1000), baseline: tcpTotal / MB / (rawTcp / 1000), unit: "MB/s" });
}

const pad = (text: string, width: number) => text.padEnd(width);
const num = (value: number) => value.toFixed(2).padStart(8);
console.log(`${pad("case", 44)} ${pad("unit", 9)} ${"hio-ts".padStart(8)} ${"baseline".padStart(8)} ${"ratio".padStart(6)}  goal`);
for (const row of rows) {
  const ratio = row.hio / row.baseline;
  const goal = row.goal === undefined ? "" : `>= ${row.goal}x ${ratio >= row.goal ? "met" : "MISSED"}`;
  console.log(`${pad(row.name, 44)} ${pad(row.unit, 9)} ${num(row.hio)} ${num(row.baseline)} ${ratio.toFixed(2).padStart(6)}  ${goal}`);
}
console.log(
  "\nbaselines: ring = the same two copies with Uint8Array.set; handler = the bare readRegions+consume loop, no reader; readLine = Buffer indexOf + subarray over one 100 MB Buffer;",
);
console.log("FramerTransform = @serialport/parser-delimiter on the same 64 KiB chunks; ringReadable/ringWritable = a plain Readable/Writable");
console.log("moving the same chunks (and the plain ring loop); toDuplex(Client) = a raw net.Socket writing to the same loopback sink.");
