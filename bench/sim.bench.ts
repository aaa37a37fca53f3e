/**
 * Simulation benchmark: how fast SimNet runs a 100-host network in virtual
 * tyme. A simulator has no raw baseline; for context the last rows run the
 * same hio-ts echo exchange (90 clients, 10 servers) over real loopback
 * sockets for a few seconds of wall time.
 *
 * Rows:
 * - engine streams: 50 host pairs streaming through SimStream directly
 *   (latency 10 ms, jitter 5 ms, 1% loss, 10 MB/s links);
 * - engine datagrams: 100 hosts each sending 200 datagrams/s of tyme to a
 *   random peer (5% loss, 1% duplicates);
 * - hio-ts/tcp on SimNet: 10 EchoServerDoers and 90 Clients, unchanged,
 *   over the sim's TCP driver (same link conditions as engine streams);
 * - hio-ts/tcp on loopback: the same doers and protocol over node:net.
 *
 * Run: npm run bench:sim
 */
import { Doist, doify, type Doable, type DoFunction } from "../src/core/index.js";
import { SimNet, SimRandom, runSimulation, type SimStream } from "../src/sim/index.js";
import { Client, ClientDoer, EchoServerDoer, Server, nodeDriver, type TcpDriver } from "../src/tcp/index.js";

const rows: string[][] = [];
const fmt = (value: number, digits = 0) => value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

function record(name: string, simSeconds: number, wallMs: number, bytes: number, note: string): void {
  const wall = wallMs / 1000;
  rows.push([name, simSeconds > 0 ? fmt(simSeconds, 1) : "-", fmt(wall, 2), simSeconds > 0 ? fmt(simSeconds / wall, 1) : "-", fmt(bytes / wall / 1e6, 2), note]);
  console.error(`  ${name}: ${fmt(wall, 2)} s wall, ${fmt(bytes / wall / 1e6, 2)} MB/s`);
}

/** 50 pairs of hosts streaming bytes through SimStream, no transport layer. */
function engineStreams(simSeconds: number): void {
  const net = new SimNet({ seed: 1, conditions: { latency: 0.01, jitter: 0.005, loss: 0.01, bandwidth: 10e6 } });
  const doist = new Doist({ tock: 0.01, signals: false });
  const chunk = new Uint8Array(16_384);
  const pairs: { sender: SimStream; receiver: () => SimStream | undefined }[] = [];
  for (let index = 0; index < 50; index++) {
    const server = net.addHost(`server${index}`);
    const client = net.addHost(`client${index}`);
    const listener = server.listen({ port: 9 });
    let accepted: SimStream | undefined;
    pairs.push({ sender: undefined as unknown as SimStream, receiver: () => (accepted ??= listener.accept()) });
    void client;
  }
  const pump = doify(function* pump() {
    yield 0;
    for (let index = 0; index < 50; index++) pairs[index]!.sender = net.host(`client${index}`).connect({ host: `server${index}`, port: 9 });
    for (;;) {
      for (const pair of pairs) {
        if (pair.sender.open) while (pair.sender.write(chunk) > 0);
        pair.receiver()?.read();
      }
      yield 0;
    }
  });
  const started = performance.now();
  doist.enter([net, pump]);
  while (doist.tyme < simSeconds) doist.recur();
  doist.exit();
  record("engine streams (100 hosts)", simSeconds, performance.now() - started, net.stats.streamBytesDelivered, "stream payload delivered");
}

/** 100 hosts each sending datagrams to random peers. */
function engineDatagrams(simSeconds: number): void {
  const net = new SimNet({ seed: 2, conditions: { latency: 0.01, jitter: 0.005, loss: 0.05, duplicate: 0.01 } });
  const doist = new Doist({ tock: 0.005, signals: false });
  const sockets = Array.from({ length: 100 }, (_, index) => net.addHost(`host${index}`).bind({ port: 5000 }));
  const random = new SimRandom(3);
  const payload = new Uint8Array(512);
  const chatter = doify(function* chatter() {
    yield 0;
    for (;;) {
      for (const socket of sockets) {
        for (let datagram = socket.receive(); datagram; datagram = socket.receive());
        socket.send(payload, 5000, `host${random.int(100)}`);
      }
      yield 0; // one datagram per host per 5 ms tick: 200/s each
    }
  });
  const started = performance.now();
  doist.enter([net, chatter]);
  while (doist.tyme < simSeconds) doist.recur();
  doist.exit();
  record("engine datagrams (100 hosts)", simSeconds, performance.now() - started, net.stats.datagramBytesDelivered, `${fmt(net.stats.datagramsDelivered)} datagrams delivered`);
}

