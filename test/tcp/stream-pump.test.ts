/**
 * The pump seam between a socket and a handle's rings (StreamPump, composed
 * by Client and Remoter): every socket gets the same few shared listener
 * functions (no closures per connection), a socket replaced by a reconnect
 * cannot touch the new connection with a late event, and a peer's FIN ends
 * `rxbs` in the service pass, not inside the socket's event callback.
 */
import type { EventEmitter } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { readAvailable, writeAll } from "../../src/io/index.js";
import { Client, ClientDoer, type ConnectionHandler, Server, ServerDoer, type StreamSocket } from "../../src/tcp/index.js";
import { bytes, Cleanup, rawClient, rawServer, recordingDriver, runUntil, text } from "../helpers/tcp-harness.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const echo: ConnectionHandler = function* (remoter) {
  for (;;) yield* writeAll(remoter.txbs, yield* readAvailable(remoter.rxbs));
};

/** The events a pump listens for on every socket. */
const EVENTS = ["data", "end", "drain", "error", "close"] as const;

/** Listener counts per event, e.g. `{ data: 1, end: 2, ... }` (Node adds its own `end` listener). */
function counts(socket: StreamSocket): Record<string, number> {
  const emitter = socket as unknown as EventEmitter;
  return Object.fromEntries(emitter.eventNames().map((name) => [String(name), emitter.listenerCount(name)]));
}

function listeners(socket: StreamSocket, event: string): unknown[] {
  return (socket as unknown as EventEmitter).listeners(event);
}

describe("StreamPump: shared listeners", () => {
  it("gives two accepted sockets the same listener functions, a fixed few, also after traffic", async () => {
    const { driver, accepted } = recordingDriver();
    const server = cleanup.add(new Server({ port: 0, driver }), (s) => s.close());
    await server.open();
    const doist = cleanup.doist([new ServerDoer({ server, handler: echo })]);
    const first = cleanup.add(rawClient(server.port), (c) => c.socket.destroy());
    const second = cleanup.add(rawClient(server.port), (c) => c.socket.destroy());
    await runUntil(doist, () => server.remoters.size === 2 && accepted.length === 2, "two remoters");
    const [a, b] = accepted as [StreamSocket, StreamSocket];
    const before = counts(a);
    expect(counts(b)).toEqual(before);
    for (const event of EVENTS) {
      const ours = listeners(a, event);
      expect(ours.length, event).toBeGreaterThan(0);
      expect(ours.length, event).toBeLessThanOrEqual(2); // ours, and Node's own `end` listener
      // The very same function objects on both sockets: nothing made per connection.
      expect(listeners(b, event), event).toEqual(ours);
      for (let index = 0; index < ours.length; index++) expect(listeners(b, event)[index], event).toBe(ours[index]);
    }
    // Traffic (the first write makes the pump's one write callback) adds no listener.
    first.socket.write("one\n");
    second.socket.write("two\n");
    await runUntil(doist, () => first.text() === "one\n" && second.text() === "two\n", "both echoes");
    expect(counts(a)).toEqual(before);
    expect(counts(b)).toEqual(before);
  });

  it("gives a client's sockets the same listener functions as another client's, across a reconnect", async () => {
    const peer = cleanup.add(await rawServer(), (s) => s.close());
    const { driver, connected } = recordingDriver();
    const one = cleanup.add(new Client({ port: peer.port, driver, reconnectable: true, tymeout: 0.05 }), (c) => c.close());
    const two = cleanup.add(new Client({ port: peer.port, driver }), (c) => c.close());
    const doist = cleanup.doist([new ClientDoer({ client: one }), new ClientDoer({ client: two })]);
    await runUntil(doist, () => one.connected && two.connected && peer.sockets.length === 2, "both connected");
    const [a, b] = connected as [StreamSocket, StreamSocket];
    for (const event of EVENTS) {
      const ours = listeners(a, event);
      expect(ours.length, event).toBeGreaterThan(0);
      for (let index = 0; index < ours.length; index++) expect(listeners(b, event)[index], event).toBe(ours[index]);
    }
    // The peer drops the first client: it reconnects on a new socket with the same listeners.
    const dropped = peer.sockets.find((socket) => socket.remotePort === one.localPort)!;
    dropped.destroy();
    await runUntil(doist, () => connected.length === 3 && one.connected, "reconnected");
    const c = connected[2]!;
    for (const event of EVENTS) {
      const ours = listeners(a, event);
      for (let index = 0; index < ours.length; index++) expect(listeners(c, event)[index], event).toBe(ours[index]);
    }
  });
});

