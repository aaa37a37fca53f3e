import { randomBytes } from "node:crypto";
import net from "node:net";
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import tls from "node:tls";
import { createGunzip, createGzip } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { Doist, EndOfStreamError, RingBuffer, doify, readExactly, ringReadable, ringWritable, runIn, toDuplex, until, type Doable } from "../../src/index.js";
import { Client, ClientDoer, EchoServerDoer, Server, ServerDoer } from "../../src/tcp/index.js";
import { SimBench } from "../helpers/sim-harness.js";
import { makeTestCerts, type TestCerts } from "../helpers/tcp-certs.js";
import { Cleanup, waitUntil } from "../helpers/tcp-harness.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

async function rawServer(onSocket: (socket: net.Socket) => void): Promise<number> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => {
    sockets.push(socket);
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanup.add(server, (s) => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => s.close(resolve));
  });
  return (server.address() as net.AddressInfo).port;
}

/** A real-time Doist running `doers` in the background, disposed after the test. */
function running(doers: Doable[]): Doist {
  const doist = new Doist({ real: true, tock: 0.01, signals: false, doers });
  const done = doist.do();
  cleanup.add(doist, async (d) => {
    await d[Symbol.asyncDispose]();
    await done;
  });
  return doist;
}

async function connectedClient(port: number, bufferSize?: number): Promise<{ client: Client; doist: Doist }> {
  const client = new Client({ port, ...(bufferSize === undefined ? {} : { bufferSize }) });
  const doist = running([new ClientDoer({ client })]);
  await runIn(doist, () => client.waitConnected({ timeout: 5 }));
  return { client, doist };
}

async function collect(readable: AsyncIterable<Buffer>, total: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of readable) {
    chunks.push(chunk);
    length += chunk.length;
    if (length >= total) break;
  }
  return Buffer.concat(chunks);
}

