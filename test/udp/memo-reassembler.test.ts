import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeMemoSegment, encodeMemo, MemoReassembler, type Memo, type MemoReassemblerOptions, type UdpAddress } from "../../src/udp/index.js";

const alice: UdpAddress = { host: "127.0.0.1", port: 5001 };
const bob: UdpAddress = { host: "127.0.0.1", port: 5002 };
const message = (length: number, salt = 0) => new Uint8Array(length).map((_, index) => (index * 13 + salt) & 0xff);

/** These tests use the hio-ts-v1 segments, whose header states the whole length (so a first segment can claim a huge memo). */
const v1 = (options: MemoReassemblerOptions = {}) => new MemoReassembler({ format: "hio-ts-v1", ...options });

function feed(reassembler: MemoReassembler, segments: Uint8Array[], from: UdpAddress, tyme = 0): Memo[] {
  const memos: Memo[] = [];
  for (const segment of segments) {
    const memo = reassembler.push(segment, from, tyme);
    if (memo !== undefined) memos.push(memo);
  }
  return memos;
}

function sumOfOutcomes(reassembler: MemoReassembler): number {
  const { accepted, duplicates, malformed, overLimit, unsigned, badSignature, unknownVerifier } = reassembler.counters;
  return accepted + duplicates + malformed + overLimit + unsigned + badSignature + unknownVerifier;
}

