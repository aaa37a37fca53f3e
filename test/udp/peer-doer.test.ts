import { readdirSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Doist, WAIT } from "../../src/core/index.js";
import {
  Memoer,
  Peer,
  PeerDoer,
  readDatagram,
  UdpOpenError,
  UdpStateError,
  UdpTimeoutError,
  UdpHandlerError,
  writeDatagram,
  writeMemo,
  readMemo,
  type PeerHandler,
  type PeerOptions,
} from "../../src/udp/index.js";
import type { Handle } from "../../src/io/handle.js";
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

describe("PeerDoer handler errors (issue 15)", () => {
  const boom = function* boom(): Generator<number | undefined, void, number> {
    yield 0;
    throw new RangeError("bad datagram");
  };

  it("prints a handler's error, naming the peer, with its stack to stderr when there is no onError; the PeerDoer ends", async () => {
    const server = peer();
    const printed: string[] = [];
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
    cleanup.add(spy, (it) => it.mockRestore());
    const doer = new PeerDoer({ peer: server, handler: boom });
    const doist = new Doist({ tock: 0.01, real: true, limit: 2, signals: false });
    expect(await doist.do({ doers: [doer] })).toBe(true);
    spy.mockRestore();
    const text = printed.join("");
    expect(text).toContain(`udp peer 127.0.0.1:`);
    expect(text).toContain("handler boom failed: RangeError: bad datagram");
    expect(text).toMatch(/at boom .*peer-doer\.test\.ts/);
    expect(doer.error).toBeInstanceOf(UdpHandlerError);
    expect(server.closed).toBe(true);
  });

  it("passes the UdpHandlerError (cause: what was thrown) to onError instead, printing nothing", async () => {
    const seen: UdpHandlerError[] = [];
    const spy = vi.spyOn(process.stderr, "write");
    cleanup.add(spy, (it) => it.mockRestore());
    const doer = new PeerDoer({ peer: peer(), handler: boom, onError: (error) => seen.push(error) });
    await new Doist({ tock: 0.01, real: true, limit: 2, signals: false }).do({ doers: [doer] });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.cause).toBeInstanceOf(RangeError);
    expect(seen[0]!.message).toMatch(/^udp peer 127\.0\.0\.1:\d+: handler boom failed: RangeError: bad datagram$/);
    expect(spy).not.toHaveBeenCalled();
  });
});

describe("Peer as a Handle", () => {
  it("reports state, maySend/mayReceive, due and label, and signals every state change", async () => {
    const handle: Handle = peer();
    const states: string[] = [];
    const watch = (): void => {
      states.push(handle.state);
    };
    expect([handle.state, handle.maySend, handle.mayReceive, handle.due]).toEqual(["closed", false, false, Number.POSITIVE_INFINITY]);
    let notified = 0;
    const counting = { wake: () => notified++ };
    handle.stateSignal.subscribe(counting as never);
    const opening = handle.open();
    watch();
    expect([handle.maySend, handle.mayReceive]).toEqual([true, true]);
    await opening;
    watch();
    expect(handle.label).toMatch(/^udp peer 127\.0\.0\.1:\d+$/);
    handle.close();
    watch();
    expect(states).toEqual(["opening", "open", "closed"]);
    expect([handle.maySend, handle.mayReceive, handle.error]).toEqual([false, false, undefined]);
    expect(notified).toBeGreaterThanOrEqual(1);
  });
});

describe("memo sender churn leaves nothing behind (issue 11 leak check)", () => {
  const fds = () => readdirSync("/proc/self/fd").length;

  it("200 short-lived Memoer senders: reassembler senders and memos, memoer queues and fds return to their start", async () => {
    const receiverPeer = peer();
    const receiver = new Memoer({ peer: receiverPeer, timeout: 0.5 });
    let received = 0;
    const receive = new PeerDoer({
      peer: receiverPeer,
      memoer: receiver,
      handler: function* collect() {
        for (;;) {
          yield* readMemo(receiver);
          received++;
        }
      },
    });
    const doist = handDoist([receive], 0.05);
    await stepUntil(doist, () => receiverPeer.opened, "the receiver to open");
    const startFds = fds();
    const message = new Uint8Array(5000).fill(7);
    const senders: Memoer[] = [];
    for (let round = 0; round < 20; round++) {
      const batch: PeerDoer[] = [];
      for (let index = 0; index < 10; index++) {
        const sender = new Memoer({ peer: new Peer({ host: "127.0.0.1" }) });
        senders.push(sender);
        batch.push(
          new PeerDoer({
            peer: sender.peer,
            handler: function* send() {
              yield* writeMemo(sender, message, { host: "127.0.0.1", port: receiverPeer.port });
            },
          }),
        );
      }
      doist.extend(batch);
      await stepUntil(doist, () => batch.every((doer) => doer.done === true) && received === (round + 1) * 10, `round ${round} of memos (${received})`);
    }
    expect(received).toBe(200);
    expect(senders.every((sender) => sender.peer.closed && sender.queuedMemos === 0 && sender.queuedBytes === 0 && sender.counters.handed === 1)).toBe(true);
    // Past the timeout, the receiver forgets every sender (their completed ids) too.
    const until = doist.tyme + 1;
    await stepUntil(doist, () => doist.tyme > until, "the timeout to pass");
    expect([receiver.reassembler.senders, receiver.reassembler.pending, receiver.reassembler.bytes]).toEqual([0, 0, 0]);
    expect(receiver.reassembler.counters).toMatchObject({ completed: 200, expired: 0, evicted: 0 });
    await stepUntil(doist, () => fds() <= startFds, `fds back to ${startFds} (now ${fds()})`);
    expect(fds()).toBe(startFds);
    expect(doist.deeds.length).toBe(1); // only the receiver: every sender's PeerDoer is gone
  });
});