/** 10 echo servers and 90 clients that keep 16 KiB writes in flight and count the echoes. */
function echoMesh(driverFor: (name: string) => TcpDriver, target: (server: number) => { host: string; port: number }, servers: Server[], counter: { bytes: number }): Doable[] {
  const doers: Doable[] = servers.map((server) => new EchoServerDoer({ server }));
  const chunk = new Uint8Array(16_384);
  for (let index = 0; index < 90; index++) {
    const client = new Client({ driver: driverFor(`client${index}`), ...target(index % servers.length), reconnectable: true, tymeout: 2 });
    const talker: DoFunction = doify(function* talker() {
      yield 0;
      for (;;) {
        if (client.connected && client.txbs.free >= chunk.length) client.txbs.write(chunk);
        counter.bytes += client.rxbs.consume(client.rxbs.length);
        yield 0;
      }
    });
    doers.push(new ClientDoer({ client }), talker);
  }
  return doers;
}

async function tcpOnSim(simSeconds: number): Promise<void> {
  const counter = { bytes: 0 };
  let streamBytes = 0;
  const started = performance.now();
  await runSimulation(
    {
      name: "100-host echo",
      limit: simSeconds,
      tock: 0.01,
      net: { conditions: { latency: 0.01, jitter: 0.005, loss: 0.01, bandwidth: 10e6 } },
      build: ({ net }) => {
        const servers = Array.from({ length: 10 }, (_, index) => {
          net.addHost(`server${index}`);
          return new Server({ driver: net.tcpDriver(`server${index}`), host: "0.0.0.0", port: 7 });
        });
        for (let index = 0; index < 90; index++) net.addHost(`client${index}`);
        return {
          doers: echoMesh(
            (name) => net.tcpDriver(name),
            (server) => ({ host: `server${server}`, port: 7 }),
            servers,
            counter,
          ),
          report: () => (streamBytes = net.stats.streamBytesDelivered),
        };
      },
    },
    { seed: 4 },
  );
  record("hio-ts/tcp on SimNet (100 hosts)", simSeconds, performance.now() - started, counter.bytes, `echoed; ${fmt(streamBytes / 1e6, 1)} MB crossed the sim`);
}

async function tcpOnLoopback(wallSeconds: number): Promise<void> {
  const counter = { bytes: 0 };
  const servers = Array.from({ length: 10 }, () => new Server({ driver: nodeDriver, host: "127.0.0.1", port: 0 }));
  await Promise.all(servers.map((server) => server.open()));
  const doers = echoMesh(
    () => nodeDriver,
    (server) => ({ host: "127.0.0.1", port: servers[server]!.port }),
    servers,
    counter,
  );
  const doist = new Doist({ tock: 0.01, signals: false });
  doist.enter(doers);
  const warm = performance.now() + 500; // connects and slow start
  while (performance.now() < warm) {
    doist.recur();
    await new Promise((resolve) => setImmediate(resolve));
  }
  counter.bytes = 0;
  const started = performance.now();
  while (performance.now() - started < wallSeconds * 1000) {
    doist.recur();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const wallMs = performance.now() - started;
  doist.exit();
  record("hio-ts/tcp on loopback (90 clients)", 0, wallMs, counter.bytes, "echoed, for context");
}

console.error("sim bench: running...");
engineStreams(30);
engineDatagrams(30);
await tcpOnSim(20);
await tcpOnLoopback(5);

const header = ["scenario", "sim s", "wall s", "sim s / wall s", "MB / wall s", "what"];
const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
const line = (cells: string[]) => cells.map((cell, column) => (column === 0 || column === 5 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join(" | ");
console.log(line(header));
console.log(widths.map((width) => "-".repeat(width)).join("-|-"));
for (const row of rows) console.log(line(row));
const sim = rows.find((row) => row[0]!.startsWith("hio-ts/tcp on SimNet"));
const real = rows.find((row) => row[0]!.startsWith("hio-ts/tcp on loopback"));
if (sim !== undefined && real !== undefined) {
  const ratio = Number(sim[4]!.replace(/,/g, "")) / Number(real[4]!.replace(/,/g, ""));
  console.log(`\nhio-ts/tcp echo bytes per wall second, SimNet / loopback: ${ratio.toFixed(2)}x (SimNet links capped at 10 MB/s of tyme each, 1% loss)`);
}
