import { afterEach, describe, expect, it } from "vitest";
import { Doist } from "../../src/core/index.js";
import {
  decodeMemoSegment,
  Memoer,
  MemoTooLargeError,
  Peer,
  PeerDoer,
  readMemo,
  writeMemo,
  UdpTimeoutError,
  type Memo,
  type MemoerOptions,
  type PeerOptions,
  type UdpAddress,
} from "../../src/udp/index.js";
import { Cleanup, nextTurn, seededRandom, stepUntil } from "../helpers/udp-harness.js";
import { MemoryNetwork } from "../helpers/udp-memory-net.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const message = (length: number, salt = 0) => new Uint8Array(length).map((_, index) => (index * 29 + salt * 7 + (index >> 8)) & 0xff);

function peer(options: PeerOptions = {}): Peer {
  return cleanup.add(new Peer({ host: "127.0.0.1", ...options }), (it) => it.close());
}

function handDoist(doers: PeerDoer[], tock = 0.125): Doist {
  const doist = new Doist({ tock, doers });
  cleanup.add(doist, (it) => it.exit());
  doist.enter();
  return doist;
}

/** A receiver PeerDoer that collects every memo it reads. */
function collector(receiver: Memoer, into: Memo[]): PeerDoer {
  return new PeerDoer({
    peer: receiver.peer,
    memoer: receiver,
    handler: function* collect() {
      for (;;) into.push(yield* readMemo(receiver));
    },
  });
}

describe("Memoer over loopback", () => {
  it.each([
    ["IPv4", "127.0.0.1", 100_000],
    ["IPv6", "::1", 30_000],
  ])("carries a memo larger than a datagram between two PeerDoers over %s", async (_family, host, length) => {
    const receiver = new Memoer({ peer: peer({ host, bufferSize: 1 << 20 }) });
    const sender = new Memoer({ peer: peer({ host }) });
    await receiver.peer.open();
    const original = message(length);
    const received: Memo[] = [];
    const to: UdpAddress = { host, port: receiver.peer.port };
    const send = new PeerDoer({
      peer: sender.peer,
      handler: function* send() {
        yield* writeMemo(sender, original, to);
      },
    });
    const doist = handDoist([collector(receiver, received), send]);
    await stepUntil(doist, () => received.length === 1, `the memo (reassembler ${JSON.stringify(receiver.reassembler.counters)})`);
    expect(received[0]!.data).toEqual(original);
    expect(received[0]!.from).toEqual({ host, port: sender.peer.port });
    expect(sender.segmentsFor(length)).toBeGreaterThan(1);
    expect(receiver.reassembler.counters).toMatchObject({ completed: 1, malformed: 0, duplicates: 0 });
  });
});

