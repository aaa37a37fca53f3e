import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readAvailable, readExactly, readLine, readUntil } from "../../src/io/index.js";
import { chunk } from "../helpers/io-framing.js";
import { driveReader, splitReference, stripCr, type ParseEvent } from "../helpers/io-reference.js";

/** Streams over a small alphabet, so delimiters (and near misses) are common. */
const stream = (alphabet: number[], maxLength = 160) => fc.array(fc.constantFrom(...alphabet), { maxLength }).map((bytes) => Uint8Array.from(bytes));
const cuts = fc.array(fc.nat({ max: 200 }), { maxLength: 12 });
const RUNS = { numRuns: 300 };

describe("reader properties: any chunking gives the one-shot reference parse", () => {
  it("readUntil with a multi-byte delimiter, max and a small wrapping ring", () => {
    fc.assert(
      fc.property(stream([0x61, 0x62, 0x0d, 0x0a]), cuts, fc.integer({ min: 0, max: 12 }), fc.integer({ min: 4, max: 24 }), (bytes, points, max, capacity) => {
        const delimiter = Uint8Array.of(0x0d, 0x0a);
        const limit = Math.min(max, capacity - delimiter.length);
        const seen = driveReader(chunk(bytes, points), capacity, (ring) => readUntil(ring, delimiter, { max }), delimiter);
        expect(seen).toEqual(splitReference(bytes, delimiter, limit));
      }),
      RUNS,
    );
  });

  it("readUntil with a single-byte delimiter and keepDelimiter", () => {
    fc.assert(
      fc.property(stream([0x30, 0x31, 0x3b]), cuts, fc.integer({ min: 3, max: 20 }), (bytes, points, capacity) => {
        const seen = driveReader(chunk(bytes, points), capacity, (ring) => readUntil(ring, 0x3b, { keepDelimiter: true }), 0x3b);
        expect(seen).toEqual(splitReference(bytes, Uint8Array.of(0x3b), capacity - 1, { keep: true }));
      }),
      RUNS,
    );
  });

  it("readLine with LF and CRLF endings and max", () => {
    fc.assert(
      fc.property(stream([0x61, 0x0d, 0x0a]), cuts, fc.integer({ min: 0, max: 10 }), fc.integer({ min: 3, max: 24 }), (bytes, points, max, capacity) => {
        const limit = Math.min(max, capacity - 2);
        const seen = driveReader(chunk(bytes, points), capacity, (ring) => readLine(ring, { max }), 0x0a);
        expect(seen).toEqual(splitReference(bytes, Uint8Array.of(0x0a), limit, { slack: 1, strip: stripCr }));
      }),
      RUNS,
    );
  });

  it("readExactly", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), cuts, fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 8 }), (bytes, points, n, extra) => {
        const seen = driveReader(chunk(bytes, points), n + extra, (ring) => readExactly(ring, n));
        const expected: ParseEvent[] = [];
        let at = 0;
        for (; bytes.length - at >= n; at += n) expected.push({ frame: [...bytes.subarray(at, at + n)] });
        expected.push({ end: [...bytes.subarray(at)] });
        expect(seen).toEqual(expected);
      }),
      RUNS,
    );
  });

  it("readAvailable returns every byte once, in order, at most max at a time", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), cuts, fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 16 }), (bytes, points, max, capacity) => {
        const seen = driveReader(chunk(bytes, points), capacity, (ring) => readAvailable(ring, { max }));
        const frames = seen.flatMap((event) => ("frame" in event ? [event.frame] : []));
        expect(frames.every((frame) => frame.length >= 1 && frame.length <= max)).toBe(true);
        expect(frames.flat()).toEqual([...bytes]);
        expect(seen[seen.length - 1]).toEqual({ end: [] });
      }),
      RUNS,
    );
  });
});