describe("StreamPump: a replaced socket", () => {
  it("lets no late event of the old socket touch the client's new connection", async () => {
    const peer = cleanup.add(await rawServer((socket) => socket.on("data", (chunk: Buffer) => socket.write(chunk))), (s) => s.close());
    const { driver, connected } = recordingDriver();
    const client = cleanup.add(new Client({ port: peer.port, driver, reconnectable: true, tymeout: 0.05 }), (c) => c.close());
    const doist = cleanup.doist([new ClientDoer({ client })]);
    await runUntil(doist, () => client.connected, "connected");
    peer.sockets[0]!.destroy();
    await runUntil(doist, () => connected.length === 2 && client.connected, "reconnected");
    const old = connected[0] as unknown as EventEmitter;
    const stateChanges: string[] = [];
    const sentBefore = client.sentBytes;
    // Every event the pump listens for, late, from the socket it replaced.
    old.emit("data", Buffer.from("stale"));
    old.emit("end");
    old.emit("drain");
    old.emit("connect");
    old.emit("error", Object.assign(new Error("late reset"), { code: "ECONNRESET" }));
    old.emit("close", true);
    stateChanges.push(client.state);
    expect(client.state).toBe("open");
    expect(client.connected).toBe(true);
    expect(client.error).toBeUndefined();
    expect(client.rxbs.length).toBe(0);
    expect(client.sentBytes).toBe(sentBefore);
    // The new connection still carries bytes both ways, and nothing stale.
    client.txbs.write(bytes("fresh"));
    await runUntil(doist, () => client.rxbs.length >= 5, "echo on the new connection");
    expect(text(client.rxbs.read(client.rxbs.length))).toBe("fresh");
    expect(client.state).toBe("open");
    expect(stateChanges).toEqual(["open"]);
  });
});

describe("StreamPump: the peer's FIN", () => {
  it("ends rxbs in the server's service pass, not inside the socket's end event", async () => {
    const { driver, accepted } = recordingDriver();
    const server = cleanup.add(new Server({ port: 0, driver }), (s) => s.close());
    await server.open();
    const doist = cleanup.doist([new ServerDoer({ server, handler: echo })]);
    const peer = cleanup.add(rawClient(server.port), (c) => c.socket.destroy());
    await runUntil(doist, () => server.remoters.size === 1 && accepted.length === 1, "accepted");
    const [remoter] = [...server.remoters.values()];
    let atEvent: { ended: boolean; cutoff: boolean; mayReceive: boolean } | undefined;
    // Registered after the pump's own listener, so it sees what the pump did.
    (accepted[0] as unknown as EventEmitter).on("end", () => {
      atEvent = { ended: remoter!.rxbs.ended, cutoff: remoter!.cutoff, mayReceive: remoter!.mayReceive };
    });
    peer.socket.end();
    await runUntil(doist, () => atEvent !== undefined, "the end event");
    // Cut off at once (no more bytes may arrive), but the reader is woken by the server's pass.
    expect(atEvent).toEqual({ ended: false, cutoff: true, mayReceive: false });
    await runUntil(doist, () => peer.ended && peer.closed, "the handler ended, the server flushed and closed");
    expect(remoter!.rxbs.ended).toBe(true);
    expect(server.remoters.size).toBe(0);
  });
});
