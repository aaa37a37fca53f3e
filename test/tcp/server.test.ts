import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { EchoServerDoer, IdleTimeoutError, ListenError, Server, ServerDoer, type Remoter } from "../../src/tcp/index.js";
import { Cleanup, rawClient, runUntil, waitUntil, type RawClient } from "../helpers/tcp-harness.js";
import { freeEphemeralPorts } from "../helpers/peers.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

async function openServer(options: ConstructorParameters<typeof Server>[0] = {}): Promise<Server> {
  const server = cleanup.add(new Server({ port: 0, ...options }), (s) => s.close());
  await server.open();
  return server;
}

/** The remoter of the peer whose local port is `port` (remoters are keyed by id). */
function byPeerPort(server: Server, port: number | undefined): Remoter | undefined {
  for (const remoter of server.remoters.values()) if (remoter.remotePort === port) return remoter;
  return undefined;
}

function connect(port: number, host = "127.0.0.1"): RawClient {
  return cleanup.add(rawClient(port, host), (c) => c.socket.destroy());
}

describe("Server", () => {
  it("listens on port 0 and reports the ephemeral port", async () => {
    const server = new Server({ port: 0 });
    cleanup.add(server, (s) => s.close());
    const opening = server.open();
    expect(server.state).toBe("opening");
    await opening;
    expect(server.state).toBe("open");
    expect(server.port).toBeGreaterThan(0);
    expect(server.label).toBe(`server 127.0.0.1:${server.port}`);
  });

  it("listens and accepts on IPv6 (::1)", async () => {
    const server = await openServer({ host: "::1" });
    const doist = cleanup.doist([new EchoServerDoer({ server })]);
    const peer = connect(server.port, "::1");
    peer.socket.end("v6");
    await runUntil(doist, () => peer.ended, "echo over IPv6");
    expect(peer.text()).toBe("v6");
    expect(server.label).toBe(`server [::1]:${server.port}`);
  });

  it("fails to listen on a port in use with a ListenError naming the address", async () => {
    const first = await openServer();
    const second = new Server({ port: first.port });
    await expect(second.open()).rejects.toThrow(ListenError);
    expect(second.state).toBe("closed");
    expect(second.error?.code).toBe("EADDRINUSE");
    expect(second.error?.message).toContain(`server 127.0.0.1:${first.port}`);
  });

  it("keys each accepted connection by a unique id and keeps the peer's host:port as fields", async () => {
    const server = await openServer();
    const doist = cleanup.doist([new ServerDoer({ server })]);
    const peer = connect(server.port);
    await runUntil(doist, () => server.remoters.size === 1, "accept");
    await runUntil(doist, () => peer.socket.localPort !== undefined, "local port");
    const remoter = byPeerPort(server, peer.socket.localPort);
    expect(remoter?.connected).toBe(true);
    expect(server.remoters.get(remoter!.id)).toBe(remoter);
    expect(remoter?.key).toBe(`127.0.0.1:${peer.socket.localPort}`);
    expect(remoter?.remotePort).toBe(peer.socket.localPort);
  });

  it("refuses connections past maxConnections by closing them at once", async () => {
    const server = await openServer({ maxConnections: 2 });
    const doist = cleanup.doist([new ServerDoer({ server })]);
    connect(server.port);
    connect(server.port);
    await runUntil(doist, () => server.remoters.size === 2, "two accepted");
    const third = connect(server.port);
    await runUntil(doist, () => third.ended || third.closed, "the third sees its connection end");
    expect(server.refused).toBe(1);
    expect(server.remoters.size).toBe(2);
  });

  it("does not count a connection that closed since the last pass against maxConnections", async () => {
    // The next client may arrive before the pass that hands the closed
    // remoter over (e.g. right after a handler's end was logged): its slot is free.
    const server = await openServer({ maxConnections: 1 });
    const doist = cleanup.doist([new ServerDoer({ server })]);
    connect(server.port);
    await runUntil(doist, () => server.remoters.size === 1, "the first accepted");
    const first = [...server.remoters.values()][0]!;
    first.close(); // no pass runs from here on
    const second = connect(server.port);
    await waitUntil(() => server.accepted === 2 || server.refused > 0 || second.closed, "the second accepted or refused");
    expect(server.refused).toBe(0);
    expect(server.accepted).toBe(2);
    expect([...server.remoters.values()].map((remoter) => remoter.alive)).toEqual([true]);
    await runUntil(doist, () => !second.closed && server.remoters.size === 1, "a pass ran");
    expect(second.closed).toBe(false);
  });

  it("closes a connection silent for idleTimeout and keeps one whose traffic refreshes it", async () => {
    const server = await openServer({ idleTimeout: 0.5 });
    const doist = cleanup.doist([new EchoServerDoer({ server })]);
    const silent = connect(server.port);
    const chatty = connect(server.port);
    await runUntil(doist, () => server.remoters.size === 2, "two accepted");
    const chattyRemoter = byPeerPort(server, chatty.socket.localPort)!;
    const silentRemoter = byPeerPort(server, silent.socket.localPort)!;
    let next = doist.tyme + 0.25;
    await runUntil(
      doist,
      () => {
        if (doist.tyme >= next) {
          chatty.socket.write("x");
          next = doist.tyme + 0.25;
        }
        return silent.ended;
      },
      "the silent one is closed",
    );
    expect(silentRemoter.error).toBeInstanceOf(IdleTimeoutError);
    expect(server.remoters.has(chattyRemoter.id)).toBe(true);
    expect(chattyRemoter.connected).toBe(true);
  });

  it("serves 500 concurrent clients", async () => {
    const server = await openServer({ backlog: 1024, bufferSize: 1024 });
    const doist = cleanup.doist([new EchoServerDoer({ server })]);
    const clients = Array.from({ length: 500 }, (_, index) => {
      const peer = connect(server.port);
      peer.socket.end(`client ${index}\n`);
      return peer;
    });
    await runUntil(doist, () => clients.every((peer) => peer.closed), "500 echoes", 30_000);
    clients.forEach((peer, index) => expect(peer.text()).toBe(`client ${index}\n`));
    await runUntil(doist, () => server.remoters.size === 0, "all removed");
    expect(server.accepted).toBe(500);
  });

  it("leaks no connection over 2000 connect/close cycles (fewer when fewer ephemeral ports are free)", async () => {
    // Each cycle leaves a client port in TIME_WAIT for a minute: size the run by the free ports.
    const free = freeEphemeralPorts() ?? 4000;
    const cycles = Math.min(2000, Math.floor(free / 2 / 50) * 50);
    if (cycles < 200) throw new Error(`this test needs at least 400 free ephemeral ports (net.ipv4.ip_local_port_range); ${free} are free`);
    const server = await openServer({ backlog: 1024, bufferSize: 256 });
    const doist = cleanup.doist([new EchoServerDoer({ server })]);
    let closed = 0;
    for (let batch = 0; batch < cycles / 50; batch++) {
      const sockets = Array.from({ length: 50 }, () => {
        const socket = net.connect({ port: server.port, host: "127.0.0.1" });
        socket.on("connect", () => socket.end());
        socket.on("error", () => {});
        socket.on("close", () => closed++);
        socket.resume();
        return socket;
      });
      await runUntil(doist, () => sockets.every((socket) => socket.destroyed), `batch ${batch}`);
    }
    await runUntil(doist, () => server.remoters.size === 0 && closed === cycles, "all removed and closed");
    expect(server.accepted).toBe(cycles);
    expect(server.pendingRemoters.size).toBe(0);
  });

  it("closes idempotently, closing every connection", async () => {
    const server = await openServer();
    const doist = cleanup.doist([new ServerDoer({ server })]);
    const peer = connect(server.port);
    await runUntil(doist, () => server.remoters.size === 1, "accept");
    server.close();
    server.close();
    expect(server.state).toBe("closed");
    expect(server.remoters.size).toBe(0);
    await runUntil(doist, () => peer.ended, "the peer sees the end");
  });

  it.each([
    [{ port: -1 }, RangeError, /^port/],
    [{ port: "80" as unknown as number }, TypeError, /^port/],
    [{ maxConnections: 0 }, RangeError, /^maxConnections/],
    [{ idleTimeout: -2 }, RangeError, /^idleTimeout/],
  ])("rejects bad options %#", (options, type, message) => {
    expect(() => new Server(options)).toThrow(type);
    expect(() => new Server(options)).toThrow(message);
  });
});
