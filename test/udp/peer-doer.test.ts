import { afterEach, describe, expect, it } from "vitest";
import { Doist, WAIT } from "../../src/core/index.js";
import {
  Memoer,
  Peer,
  PeerDoer,
  readDatagram,
  UdpOpenError,
  UdpStateError,
  UdpTimeoutError,
  writeDatagram,
  type PeerHandler,
  type PeerOptions,
} from "../../src/udp/index.js";
import { Cleanup, stepUntil, until } from "../helpers/udp-harness.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

function peer(options: PeerOptions = {}): Peer {
  return cleanup.add(new Peer({ host: "127.0.0.1", ...options }), (it) => it.close());
}

/** A Doist stepped by hand, exited after the test. */
function handDoist(doers: PeerDoer[], tock = 0.125): Doist {
  const doist = new Doist({ tock, doers });
  cleanup.add(doist, (it) => it.exit());
  doist.enter();
  return doist;
}

const echoHandler: PeerHandler = function* echo(peer) {
  for (;;) {
    const { data, from } = yield* readDatagram(peer);
    yield* writeDatagram(peer, data, from);
  }
};

describe("PeerDoer", () => {
  it("opens the peer in enter and closes it in exit", async () => {
    const server = peer();
    const doist = handDoist([new PeerDoer({ peer: server })]);
    expect(server.opening).toBe(true);
    await stepUntil(doist, () => server.opened, "the peer to open");
    doist.exit();
    expect(server.closed).toBe(true);
  });

  it("echoes datagrams through a generator handler under a hand-stepped Doist", async () => {
    const server = peer();
    const doist = handDoist([new PeerDoer({ peer: server, handler: echoHandler })]);
    await stepUntil(doist, () => server.opened, "the server to open");
    const client = peer();
    await client.open();
    for (const word of ["one", "two", "three"]) client.send(bytes(word), { host: "127.0.0.1", port: server.port });
    client.service();
    await stepUntil(doist, () => client.receiveQueueLength === 3, "three echoes");
    expect([client.receive(), client.receive(), client.receive()].map((datagram) => text(datagram!.data))).toEqual(["one", "two", "three"]);
    expect(server.counters).toMatchObject({ received: 3, sent: 3, dropped: 0 });
  });

  it("sleeps when there is nothing to do and is woken by an arriving datagram", async () => {
    const server = peer();
    const doist = handDoist([new PeerDoer({ peer: server, handler: echoHandler })]);
    await stepUntil(doist, () => server.opened, "the server to open");
    doist.recur();
    doist.recur();
    expect(doist.deeds[0]!.retyme).toBe(WAIT);
    const client = peer();
    await client.open();
    client.send(bytes("wake up"), { host: "127.0.0.1", port: server.port });
    client.service();
    await until(() => doist.deeds[0]!.retyme !== WAIT, "the wake");
    expect(doist.deeds[0]!.retyme).toBe(doist.tyme);
    await stepUntil(doist, () => client.canReceive, "the echo");
    expect(text(client.receive()!.data)).toBe("wake up");
  });

  it("is done when its handler returns, and closes the peer", async () => {
    const server = peer();
    const doer = new PeerDoer({
      peer: server,
      handler: function* once(peer) {
        const { data, from } = yield* readDatagram(peer);
        peer.send(data, from);
      },
    });
    const doist = handDoist([doer]);
    await stepUntil(doist, () => server.opened, "the server to open");
    const client = peer();
    await client.open();
    client.send(bytes("last"), { host: "127.0.0.1", port: server.port });
    client.service();
    await stepUntil(doist, () => doer.done === true, "the handler to return");
    expect(server.closed).toBe(true);
    expect(doist.deeds).toEqual([]);
    await until(() => client.canReceive, "the reply sent before the end");
    expect(text(client.receive()!.data)).toBe("last");
  });

  it("delivers what a handler sent just before returning, even before the peer was bound", async () => {
    const client = peer();
    await client.open();
    const server = peer();
    const doer = new PeerDoer({
      peer: server,
      handler: function* fireAndForget(peer) {
        peer.send(bytes("parting shot"), { host: "127.0.0.1", port: client.port });
      },
    });
    const doist = handDoist([doer]);
    expect(server.opening).toBe(true);
    await stepUntil(doist, () => doer.done === true, "the PeerDoer to end");
    expect(server.closed).toBe(true);
    await until(() => client.canReceive, "the parting datagram");
    expect(text(client.receive()!.data)).toBe("parting shot");
    expect(server.counters.discarded).toBe(0);
  });

  it("ends without a handler when the peer is closed by someone else", async () => {
    const server = peer();
    const doer = new PeerDoer({ peer: server });
    const doist = handDoist([doer]);
    await stepUntil(doist, () => server.opened, "the server to open");
    server.close();
    await stepUntil(doist, () => doer.done === true, "the PeerDoer to end");
    expect(doist.deeds).toEqual([]);
  });

  it("makes Doist.do() reject with the UdpOpenError of a failed open", async () => {
    const taken = peer();
    await taken.open();
    const doist = new Doist({ tock: 0.125, limit: 100, doers: [new PeerDoer({ peer: peer({ port: taken.port }), handler: echoHandler })] });
    await expect(doist.do()).rejects.toThrow(UdpOpenError);
  });

  it("lets readDatagram time out at the deadline in tyme with UdpTimeoutError", async () => {
    const server = peer();
    let failure: unknown;
    let failedAt: number | undefined;
    const doist = handDoist([
      new PeerDoer({
        peer: server,
        handler: function* waiting(peer) {
          try {
            yield* readDatagram(peer, { timeout: 0.5 });
          } catch (error) {
            failure = error;
            failedAt = doist.tyme;
          }
        },
      }),
    ]);
    await stepUntil(doist, () => failure !== undefined, "the timeout");
    expect(failure).toBeInstanceOf(UdpTimeoutError);
    expect((failure as Error).message).toBe(`udp peer 127.0.0.1:${server.port}: no datagram within 0.5 s`);
    expect(failedAt).toBe(0.5);
  });

  it("lets readDatagram fail with UdpStateError when the peer closes under it", async () => {
    const server = peer();
    let failure: unknown;
    const doist = handDoist([
      new PeerDoer({
        peer: server,
        handler: function* waiting(peer) {
          try {
            yield* readDatagram(peer);
          } catch (error) {
            failure = error;
          }
        },
      }),
    ]);
    await stepUntil(doist, () => server.opened, "the server to open");
    doist.recur();
    server.close();
    await stepUntil(doist, () => failure !== undefined, "the failure");
    expect(failure).toBeInstanceOf(UdpStateError);
  });

  it("makes writeDatagram wait for room in a full send queue instead of failing", async () => {
    const client = peer();
    await client.open();
    const server = peer({ maxSendCount: 1 });
    const doer = new PeerDoer({
      peer: server,
      handler: function* burst(peer) {
        for (const word of ["a", "b", "c", "d"]) yield* writeDatagram(peer, bytes(word), { host: "127.0.0.1", port: client.port });
      },
    });
    const doist = handDoist([doer]);
    await stepUntil(doist, () => client.receiveQueueLength === 4, "four datagrams");
    expect([1, 2, 3, 4].map(() => text(client.receive()!.data))).toEqual(["a", "b", "c", "d"]);
    expect(server.counters.discarded).toBe(0);
  });

  it("wakes a real-time Doist at once: a round trip completes within the first tick", async () => {
    const server = peer();
    const client = peer();
    await Promise.all([server.open(), client.open()]); // PeerDoer keeps an open peer as it is
    let repliedAt: number | undefined;
    const echoOnce = new PeerDoer({
      peer: server,
      handler: function* echoOnce(peer) {
        const { data, from } = yield* readDatagram(peer);
        peer.send(data, from);
      },
    });
    const doist = new Doist({ tock: 0.5, real: true, limit: 10, signals: false });
    const ask = new PeerDoer({
      peer: client,
      handler: function* ask(peer) {
        peer.send(bytes("ping"), { host: "127.0.0.1", port: server.port });
        yield* readDatagram(peer);
        repliedAt = doist.tyme;
      },
    });
    const done = await doist.do({ doers: [echoOnce, ask] });
    expect(done).toBe(true);
    expect(repliedAt).toBe(0);
  });

  it("rejects a missing peer, a handler that is not a function and another peer's memoer with TypeError", () => {
    expect(() => new PeerDoer({} as { peer: Peer })).toThrow(/^peer must be a Peer/);
    expect(() => new PeerDoer({ peer: peer(), handler: 5 as unknown as PeerHandler })).toThrow(/^handler must be a generator function/);
    expect(() => new PeerDoer({ peer: peer(), memoer: new Memoer({ peer: peer() }) })).toThrow(/^memoer must be a Memoer over the same peer/);
  });
});
