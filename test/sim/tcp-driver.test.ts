import { afterEach, describe, expect, it } from "vitest";
import { Doist, doify } from "../../src/core/index.js";
import { readExactly, readLineText, writeAll, writeText } from "../../src/io/index.js";
import { runSimulation, SimNet, SimRandom } from "../../src/sim/index.js";
import { Client, ClientDoer, ClientTls, ConnectError, EchoServerDoer, ListenError, Server, ServerDoer, ServerTls } from "../../src/tcp/index.js";
import { SimBench } from "../helpers/sim-harness.js";
import { chatScenario, echoScenario } from "../helpers/sim-scenarios.js";

let bench: SimBench | undefined;
afterEach(() => {
  bench?.close();
  bench = undefined;
});

describe("hio-ts/tcp on SimNet", () => {
  it("runs the unchanged echo server and clients through 10 percent loss and a partition", async () => {
    const result = await runSimulation(echoScenario({ clients: 3, lines: 20, partition: [1, 2.5] }), { seed: 1 });
    expect(result.finished).toBe(true);
    expect(result.report?.answered).toBe(60);
    expect(result.report?.slowest).toBeGreaterThan(1); // the partitioned client waited out the split
    expect(result.report?.trace.some((line) => line.includes("cut"))).toBe(true);
  });

  it("runs the chat relay: every client hears every other, in each sender's order, through loss and a partition", async () => {
    const result = await runSimulation(chatScenario({ clients: 4, lines: 10, partition: [0.5, 2] }), { seed: 2 });
    expect(result.finished).toBe(true);
    for (const [name, inbox] of result.report!.received) {
      expect(inbox).toHaveLength(30);
      for (const other of ["client0", "client1", "client2", "client3"].filter((n) => n !== name)) {
        expect(inbox.filter((line) => line.startsWith(`${other}:`))).toEqual(Array.from({ length: 10 }, (_, i) => `${other}: ${i}`));
      }
    }
  });

  it("reports a refused connect as the Client's ConnectError with ECONNREFUSED", async () => {
    bench = new SimBench();
    bench.net.addHost("server");
    bench.net.addHost("client");
    const client = new Client({ driver: bench.net.tcpDriver("client"), host: "server", port: 9 });
    bench.add(new ClientDoer({ client }));
    expect(await bench.untilAsync(() => client.error !== undefined, 2)).toBe(true);
    expect(client.error).toBeInstanceOf(ConnectError);
    expect(client.error?.message).toMatch(/ECONNREFUSED/);
  });

  it("fails a Unix socket path on a simulated host with EAFNOSUPPORT naming the path (the driver contract), for a client and a server", async () => {
    bench = new SimBench();
    bench.net.addHost("server");
    bench.net.addHost("client");
    const client = new Client({ driver: bench.net.tcpDriver("client"), path: "/tmp/hio.sock" });
    bench.add(new ClientDoer({ client }));
    expect(await bench.untilAsync(() => client.error !== undefined, 2)).toBe(true);
    expect(client.error).toBeInstanceOf(ConnectError);
    expect(client.error?.message).toMatch(/EAFNOSUPPORT.*\/tmp\/hio\.sock/);
    expect(client.state).not.toBe("open");
    client.close();

    const server = new Server({ driver: bench.net.tcpDriver("server"), path: "/tmp/hio-server.sock" });
    await expect(server.open()).rejects.toBeInstanceOf(ListenError);
    expect(server.error?.message).toMatch(/EAFNOSUPPORT.*\/tmp\/hio-server\.sock/);
    expect(server.state).toBe("closed");
  });

  it("carries 1 MB intact from a fast writer to a slow reader through small buffers (back pressure end to end)", async () => {
    bench = new SimBench({ seed: 3, conditions: { latency: 0.01, loss: 0.02 }, streams: { sendBufferSize: 8192, receiveBufferSize: 8192 } });
    const net = bench.net;
    net.addHost("server");
    net.addHost("client");
    const data = new Uint8Array(1 << 20);
    const random = new SimRandom(3);
    for (let i = 0; i < data.length; i++) data[i] = random.int(256);
    const server = new Server({ driver: net.tcpDriver("server"), host: "0.0.0.0", port: 5, bufferSize: 4096 });
    let received: Uint8Array[] = [];
    let total = 0;
    const slowReader = function* slowReader(remoter: { rxbs: Parameters<typeof readExactly>[0] }) {
      while (total < data.length) {
        const chunk = yield* readExactly(remoter.rxbs, Math.min(1024, data.length - total));
        received.push(chunk);
        total += chunk.length;
        yield 0.001;
      }
    };
    const client = new Client({ driver: net.tcpDriver("client"), host: "server", port: 5, bufferSize: 4096 });
    const writer = doify(function* writer() {
      yield* client.waitConnected({ timeout: 5 });
      yield* writeAll(client.txbs, data);
      return true;
    });
    bench.add(new ServerDoer({ server, handler: slowReader }), new ClientDoer({ client }), writer);
    expect(await bench.untilAsync(() => total === data.length, 600)).toBe(true);
    expect(Buffer.concat(received).equals(data)).toBe(true);
    received = [];
  });

  it("keeps a saturated echo stream flowing through loss and jitter (no stall on drain)", async () => {
    bench = new SimBench({ seed: 1, conditions: { latency: 0.01, jitter: 0.005, loss: 0.01 } });
    const net = bench.net;
    net.addHost("server");
    net.addHost("client");
    const server = new Server({ driver: net.tcpDriver("server"), host: "0.0.0.0", port: 7 });
    const client = new Client({ driver: net.tcpDriver("client"), host: "server", port: 7 });
    const chunk = new Uint8Array(16_384);
    let echoed = 0;
    const talker = doify(function* talker() {
      yield 0;
      for (;;) {
        if (client.connected && client.txbs.free >= chunk.length) client.txbs.write(chunk);
        echoed += client.rxbs.consume(client.rxbs.length);
        yield 0;
      }
    });
    bench.add(new EchoServerDoer({ server }), new ClientDoer({ client }), talker);
    expect(await bench.untilAsync(() => echoed >= 4 << 20, 60)).toBe(true);
  });

  it("reconnects a reconnectable Client after the server restarts", async () => {
    bench = new SimBench({ conditions: { latency: 0.01 } });
    const net = bench.net;
    net.addHost("server");
    net.addHost("client");
    const server = new Server({ driver: net.tcpDriver("server"), host: "0.0.0.0", port: 7 });
    const client = new Client({ driver: net.tcpDriver("client"), host: "server", port: 7, reconnectable: true, tymeout: 0.25 });
    bench.add(new ServerDoer({ server }), new ClientDoer({ client }));
    net.at(1, () => server.close(), "server down");
    net.at(2, () => void server.open(), "server up");
    expect(await bench.untilAsync(() => client.connected, 1)).toBe(true);
    expect(await bench.untilAsync(() => !client.connected, 1.5)).toBe(true);
    expect(await bench.untilAsync(() => client.connected, 3)).toBe(true);
    expect(bench.doist.tyme).toBeGreaterThanOrEqual(2);
    expect(client.attempts).toBeGreaterThan(2); // refused while the server was down
  });

  it("runs under a plain Doist.do() with the net first, handles opened before the net has a tyme base", async () => {
    const net = new SimNet({ seed: 5, conditions: { latency: 0.02 } });
    net.addHost("server");
    net.addHost("client");
    const server = new Server({ driver: net.tcpDriver("server"), host: "0.0.0.0", port: 7 });
    const client = new Client({ driver: net.tcpDriver("client"), host: "server", port: 7 });
    client.open(); // before the Doist runs: the SYN leaves when the net enters
    let echoed = "";
    const talker = doify(function* talker() {
      yield* client.waitConnected({ timeout: 5 });
      yield* writeText(client.txbs, "over the sim\n");
      echoed = yield* readLineText(client.rxbs, { timeout: 5 });
      return true;
    });
    const doist = new Doist({ doers: [net, new EchoServerDoer({ server }), new ClientDoer({ client }), talker], limit: 2, signals: false });
    await doist.do();
    expect(echoed).toBe("over the sim");
  });

  it("records every payload the net carries on a net-level wire log", async () => {
    const entries: string[] = [];
    const wirelog = {
      tx: (bytes: Uint8Array, peer: string) => entries.push(`tx ${peer} ${new TextDecoder().decode(bytes)}`),
      rx: (bytes: Uint8Array, peer: string) => entries.push(`rx ${peer} ${new TextDecoder().decode(bytes)}`),
    };
    bench = new SimBench({ wirelog });
    bench.net.addHost("server");
    bench.net.addHost("client");
    bench.net.host("server").listen({ port: 7 });
    bench.step();
    const stream = bench.net.host("client").connect({ host: "server", port: 7 });
    bench.until(() => stream.open);
    stream.write(new TextEncoder().encode("hi"));
    bench.until(() => entries.length === 2, 1);
    expect(entries).toEqual(["tx 10.0.0.2:49152>10.0.0.1:7 hi", "rx 10.0.0.2:49152>10.0.0.1:7 hi"]);
  });

  it("runs the TLS variants unchanged (the simulation reports secureConnect and does not encrypt)", async () => {
    const net = new SimNet({ seed: 6 });
    net.addHost("server");
    net.addHost("client");
    const server = new ServerTls({ driver: net.tcpDriver("server"), host: "0.0.0.0", port: 443, tls: { cert: "unused", key: "unused" } });
    const client = new ClientTls({ driver: net.tcpDriver("client"), host: "server", port: 443 });
    let echoed = "";
    const talker = doify(function* talker() {
      yield* client.waitConnected({ timeout: 5 });
      yield* writeText(client.txbs, "plain in the sim\n");
      echoed = yield* readLineText(client.rxbs, { timeout: 5 });
      return true;
    });
    await new Doist({ doers: [net, new EchoServerDoer({ server }), new ClientDoer({ client }), talker], limit: 2, signals: false }).do();
    expect(echoed).toBe("plain in the sim");
  });
});
