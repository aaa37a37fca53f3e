import { readdirSync } from "node:fs";
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { AbortError } from "../../src/core/index.js";
import { Client, Server } from "../../src/tcp/index.js";
import { Peer } from "../../src/udp/index.js";
import { Cleanup, rawServer, waitUntil } from "../helpers/tcp-harness.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

function openFds(): number {
  return readdirSync("/proc/self/fd").length;
}

/** A port nobody listens on (bound, then released). */
async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe("disposal (using / await using)", () => {
  it("closes a connected Client at the end of a using block, and await using releases its socket", async () => {
    const server = cleanup.add(await rawServer((socket) => socket.on("end", () => socket.end())), (s) => s.close());
    const before = openFds();
    let outer: Client | undefined;
    {
      await using client = new Client({ port: server.port });
      outer = client;
      await client.open();
      expect(client.state).toBe("open");
      expect(openFds()).toBeGreaterThan(before);
    }
    expect(outer.state).toBe("closed");
    expect(outer.alive).toBe(false);
    // The server's side (same process) closes on the client's FIN.
    await waitUntil(() => server.sockets.every((socket) => socket.closed), "the server's side closed");
    expect(openFds()).toBe(before);
    let sync: Client | undefined;
    {
      using client = new Client({ port: server.port });
      sync = client;
      await client.open();
    }
    expect(sync.state).toBe("closed");
    await waitUntil(() => openFds() === before, "the socket released");
  });

  it("closes a Server, its listener and every Remoter with await using", async () => {
    const before = openFds();
    let outer: Server | undefined;
    const peers: net.Socket[] = [];
    {
      await using server = new Server({ port: 0 });
      outer = server;
      await server.open();
      for (let index = 0; index < 3; index++) {
        const socket = net.connect(server.port, "127.0.0.1");
        socket.on("error", () => {});
        peers.push(cleanup.add(socket, (s) => s.destroy()));
      }
      await waitUntil(() => {
        server.service();
        return server.remoters.size === 3;
      }, "three accepted");
    }
    expect(outer.state).toBe("closed");
    expect(outer.remoters.size).toBe(0);
    for (const socket of peers) socket.destroy();
    await waitUntil(() => peers.every((socket) => socket.closed), "peer sockets closed");
    expect(openFds()).toBe(before);
    // The port is free again: the listener was released.
    const again = cleanup.add(new Server({ port: outer.port }), (s) => s.close());
    await again.open();
  });

  it("closes a Peer with using and await using", async () => {
    const before = openFds();
    let outer: Peer | undefined;
    {
      await using peer = new Peer({ port: 0 });
      outer = peer;
      await peer.open();
      expect(peer.state).toBe("open");
    }
    expect(outer.state).toBe("closed");
    {
      using peer = new Peer({ port: 0 });
      outer = peer;
      await peer.open();
    }
    expect(outer.state).toBe("closed");
    await waitUntil(() => openFds() === before, "the datagram sockets released");
  });
});

describe("open({ signal })", () => {
  it("aborts a Client still connecting: open() rejects with AbortError naming it, the client is closed", async () => {
    const port = await freePort();
    const before = openFds();
    const client = cleanup.add(new Client({ port, reconnectable: true, tymeout: 0.01 }), (c) => c.close());
    const reason = new Error("caller gave up");
    const controller = new AbortController();
    const opening = client.open({ signal: controller.signal });
    setTimeout(() => controller.abort(reason), 20);
    const error = await opening.then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).cause).toBe(reason);
    expect((error as Error).message).toContain(`client 127.0.0.1:${port} open aborted`);
    expect(client.state).toBe("closed");
    expect(client.maySend).toBe(false);
    await waitUntil(() => openFds() === before, "the socket released");
  });

  it("rejects at once for an aborted signal and leaves the Client closed", async () => {
    const server = cleanup.add(await rawServer(), (s) => s.close());
    const client = cleanup.add(new Client({ port: server.port }), (c) => c.close());
    await expect(client.open({ signal: AbortSignal.abort("no") })).rejects.toBeInstanceOf(AbortError);
    expect(client.state).toBe("closed");
    expect(client.attempts).toBe(0);
  });

  it("resolves as usual when the Client connects before AbortSignal.timeout fires", async () => {
    const server = cleanup.add(await rawServer(), (s) => s.close());
    const client = cleanup.add(new Client({ port: server.port }), (c) => c.close());
    await client.open({ signal: AbortSignal.timeout(5_000) });
    expect(client.state).toBe("open");
  });

  it("aborts a Server's open and closes its listener", async () => {
    const before = openFds();
    const server = cleanup.add(new Server({ port: 0 }), (s) => s.close());
    const controller = new AbortController();
    const opening = server.open({ signal: controller.signal });
    controller.abort();
    await expect(opening).rejects.toBeInstanceOf(AbortError);
    expect(server.state).toBe("closed");
    await waitUntil(() => openFds() === before, "the listener released");
    await expect(server.open({ signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
    expect(server.state).toBe("closed");
    await server.open({ signal: AbortSignal.timeout(5_000) });
    expect(server.state).toBe("open");
  });

  it("aborts a Peer's open and closes it", async () => {
    const before = openFds();
    const peer = cleanup.add(new Peer({ port: 0 }), (p) => p.close());
    const controller = new AbortController();
    const opening = peer.open({ signal: controller.signal });
    controller.abort();
    await expect(opening).rejects.toBeInstanceOf(AbortError);
    expect(peer.state).toBe("closed");
    await waitUntil(() => openFds() === before, "the socket released");
    await peer.open({ signal: AbortSignal.timeout(5_000) });
    expect(peer.state).toBe("open");
  });

  it("rejects a signal that is not an AbortSignal with a TypeError naming the option", () => {
    const client = cleanup.add(new Client({ port: 1 }), (c) => c.close());
    expect(() => client.open({ signal: "soon" as unknown as AbortSignal })).toThrow(/signal must be an AbortSignal/);
    const server = cleanup.add(new Server({ port: 0 }), (s) => s.close());
    expect(() => server.open({ signal: 5 as unknown as AbortSignal })).toThrow(TypeError);
    const peer = cleanup.add(new Peer({ port: 0 }), (p) => p.close());
    expect(() => peer.open({ signal: {} as unknown as AbortSignal })).toThrow(TypeError);
  });
});