describe("MemoReassembler", () => {
  it("reassembles segments given in order", () => {
    const reassembler = v1();
    const original = message(5000);
    const memos = feed(reassembler, encodeMemo(original, 1, 1000), alice);
    expect(memos).toHaveLength(1);
    expect(memos[0]).toMatchObject({ from: alice, messageId: "1" });
    expect(memos[0]!.data).toEqual(original);
    expect(reassembler.counters).toMatchObject({ segments: 6, accepted: 6, completed: 1 });
    expect([reassembler.pending, reassembler.bytes]).toEqual([0, 0]);
  });

  it("reassembles segments given in reverse order", () => {
    const reassembler = v1();
    const original = message(5000);
    const memos = feed(reassembler, encodeMemo(original, 1, 1000).reverse(), alice);
    expect(memos.map((memo) => memo.data)).toEqual([original]);
  });

  it("ignores and counts a repeated segment", () => {
    const reassembler = v1();
    const [first, second, third] = encodeMemo(message(2500), 1, 1000);
    const memos = feed(reassembler, [first!, second!, second!, third!], alice);
    expect(memos).toHaveLength(1);
    expect(reassembler.counters).toMatchObject({ accepted: 3, duplicates: 1, completed: 1 });
  });

  it("drops late copies of a completed memo for `timeout`, then takes the id as new", () => {
    const reassembler = v1({ timeout: 2 });
    const segments = encodeMemo(message(2500), 7, 1000);
    feed(reassembler, segments, alice, 0);
    expect(feed(reassembler, [segments[1]!], alice, 1.5)).toEqual([]);
    expect(reassembler.counters.duplicates).toBe(1);
    expect(reassembler.pending).toBe(0);
    expect(feed(reassembler, segments, alice, 2)).toHaveLength(1);
  });

  it("keeps senders apart even when their message ids are equal", () => {
    const reassembler = v1();
    const fromAlice = encodeMemo(message(1500, 1), 3, 1000);
    const fromBob = encodeMemo(message(1500, 2), 3, 1000);
    const mixed = [
      reassembler.push(fromAlice[0]!, alice, 0),
      reassembler.push(fromBob[1]!, bob, 0),
      reassembler.push(fromBob[0]!, bob, 0),
      reassembler.push(fromAlice[1]!, alice, 0),
    ].filter((memo) => memo !== undefined);
    expect(mixed.map((memo) => [memo.from.port, memo.data])).toEqual([
      [bob.port, message(1500, 2)],
      [alice.port, message(1500, 1)],
    ]);
  });

  it("expires an incomplete memo `timeout` seconds of tyme after its last new segment", () => {
    const reassembler = v1({ timeout: 1 });
    const segments = encodeMemo(message(3000), 1, 1000);
    reassembler.push(segments[0]!, alice, 0);
    reassembler.push(segments[1]!, alice, 0.5);
    expect(reassembler.nextDeadline).toBe(1.5);
    expect(reassembler.expire(1.25)).toBe(0); // progress at 0.5 moved the deadline to 1.5
    expect(reassembler.nextDeadline).toBe(1.5);
    expect(reassembler.expire(1.5)).toBe(1);
    expect(reassembler.counters.expired).toBe(1);
    expect([reassembler.pending, reassembler.bytes, reassembler.senders]).toEqual([0, 0, 0]);
    expect(reassembler.nextDeadline).toBe(Number.POSITIVE_INFINITY);
  });

  it("counts garbage and segments that disagree with their memo as malformed", () => {
    const reassembler = v1();
    const first = encodeMemo(message(3000), 1, 1000)[0]!;
    const disagreeing = encodeMemo(message(4000), 1, 1000)[1]!; // same id, other length and count
    feed(reassembler, [first, Uint8Array.of(1, 2, 3), disagreeing], alice);
    expect(reassembler.counters).toMatchObject({ segments: 3, accepted: 1, malformed: 2 });
  });

  it("drops a memo over maxMemoSize without reserving memory", () => {
    const reassembler = v1({ maxMemoSize: 2000 });
    feed(reassembler, encodeMemo(message(2001), 1, 1000), alice);
    expect(reassembler.counters).toMatchObject({ overLimit: 3, accepted: 0 });
    expect(reassembler.bytes).toBe(0);
  });

  it("evicts the sender's oldest incomplete memo past maxPendingPerSender", () => {
    const reassembler = v1({ maxPendingPerSender: 2 });
    const memos = [1, 2, 3].map((id) => encodeMemo(message(2000, id), id, 1100));
    for (const segments of memos) reassembler.push(segments[0]!, alice, 0);
    expect(reassembler.counters.evicted).toBe(1);
    expect(reassembler.pending).toBe(2);
    expect(reassembler.push(memos[1]![1]!, alice, 0)?.messageId).toBe("2");
    expect(reassembler.push(memos[2]![1]!, alice, 0)?.messageId).toBe("3");
    expect(reassembler.push(memos[0]![1]!, alice, 0)).toBeUndefined(); // memo 1 was evicted: this starts it afresh
  });

  it("evicts the sender's oldest incomplete memos past maxBytesPerSender, counting bytes as they arrive", () => {
    const reassembler = v1({ maxBytesPerSender: 2000 });
    for (const id of [1, 2, 3]) reassembler.push(encodeMemo(message(3000), id, 1000)[0]!, alice, 0);
    expect(reassembler.counters).toMatchObject({ evicted: 1, evictedBytes: 984, accepted: 3 });
    expect(reassembler.bytes).toBe(2 * 984);
  });

  it("evicts the least recently progressed memo of anyone past maxBytes, not the newest", () => {
    const reassembler = v1({ maxBytes: 3500 });
    const fromAlice = encodeMemo(message(3000, 1), 1, 1000); // 984 + 984 + 984 + 48 bytes
    const fromBob = encodeMemo(message(3000, 2), 1, 1000);
    reassembler.push(fromAlice[0]!, alice, 0);
    reassembler.push(fromBob[0]!, bob, 0.1);
    reassembler.push(fromAlice[1]!, alice, 0.2); // alice progressed: bob's memo is now the least recent
    expect(reassembler.counters.evicted).toBe(0);
    reassembler.push(fromAlice[2]!, alice, 0.3); // 3936 bytes would pass 3500: bob's memo makes way
    expect(reassembler.counters).toMatchObject({ evicted: 1, evictedBytes: 984, overLimit: 0 });
    expect(reassembler.bytes).toBe(3 * 984);
    expect(feed(reassembler, fromAlice.slice(3), alice, 0.4).map((memo) => memo.data)).toEqual([message(3000, 1)]);
  });

  it("does not let 16 first segments of claimed-huge memos lock out other senders (issue 11, defect 5)", () => {
    const reassembler = v1({ timeout: 60 }); // defaults: maxMemoSize 1 MiB, maxBytes 16 MiB
    const huge = 1 << 20;
    for (let port = 6000; port < 6016; port++) {
      // A 1 KiB datagram whose header claims a 1 MiB memo; the rest never comes.
      const first = encodeMemo(message(huge), port, 1040)[0]!;
      reassembler.push(first, { host: "127.0.0.1", port }, 0);
    }
    expect(reassembler.pending).toBe(16);
    expect(reassembler.bytes).toBe(16 * 1024); // what arrived, not 16 x 1 MiB claimed
    const original = message(5000, 9);
    expect(feed(reassembler, encodeMemo(original, 1, 1200), alice, 1).map((memo) => memo.data)).toEqual([original]);
    expect(reassembler.counters).toMatchObject({ overLimit: 0, evicted: 0, completed: 1 });
  });

  it("takes a new sender when the table is full by evicting the least recently heard one, without scanning the table", () => {
    const maxSenders = 1024;
    const reassembler = v1({ maxSenders, timeout: 60 });
    for (let port = 1; port <= maxSenders; port++) reassembler.push(encodeMemo(message(3000), port, 1000)[0]!, { host: "10.0.0.1", port }, 0);
    expect(reassembler.senders).toBe(maxSenders);
    const visited = reassembler.counters.visited;
    const original = message(3000, 3);
    const memos = feed(reassembler, encodeMemo(original, 1, 1000), alice, 1);
    expect(memos.map((memo) => memo.data)).toEqual([original]);
    expect(reassembler.counters).toMatchObject({ overLimit: 0, sendersEvicted: 1, evicted: 1 });
    expect(reassembler.senders).toBe(maxSenders);
    expect(reassembler.counters.visited - visited).toBeLessThanOrEqual(2); // the evicted sender and its one memo
    // The evicted one was the least recently heard: port 1. Port 2's memo is still there.
    expect(reassembler.push(encodeMemo(message(3000), 2, 1000)[1]!, { host: "10.0.0.1", port: 2 }, 2)).toBeUndefined();
    expect(reassembler.counters.accepted).toBe(maxSenders + encodeMemo(original, 1, 1000).length + 1);
  });

  it("expires by looking at the front of the list only", () => {
    const reassembler = v1({ timeout: 1 });
    for (let port = 1; port <= 100; port++) reassembler.push(encodeMemo(message(3000), port, 1000)[0]!, { host: "10.0.0.1", port }, port / 100);
    const visited = reassembler.counters.visited;
    expect(reassembler.expire(1.05)).toBe(5);
    expect(reassembler.counters.visited - visited).toBeLessThanOrEqual(2 * 5 + 1); // 5 memos, their 5 idle senders, one look past
    expect(reassembler.nextDeadline).toBeCloseTo(1.06);
  });

  it("survives any mix of reordered, repeated and garbage datagrams, completing every whole memo intact (fuzzed)", () => {
    const originals = fc.array(fc.uint8Array({ maxLength: 600 }), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(
        originals,
        fc.integer({ min: 17, max: 200 }),
        fc.array(
          fc.uint8Array({ maxLength: 64 }).filter((bytes) => decodeMemoSegment(bytes) === undefined),
          { maxLength: 20 },
        ),
        fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 60 }),
        fc.integer({ min: 0, max: 0xffff_ffff }),
        (messages, segmentSize, junkFromAlice, junkFromBob, shuffle, firstId) => {
          const reassembler = v1({ maxBytes: 4000, maxBytesPerSender: 4000 });
          type Item = { bytes: Uint8Array; from: UdpAddress };
          const items: Item[] = [];
          messages.forEach((bytes, index) => {
            for (const segment of encodeMemo(bytes, (firstId + index) >>> 0, segmentSize)) items.push({ bytes: segment, from: alice });
          });
          const whole = items.length;
          for (let index = 0; index < Math.min(shuffle.length, whole); index++) items.push(items[shuffle[index]! % whole]!); // repeats
          for (const bytes of junkFromAlice) items.push({ bytes, from: alice });
          for (const bytes of junkFromBob) items.push({ bytes, from: bob });
          for (let index = items.length - 1; index > 0; index--) {
            const other = (shuffle[index % Math.max(shuffle.length, 1)] ?? index) % (index + 1);
            [items[index], items[other]] = [items[other]!, items[index]!];
          }
          const completed = new Map<string, Uint8Array[]>();
          for (const item of items) {
            const memo = reassembler.push(item.bytes, item.from, 0);
            expect(reassembler.bytes).toBeLessThanOrEqual(4000);
            if (memo !== undefined && memo.from === alice) completed.set(memo.messageId, [...(completed.get(memo.messageId) ?? []), memo.data]);
          }
          expect(reassembler.counters.segments).toBe(items.length);
          expect(sumOfOutcomes(reassembler)).toBe(items.length);
          expect(reassembler.counters.malformed).toBeGreaterThanOrEqual(junkFromAlice.length);
          // Every memo of alice's that fit the limits arrived exactly once and intact.
          messages.forEach((bytes, index) => {
            const copies = completed.get(String((firstId + index) >>> 0));
            if (bytes.length <= 4000 && reassembler.counters.evicted === 0 && reassembler.counters.overLimit === 0) expect(copies).toHaveLength(1);
            for (const copy of copies ?? []) expect(copy).toEqual(bytes);
          });
          reassembler.expire(reassembler.timeout);
          expect([reassembler.pending, reassembler.bytes]).toEqual([0, 0]);
        },
      ),
      { numRuns: 300, seed: 2024 },
    );
  });

  it("never throws on valid segments with corrupted headers (fuzzed)", () => {
    const segments = encodeMemo(message(900), 77, 100);
    fc.assert(
      fc.property(fc.array(fc.record({ segment: fc.nat(segments.length - 1), at: fc.nat(15), value: fc.nat(255) }), { maxLength: 40 }), (corruptions) => {
        const reassembler = v1({ maxBytes: 10_000 });
        for (const { segment, at, value } of corruptions) {
          const copy = segments[segment]!.slice();
          copy[at] = value;
          reassembler.push(copy, alice, 0);
          expect(reassembler.bytes).toBeLessThanOrEqual(10_000);
        }
        expect(sumOfOutcomes(reassembler)).toBe(corruptions.length);
      }),
      { numRuns: 500, seed: 99 },
    );
  });
});