describe("large memos with default socket buffers (issue 13 item 3)", () => {
  async function run(pacing: Partial<MemoerOptions>) {
    const receiver = new Memoer({ peer: peer(), timeout: 0.5 }); // default kernel buffers (212 992 bytes here)
    const sender = new Memoer({ peer: peer({ maxSendCount: 4096, maxSendBytes: 4 << 20 }), ...pacing });
    await Promise.all([receiver.peer.open(), sender.peer.open()]);
    const original = message(200_000);
    const received: Memo[] = [];
    const to: UdpAddress = { host: "127.0.0.1", port: receiver.peer.port };
    const send = new PeerDoer({
      peer: sender.peer,
      handler: function* send() {
        yield* writeMemo(sender, original, to);
      },
    });
    const receive = new PeerDoer({
      peer: receiver.peer,
      memoer: receiver,
      handler: function* receive() {
        try {
          received.push(yield* readMemo(receiver, { timeout: 1 }));
        } catch (error) {
          if (!(error instanceof UdpTimeoutError)) throw error;
        }
      },
    });
    const doist = cleanup.add(new Doist({ tock: 0.01, real: true, limit: 5, signals: false }), (it) => it.exit());
    await doist.do({ doers: [receive, send] });
    return { original, received, receiver, sender };
  }

  it("a 200 KB memo arrives over loopback when paced (the default)", async () => {
    const { original, received, receiver, sender } = await run({});
    expect(received.map((memo) => memo.data)).toEqual([original]);
    expect(sender.counters).toMatchObject({ sent: 1, handed: 1, unsent: 0 });
    expect(receiver.reassembler.counters).toMatchObject({ completed: 1, expired: 0 });
  });

  it("unpaced, the same memo overflows the receiver's buffer, and the receiver counts it expired", async () => {
    const { received, receiver, sender } = await run({ sendRate: Number.POSITIVE_INFINITY, sendBurst: 1 << 30 });
    expect(sender.counters).toMatchObject({ sent: 1, handed: 1 });
    expect(received).toEqual([]);
    expect(receiver.reassembler.counters).toMatchObject({ completed: 0, expired: 1 });
    expect(receiver.reassembler.counters.accepted).toBeLessThan(sender.segmentsFor(200_000));
  });

  it("counts a memo given up because the peer closed before all its grams were handed over", async () => {
    const sender = new Memoer({ peer: peer(), sendRate: 1000, sendBurst: 1 });
    await sender.peer.open();
    expect(sender.send(message(10_000), { host: "127.0.0.1", port: 9 })).toBe(true);
    expect(sender.queuedMemos).toBe(1);
    sender.peer.close();
    sender.service(1);
    expect(sender.counters).toMatchObject({ sent: 1, handed: 0, unsent: 1, unsentGrams: sender.segmentsFor(10_000) - 1 });
    expect([sender.queuedMemos, sender.queuedBytes]).toEqual([0, 0]);
  });
});

describe("Memoer under a lossy network shim", () => {
  it.each([11, 23, 47])("delivers exactly the memos whose segments all arrived, intact, with seed %i (drop, duplicate, reorder)", async (seed) => {
    const network = new MemoryNetwork({ seed, drop: 0.04, duplicate: 0.15, reorder: true });
    const receiver = new Memoer({ peer: peer({ host: "10.0.0.2", driver: network }), timeout: 1, segmentSize: 512, format: "hio-ts-v1" });
    const sender = new Memoer({ peer: peer({ host: "10.0.0.1", driver: network }), segmentSize: 512, firstMessageId: 1000, format: "hio-ts-v1" });
    const received: Memo[] = [];
    const doist = handDoist([collector(receiver, received), new PeerDoer({ peer: sender.peer })], 0.25);
    await stepUntil(doist, () => receiver.peer.opened && sender.peer.opened, "both peers to bind");
    const random = seededRandom(seed);
    const originals = new Map<string, Uint8Array>();
    for (let index = 0; index < 30; index++) {
      const original = message(Math.floor(random() * 5000), index);
      originals.set(String(1000 + index), original);
      expect(sender.send(original, { host: "10.0.0.2", port: receiver.peer.port })).toBe(true);
    }
    doist.recur(); // the service doer hands every segment to the network
    await nextTurn(); // send completions
    const deliveredAt = doist.tyme;
    network.flush();
    while (doist.tyme < deliveredAt + 2) {
      doist.recur();
      await nextTurn();
    }
    // What the shim let through decides which memos can complete.
    const arrived = new Map<string, Set<number>>();
    const counts = new Map<string, number>();
    for (const packet of network.delivered) {
      const segment = decodeMemoSegment(packet.data)!;
      const id = String(segment.messageId);
      counts.set(id, segment.count);
      arrived.set(id, (arrived.get(id) ?? new Set()).add(segment.index));
    }
    const whole = [...originals.keys()].filter((id) => arrived.get(id)?.size === counts.get(id));
    const partial = [...arrived.keys()].filter((id) => !whole.includes(id));
    const unique = [...arrived.values()].reduce((sum, indices) => sum + indices.size, 0);
    expect(network.dropped.length).toBeGreaterThan(0);
    expect(network.delivered.length).toBeGreaterThan(unique); // the shim did duplicate
    expect(received.map((memo) => memo.messageId).sort()).toEqual(whole.sort());
    for (const memo of received) expect(memo.data).toEqual(originals.get(memo.messageId));
    expect(receiver.reassembler.counters).toMatchObject({
      completed: whole.length,
      expired: partial.length,
      duplicates: network.delivered.length - unique,
      malformed: 0,
      accepted: unique,
    });
    expect([receiver.reassembler.pending, receiver.reassembler.bytes]).toEqual([0, 0]);
  });

  it("expires an incomplete memo on time through a PeerDoer's memoer, with no reader", async () => {
    const network = new MemoryNetwork({ seed: 1 });
    const receiver = new Memoer({ peer: peer({ host: "10.0.0.2", driver: network }), timeout: 1, segmentSize: 100 });
    const sender = new Memoer({ peer: peer({ host: "10.0.0.1", driver: network }), segmentSize: 100 });
    const doist = handDoist([new PeerDoer({ peer: receiver.peer, memoer: receiver }), new PeerDoer({ peer: sender.peer })], 0.25);
    await stepUntil(doist, () => receiver.peer.opened && sender.peer.opened, "both peers to bind");
    sender.send(message(150), { host: "10.0.0.2", port: receiver.peer.port });
    doist.recur();
    await nextTurn();
    network.inFlight.pop(); // lose the second segment
    const arrivedAt = doist.tyme;
    network.flush();
    let expiredAt: number | undefined;
    while (expiredAt === undefined && doist.tyme <= arrivedAt + 3) {
      const passTyme = doist.tyme;
      doist.recur();
      if (receiver.reassembler.counters.expired === 1) expiredAt = passTyme;
      await nextTurn();
    }
    expect(expiredAt).toBe(arrivedAt + 1);
    expect(receiver.reassembler.bytes).toBe(0);
  });
});