describe("toDuplex over a real loopback TCP Client", () => {
  it("runs zlib both ways: 1 MB gzipped out through the Client, echoed, gunzipped back intact", async () => {
    const port = await rawServer((socket) => socket.pipe(socket));
    const { client } = await connectedClient(port, 4096);
    const data = randomBytes(1 << 20);
    const duplex = toDuplex(client);
    const sent = pipeline(Readable.from([data]), createGzip(), duplex);
    const back = await collect(duplex.pipe(createGunzip()), data.length);
    await sent; // the Duplex's end waited until txbs was drained
    expect(back.equals(data)).toBe(true);
    duplex.destroy();
    expect(client.state).toBe("closed");
  });

  it("await using closes the handle when the block ends", async () => {
    const port = await rawServer(() => undefined);
    const { client } = await connectedClient(port);
    {
      await using duplex = toDuplex(client);
      duplex.write("bye\n");
    }
    expect(client.state).toBe("closed");
  });

  it("feeds readline: for await over lines a real peer sends", async () => {
    const lines = Array.from({ length: 500 }, (_, n) => `line ${n} ${"x".repeat(n % 50)}`);
    const port = await rawServer((socket) => socket.end(lines.join("\r\n") + "\n"));
    const { client } = await connectedClient(port);
    const got: string[] = [];
    for await (const line of createInterface({ input: toDuplex(client), crlfDelay: Infinity })) got.push(line);
    expect(got).toEqual(lines);
  });

  it("carries tls.connect({ socket }) over the hio-ts Client to a real TLS server", async () => {
    const certs: TestCerts = await makeTestCerts();
    cleanup.add(certs, (c) => c.remove());
    const server = tls.createServer({ cert: certs.serverCert, key: certs.serverKey }, (socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    cleanup.add(server, (s) => new Promise((resolve) => s.close(resolve)));
    const { client } = await connectedClient((server.address() as net.AddressInfo).port);
    const secure = tls.connect({ socket: toDuplex(client), ca: certs.ca, servername: "localhost" });
    cleanup.add(secure, (s) => s.destroy());
    await new Promise<void>((resolve, reject) => secure.once("secureConnect", resolve).once("error", reject));
    expect(secure.authorized).toBe(true);
    secure.write("hello over tls\n");
    const reply = await collect(secure, 15);
    expect(reply.toString()).toBe("hello over tls\n");
  });

  it("keeps back pressure end to end: an unread Duplex stops reading, the peer's writes stall, nothing is lost", async () => {
    const data = randomBytes(40 << 20); // more than the kernel's loopback buffers can ever hold (tcp_rmem + tcp_wmem max: 36 MB here)
    let flushed = false;
    const port = await rawServer((socket) => {
      socket.write(data, () => (flushed = true));
    });
    const { client } = await connectedClient(port, 4096);
    const duplex = toDuplex(client, { readableHighWaterMark: 16 * 1024 });
    duplex.pause();
    duplex.on("data", () => undefined).pause(); // prime _read once, then stop consuming
    await waitUntil(() => client.rxbs.isFull, "rxbs to fill");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(duplex.readableLength).toBeLessThanOrEqual(32 * 1024);
    expect(flushed).toBe(false); // 40 MB cannot fit in the buffers: the peer is held back
    duplex.removeAllListeners("data");
    const back = await collect(duplex, data.length);
    expect(back.equals(data)).toBe(true);
  });
});

describe("toDuplex over a hio-ts Server's Remoter", () => {
  it("lets a handler hand its connection to readline and await the async side with until", async () => {
    const server = new Server({ port: 0 });
    const handler = function* (remoter: Parameters<typeof toDuplex>[0]) {
      const duplex = toDuplex(remoter, { close: false });
      yield* until(
        (async () => {
          for await (const line of createInterface({ input: duplex, crlfDelay: Infinity })) {
            if (line === "quit") break;
            duplex.write(line.toUpperCase() + "\n");
          }
          await new Promise<void>((resolve) => duplex.end(resolve));
        })(),
      );
    };
    running([new ServerDoer({ server, handler })]);
    await server.open();
    const socket = net.connect(server.port!, "127.0.0.1");
    cleanup.add(socket, (s) => s.destroy());
    socket.write("one\ntwo\nquit\n");
    const reply: Buffer[] = [];
    for await (const chunk of socket) reply.push(chunk as Buffer);
    expect(Buffer.concat(reply).toString()).toBe("ONE\nTWO\n");
  });
});

describe("toDuplex over a simulated Client (SimNet)", () => {
  it("runs readline over the simulated connection in virtual tyme", async () => {
    const bench = cleanup.add(new SimBench({ seed: 7, conditions: { latency: 0.005 } }), (b) => b.close());
    bench.net.addHost("server");
    bench.net.addHost("client");
    const server = new Server({ driver: bench.net.tcpDriver("server"), host: "0.0.0.0", port: 7 });
    const client = new Client({ driver: bench.net.tcpDriver("client"), host: "server", port: 7 });
    bench.add(new EchoServerDoer({ server }), new ClientDoer({ client }));
    expect(await bench.untilAsync(() => client.state === "open", 5)).toBe(true);
    const duplex = toDuplex(client);
    const got: string[] = [];
    const lines = createInterface({ input: duplex });
    lines.on("line", (line) => got.push(line));
    duplex.write("alpha\nbeta\ngamma\n");
    expect(await bench.untilAsync(() => got.length === 3, 5)).toBe(true);
    expect(got).toEqual(["alpha", "beta", "gamma"]);
    lines.close();
    duplex.destroy();
  });
});

describe("ringReadable and ringWritable", () => {
  it("pipeline(readable, ringWritable(ring)) feeds a doer with back pressure and ends the ring", async () => {
    const ring = new RingBuffer({ capacity: 256, name: "pipe" });
    const data = randomBytes(64 * 1024);
    let received = 0;
    let ending: unknown;
    const reader = doify(function* () {
      try {
        for (;;) {
          const chunk = yield* readExactly(ring, 100);
          if (!Buffer.from(chunk).equals(data.subarray(received, received + 100))) throw new Error(`bytes differ at ${received}`);
          received += chunk.length;
        }
      } catch (error) {
        ending = error;
      }
      return true;
    });
    const doist = running([reader]);
    await pipeline(Readable.from([data.subarray(0, 40_000), data.subarray(40_000)]), ringWritable(ring));
    await waitUntil(() => ending !== undefined, "the reader to see the end");
    expect(ending).toBeInstanceOf(EndOfStreamError);
    expect((ending as EndOfStreamError).partial.length).toBe(data.length % 100);
    expect(received).toBe(data.length - (data.length % 100));
    void doist;
  });

  it("ringReadable yields what a doer writes and ends when the ring ends", async () => {
    const ring = new RingBuffer({ capacity: 64 });
    const writer = doify(function* () {
      for (let n = 0; n < 100; n++) {
        while (ring.free < 10) yield;
        ring.write(Buffer.from(`chunk ${String(n).padStart(3, "0")}`));
      }
      ring.end();
      return true;
    });
    running([writer]);
    const text = (await collect(ringReadable(ring), Number.POSITIVE_INFINITY)).toString();
    expect(text).toBe(Array.from({ length: 100 }, (_, n) => `chunk ${String(n).padStart(3, "0")}`).join(""));
  });
});
