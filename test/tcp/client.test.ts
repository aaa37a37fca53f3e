import { afterEach, describe, expect, it } from "vitest";
import { doify } from "../../src/core/index.js";
import { readExactly, readLine, WireLog, writeAll } from "../../src/io/index.js";
import { Client, ClientDoer, ConnectError, ConnectionResetError } from "../../src/tcp/index.js";
import { bytes, Cleanup, rawServer, runUntil, text, waitUntil } from "../helpers/tcp-harness.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

function echoServer(host = "127.0.0.1") {
  return rawServer((socket) => {
    socket.on("data", (chunk) => socket.write(chunk));
    socket.on("end", () => socket.end());
  }, host);
}

function client(options: ConstructorParameters<typeof Client>[0]): Client {
  return cleanup.add(new Client(options), (c) => c.close());
}

describe("Client", () => {
  it.each([
    ["IPv4", "127.0.0.1"],
    ["IPv6", "::1"],
    ["a host name", "localhost"],
  ])("connects over %s and exchanges bytes", async (_label, host) => {
    const server = cleanup.add(await echoServer(host === "::1" ? "::1" : "127.0.0.1"), (s) => s.close());
    const tcp = client({ host, port: server.port });
    const doist = cleanup.doist([new ClientDoer({ client: tcp })]);
    expect(tcp.state).toBe("opening");
    await runUntil(doist, () => tcp.connected, "connect");
    tcp.txbs.write(bytes("hello\n"));
    await runUntil(doist, () => tcp.rxbs.length === 6, "echo");
    expect(text(tcp.rxbs.read())).toBe("hello\n");
  });

  it("half-closes with shutdownSend and sees the peer's end in rxbs", async () => {
    const server = cleanup.add(await echoServer(), (s) => s.close());
    const tcp = client({ port: server.port });
    const doist = cleanup.doist([new ClientDoer({ client: tcp })]);
    tcp.txbs.write(bytes("last words"));
    tcp.shutdownSend();
    await runUntil(doist, () => tcp.rxbs.ended, "peer end");
    expect(text(tcp.rxbs.read())).toBe("last words");
    expect(tcp.rxbs.exhausted).toBe(true);
  });

  it("reports a reset mid-stream as ConnectionResetError and keeps the bytes received before", async () => {
    const server = cleanup.add(await rawServer((socket) => socket.write("partial")), (s) => s.close());
    const tcp = client({ port: server.port });
    const doist = cleanup.doist([new ClientDoer({ client: tcp })]);
    await runUntil(doist, () => tcp.rxbs.length === 7, "the bytes before the reset");
    server.sockets[0]!.resetAndDestroy();
    await runUntil(doist, () => tcp.cutoff, "cutoff");
    expect(tcp.error).toBeInstanceOf(ConnectionResetError);
    expect(tcp.error?.message).toContain(`127.0.0.1:${server.port}`);
    expect(tcp.rxbs.ended).toBe(true);
    expect(text(tcp.rxbs.read())).toBe("partial");
  });

  it("fails a refused connect with a ConnectError naming the address, and waitConnected throws it", async () => {
    const server = await rawServer();
    const port = server.port;
    await server.close();
    const tcp = client({ port });
    let thrown: unknown;
    const waiter = doify(function* () {
      try {
        yield* tcp.waitConnected({ timeout: 5 });
      } catch (error) {
        thrown = error;
      }
      return true;
    });
    const doist = cleanup.doist([new ClientDoer({ client: tcp }), waiter]);
    await runUntil(doist, () => thrown !== undefined, "failure");
    expect(tcp.state).toBe("closed");
    expect(thrown).toBeInstanceOf(ConnectError);
    expect((thrown as ConnectError).code).toBe("ECONNREFUSED");
    expect((thrown as Error).message).toContain(`client 127.0.0.1:${port}`);
  });

  it("waits in waitConnected for a client whose doer enters after the waiting dog", async () => {
    const server = cleanup.add(await echoServer(), (s) => s.close());
    const tcp = client({ port: server.port });
    const waiter = doify(function* () {
      yield* tcp.waitConnected({ timeout: 5 });
      return true;
    });
    const doist = cleanup.doist([waiter, new ClientDoer({ client: tcp })]);
    await runUntil(doist, () => waiter.done === true, "connected");
    expect(tcp.connected).toBe(true);
  });

  it("reconnects every tymeout after the server restarts", async () => {
    const first = await echoServer();
    const port = first.port;
    const tcp = client({ port, reconnectable: true, tymeout: 0.25 });
    const doist = cleanup.doist([new ClientDoer({ client: tcp })]);
    await runUntil(doist, () => tcp.connected, "first connect");
    await first.close();
    await runUntil(doist, () => tcp.cutoff, "cutoff");
    const cutAt = doist.tyme;
    const attempts = tcp.attempts;
    await runUntil(doist, () => tcp.attempts > attempts, "retry");
    expect(doist.tyme - cutAt).toBeGreaterThanOrEqual(0.25);
    const again = cleanup.add(await listenOn(port), (s) => s.close());
    await runUntil(doist, () => tcp.connected, "reconnect");
    tcp.txbs.write(bytes("back"));
    await runUntil(doist, () => tcp.rxbs.length === 4, "echo after reconnect");
    expect(text(tcp.rxbs.read())).toBe("back");
    expect(again.sockets.length).toBe(1);
  });

  it("stops reading while rxbs is full and resumes without losing a byte", async () => {
    const payload = new Uint8Array(256 * 1024).map((_, index) => (index * 31) & 255);
    const server = cleanup.add(await rawServer((socket) => socket.end(payload)), (s) => s.close());
    const tcp = client({ port: server.port, bufferSize: 4096 });
    let paused = false;
    const received: Uint8Array[] = [];
    const reader = doify(function* () {
      for (let total = 0; total < payload.length; ) {
        paused ||= tcp.receivePaused;
        const chunk = yield* readExactly(tcp.rxbs, Math.min(1000, payload.length - total));
        received.push(chunk);
        total += chunk.length;
        yield 0; // one slow read per tick
      }
      return true;
    });
    const doist = cleanup.doist([new ClientDoer({ client: tcp }), reader]);
    await runUntil(doist, () => reader.done === true, "all bytes", 20_000);
    expect(paused).toBe(true);
    expect(Buffer.concat(received).equals(Buffer.from(payload))).toBe(true);
  });

  it("waits for drain while the peer does not read, then sends everything", async () => {
    let peer: import("node:net").Socket | undefined;
    const got: Buffer[] = [];
    const server = cleanup.add(
      await rawServer((socket) => {
        peer = socket;
        socket.pause();
        socket.on("data", (chunk) => got.push(chunk));
      }),
      (s) => s.close(),
    );
    const tcp = client({ port: server.port, bufferSize: 16 * 1024 });
    const payload = new Uint8Array(8 * 1024 * 1024).map((_, index) => index & 255);
    const writer = doify(function* () {
      yield* writeAll(tcp.txbs, payload);
      return true;
    });
    const doist = cleanup.doist([new ClientDoer({ client: tcp }), writer]);
    await runUntil(doist, () => tcp.connected && tcp.txbs.isFull, "txbs full while the peer does not read", 20_000);
    expect(writer.done).toBe(false);
    peer!.resume();
    await runUntil(doist, () => got.reduce((sum, chunk) => sum + chunk.length, 0) === payload.length, "all bytes at the peer", 20_000);
    expect(Buffer.concat(got).equals(Buffer.from(payload))).toBe(true);
  });

  it("closes idempotently and ends rxbs", async () => {
    const server = cleanup.add(await echoServer(), (s) => s.close());
    const tcp = client({ port: server.port });
    const doist = cleanup.doist([new ClientDoer({ client: tcp })]);
    await runUntil(doist, () => tcp.connected, "connect");
    tcp.close();
    tcp.close();
    expect(tcp.state).toBe("closed");
    expect(tcp.rxbs.ended).toBe(true);
    await waitUntil(() => server.sockets[0]?.destroyed === true || server.sockets[0]?.readableEnded === true, "server sees the close");
  });

  it("records rx and tx chunks in a WireLog with the peer address", async () => {
    const server = cleanup.add(await echoServer(), (s) => s.close());
    const wirelog = new WireLog();
    const tcp = client({ port: server.port, wirelog });
    const talk = doify(function* () {
      yield* tcp.waitConnected();
      tcp.txbs.write(bytes("ping\n"));
      yield* readLine(tcp.rxbs);
      return true;
    });
    const doist = cleanup.doist([new ClientDoer({ client: tcp }), talk]);
    await runUntil(doist, () => talk.done === true, "round trip");
    const directions = wirelog.entries.map((entry) => `${entry.direction} ${entry.peer} ${text(entry.bytes)}`);
    expect(directions).toEqual([`tx 127.0.0.1:${server.port} ping\n`, `rx 127.0.0.1:${server.port} ping\n`]);
  });

  it.each([
    [{ port: undefined as unknown as number }, TypeError, /^port/],
    [{ port: 70_000 }, RangeError, /^port/],
    [{ port: 80, tymeout: -1 }, RangeError, /^tymeout/],
    [{ port: 80, bufferSize: 0 }, RangeError, /^bufferSize/],
  ])("rejects bad options %#", (options, type, message) => {
    expect(() => new Client(options)).toThrow(type);
    expect(() => new Client(options)).toThrow(message);
  });
});

async function listenOn(port: number) {
  const { default: net } = await import("node:net");
  const sockets: import("node:net").Socket[] = [];
  const server = net.createServer((socket) => {
    sockets.push(socket);
    socket.on("data", (chunk) => socket.write(chunk));
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return {
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
