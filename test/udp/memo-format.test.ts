import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeMemoSegment, encodeMemo, MEMO_HEADER_SIZE, MEMO_VERSION, memoSegmentCount } from "../../src/udp/index.js";

const message = (length: number) => new Uint8Array(length).map((_, index) => (index * 31 + 7) & 0xff);

function join(parts: Uint8Array[]): Uint8Array {
  const whole = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    whole.set(part, at);
    at += part.length;
  }
  return whole;
}

describe("encodeMemo", () => {
  it("writes the documented 16-byte big-endian header", () => {
    const [segment] = encodeMemo(Uint8Array.of(0xaa, 0xbb), 0x01020304, 100);
    expect(Array.from(segment!)).toEqual([
      MEMO_VERSION,
      0, // version, flags
      0x01,
      0x02,
      0x03,
      0x04, // message id
      0x00,
      0x00, // index
      0x00,
      0x01, // count
      0x00,
      0x02, // stride
      0x00,
      0x00,
      0x00,
      0x02, // message length
      0xaa,
      0xbb,
    ]);
  });

  it.each([
    ["empty message", 0, 100, 1],
    ["one byte", 1, 100, 1],
    ["exactly one body", 84, 100, 1],
    ["one byte over one body", 85, 100, 2],
    ["exactly three bodies", 252, 100, 3],
    ["a large message in small segments", 10_000, 17, 10_000],
  ])("cuts %s (%i bytes at segment size %i) into %i segments that decode and rejoin", (_label, length, segmentSize, count) => {
    const original = message(length);
    const segments = encodeMemo(original, 9, segmentSize);
    expect(segments).toHaveLength(count);
    expect(memoSegmentCount(length, segmentSize)).toBe(count);
    const decoded = segments.map((segment) => decodeMemoSegment(segment)!);
    for (const [index, segment] of segments.entries()) {
      expect(segment.length).toBeLessThanOrEqual(segmentSize);
      expect(decoded[index]).toMatchObject({ messageId: 9, index, count, length });
    }
    expect(join(decoded.map((segment) => segment.body))).toEqual(original);
  });

  it("refuses a message that needs more than 65535 segments", () => {
    expect(() => encodeMemo(new Uint8Array(65_536), 1, MEMO_HEADER_SIZE + 1)).toThrow(RangeError);
  });

  it.each([
    ["messageId", () => encodeMemo(new Uint8Array(1), -1, 100), /^messageId/],
    ["segmentSize", () => encodeMemo(new Uint8Array(1), 1, MEMO_HEADER_SIZE), /^segmentSize/],
  ])("rejects a bad %s with a RangeError naming it", (_name, call, pattern) => {
    expect(call).toThrow(RangeError);
    expect(call).toThrow(pattern);
  });
});

describe("decodeMemoSegment", () => {
  const valid = () => encodeMemo(message(250), 5, 100); // stride 84, 3 segments: 84, 84, 82

  function mutate(segment: Uint8Array, at: number, value: number): Uint8Array {
    const copy = segment.slice();
    copy[at] = value;
    return copy;
  }

  it.each([
    ["shorter than a header", () => new Uint8Array(MEMO_HEADER_SIZE - 1)],
    ["another version", () => mutate(valid()[0]!, 0, 2)],
    ["flags set", () => mutate(valid()[0]!, 1, 1)],
    ["count 0", () => mutate(mutate(valid()[0]!, 8, 0), 9, 0)],
    ["index not below count", () => mutate(valid()[0]!, 7, 3)],
    ["stride 0 with a non-empty message", () => mutate(mutate(valid()[0]!, 10, 0), 11, 0)],
    ["a body one byte short", () => valid()[0]!.subarray(0, MEMO_HEADER_SIZE + 83)],
    ["a last body one byte long", () => join([valid()[2]!, Uint8Array.of(0)])],
    ["a length too large for the count", () => mutate(valid()[0]!, 15, 253)],
    ["an empty message with a body", () => join([encodeMemo(new Uint8Array(0), 1, 100)[0]!, Uint8Array.of(1)])],
  ])("rejects a datagram with %s", (_label, make) => {
    expect(decodeMemoSegment(make())).toBeUndefined();
  });

  it("never throws on arbitrary bytes (fuzzed)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const segment = decodeMemoSegment(bytes);
        if (segment !== undefined) {
          expect(segment.index).toBeLessThan(segment.count);
          expect(segment.body.length).toBe(bytes.length - MEMO_HEADER_SIZE);
        }
      }),
      { numRuns: 2000, seed: 42 },
    );
  });

  it("round-trips any message at any segment size (fuzzed)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.integer({ min: MEMO_HEADER_SIZE + 1, max: 1500 }), fc.nat(), (bytes, segmentSize, id) => {
        const segments = encodeMemo(bytes, id >>> 0, segmentSize);
        const decoded = segments.map((segment) => decodeMemoSegment(segment));
        expect(decoded.every((segment) => segment !== undefined && segment.messageId === id >>> 0)).toBe(true);
        expect(join(decoded.map((segment) => segment!.body))).toEqual(bytes);
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
