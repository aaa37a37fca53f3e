/**
 * Benchmark: 1 KiB datagrams echoed over loopback, hio-ts (Peer + PeerDoer
 * under a real-time Doist) against a raw `dgram` echo, in the same run.
 * The load generator runs in its own process (bench/udp-load.ts); the echo
 * server runs here, and its CPU time per echoed datagram is measured too.
 * Two loads: a window of 32 datagrams in flight (throughput) and a window of
 * 1 (ping-pong: one round trip at a time, so latency bound).
 *
 * Run: npm run bench:udp  (env ROUNDS, SECONDS, SIZE to change the load)
 */
import { spawn } from "node:child_process";
import dgram from "node:dgram";
import { fileURLToPath } from "node:url";
import { Doist } from "../src/core/index.js";
import { Peer, PeerDoer, readDatagram, writeDatagram } from "../src/udp/index.js";

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const SECONDS = Number(process.env.SECONDS ?? 2.5);
const SIZE = Number(process.env.SIZE ?? 1024);
const WINDOWS = [32, 1];
const loadScript = fileURLToPath(new URL("./udp-load.ts", import.meta.url));
const root = fileURLToPath(new URL("..", import.meta.url));

interface LoadResult {
  echoes: number;
  seconds: number;
  rate: number;
  reprimed: number;
  total: number;
}

interface EchoServer {
  port: number;
  stop(): Promise<void>;
}

interface Sample {
  rate: number;
  cpuMicrosPerDatagram: number;
  reprimed: number;
}

function runLoad(port: number, window: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", loadScript, String(port), String(SECONDS), String(SIZE), String(window)], {
      cwd: root,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) reject(new Error(`load generator exited with ${code}`));
      else resolve(JSON.parse(output) as LoadResult);
    });
  });
}

async function rawEcho(): Promise<EchoServer> {
  const socket = dgram.createSocket("udp4");
  socket.on("message", (message, from) => socket.send(message, from.port, from.address));
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return {
    port: socket.address().port,
    stop: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

async function hioEcho(): Promise<EchoServer> {
  const peer = new Peer({ host: "127.0.0.1", name: "echo" });
  await peer.open();
  const echo = new PeerDoer({
    peer,
    handler: function* echoHandler(peer) {
      for (;;) {
        const { data, from } = yield* readDatagram(peer);
        yield* writeDatagram(peer, data, from);
      }
    },
  });
  const doist = new Doist({ real: true, doers: [echo], signals: false });
  const running = doist.do();
  return {
    port: peer.port,
    stop: async () => {
      doist.remove([echo]);
      await running;
      if (peer.counters.dropped > 0 || peer.counters.sendErrors > 0) {
        console.error(`hio-ts echo: dropped ${peer.counters.dropped}, send errors ${peer.counters.sendErrors}`);
      }
    },
  };
}

async function measure(start: () => Promise<EchoServer>, window: number): Promise<Sample> {
  const server = await start();
  const cpuBefore = process.cpuUsage();
  const result = await runLoad(server.port, window);
  const cpu = process.cpuUsage(cpuBefore);
  await server.stop();
  // CPU covers warm-up and measured span alike: divide by every echo of the run.
  return { rate: result.rate, cpuMicrosPerDatagram: (cpu.user + cpu.system) / result.total, reprimed: result.reprimed };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const rows: Record<string, string | number>[] = [];
const notes: string[] = [];
for (const window of WINDOWS) {
  const raw: Sample[] = [];
  const hio: Sample[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate the order so neither side always runs on a warmer machine.
    if (round % 2 === 0) {
      raw.push(await measure(rawEcho, window));
      hio.push(await measure(hioEcho, window));
    } else {
      hio.push(await measure(hioEcho, window));
      raw.push(await measure(rawEcho, window));
    }
    console.error(`window ${window} round ${round + 1}/${ROUNDS}: raw ${raw[round]!.rate.toFixed(0)}/s, hio-ts ${hio[round]!.rate.toFixed(0)}/s`);
  }
  const rawRate = median(raw.map((sample) => sample.rate));
  const hioRate = median(hio.map((sample) => sample.rate));
  const rawCpu = median(raw.map((sample) => sample.cpuMicrosPerDatagram));
  const hioCpu = median(hio.map((sample) => sample.cpuMicrosPerDatagram));
  rows.push(
    {
      load: `window ${window}`,
      metric: "echoed datagrams/s (higher is better)",
      "raw dgram": Math.round(rawRate),
      "hio-ts": Math.round(hioRate),
      "hio-ts/raw": Number((hioRate / rawRate).toFixed(3)),
    },
    {
      load: `window ${window}`,
      metric: "echo-side CPU µs/datagram (lower is better)",
      "raw dgram": Number(rawCpu.toFixed(2)),
      "hio-ts": Number(hioCpu.toFixed(2)),
      "hio-ts/raw": Number((hioCpu / rawCpu).toFixed(3)),
    },
  );
  const reprimed = (samples: Sample[]) => samples.reduce((sum, sample) => sum + sample.reprimed, 0);
  const spread = (samples: Sample[]) => `${Math.round(Math.min(...samples.map((sample) => sample.rate)))}..${Math.round(Math.max(...samples.map((sample) => sample.rate)))}`;
  notes.push(`window ${window}: rate range raw ${spread(raw)}, hio-ts ${spread(hio)}; stalls re-primed raw ${reprimed(raw)}, hio-ts ${reprimed(hio)}`);
}

console.log(`\nUDP echo over loopback, ${SIZE}-byte datagrams, ${SECONDS} s x ${ROUNDS} rounds per cell (median), node ${process.version}\n`);
console.table(rows);
for (const note of notes) console.log(note);