describe("Memoer send", () => {
  it("queues every gram or none: false when maxQueuedBytes lacks room for all", async () => {
    const memoer = new Memoer({ peer: peer({ maxSendCount: 1 }), segmentSize: 100, maxQueuedBytes: 500 });
    await memoer.peer.open();
    const to = { host: "127.0.0.1", port: 9 };
    // hio text grams of 100 bytes carry 68 body bytes after the 32-byte header.
    expect(memoer.send(message(200), to)).toBe(true); // 3 grams, 296 bytes: 1 handed to the peer, 196 wait
    expect(memoer.queuedBytes).toBe(196);
    expect(memoer.send(message(250), to)).toBe(false); // 4 grams, 378 bytes more would pass 500
    expect(memoer.queuedMemos).toBe(1);
    expect(memoer.send(message(150), to)).toBe(true); // 3 grams, 246 bytes
    expect(memoer.queuedMemos).toBe(2);
  });

  it("throws MemoTooLargeError for a memo maxQueuedBytes could never hold, naming the peer", async () => {
    const memoer = new Memoer({ peer: peer(), segmentSize: 100, maxQueuedBytes: 600 });
    await memoer.peer.open();
    const call = () => memoer.send(message(500), { host: "127.0.0.1", port: 9 });
    expect(call).toThrow(MemoTooLargeError);
    expect(call).toThrow(`udp peer 127.0.0.1:${memoer.peer.port}: memo of 500 bytes to 127.0.0.1:9 is too large: 8 grams`);
  });

  it("throws MemoTooLargeError for a memo over maxMemoSize", async () => {
    const memoer = new Memoer({ peer: peer(), maxMemoSize: 1000 });
    await memoer.peer.open();
    expect(() => memoer.send(message(1001), { host: "127.0.0.1", port: 9 })).toThrow(MemoTooLargeError);
  });

  it("rejects a segmentSize over the peer's datagram limit with a RangeError naming it", () => {
    expect(() => new Memoer({ peer: peer({ maxDatagramSize: 1000 }), segmentSize: 1001 })).toThrow(/^segmentSize must be a whole number in 33\.\.1000/);
  });
});
