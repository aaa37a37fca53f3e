import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DelimiterFramer,
  FixedLengthFramer,
  InterByteTimeoutFramer,
  LengthPrefixedFramer,
  LineFramer,
  ReadyFramer,
  RegexFramer,
  SlipFramer,
  slipEncode,
  type Framer,
} from "../../src/io/index.js";
import { chunk, pushAll } from "../helpers/io-framing.js";
import { find, framerEvents, lengthPrefixedReference, slipReference, splitReference, stripCr, type ParseEvent } from "../helpers/io-reference.js";

const stream = (alphabet: number[], maxLength = 200) => fc.array(fc.constantFrom(...alphabet), { maxLength }).map((bytes) => Uint8Array.from(bytes));
const cuts = fc.array(fc.nat({ max: 220 }), { maxLength: 14 });
const RUNS = { numRuns: 300 };

/** Frames from pushing `bytes` in the chunks cut at `points`. */
const chunked = (framer: Framer, bytes: Uint8Array, points: number[]) => framerEvents(pushAll(framer, chunk(bytes, points)));

describe("framer properties: any chunking gives the one-shot reference parse", () => {
  it("DelimiterFramer (multi-byte delimiter, max, includeDelimiter)", () => {
    fc.assert(
      fc.property(stream([0x61, 0x7c, 0x7e]), cuts, fc.integer({ min: 0, max: 10 }), fc.boolean(), (bytes, points, max, keep) => {
        const delimiter = Uint8Array.of(0x7c, 0x7e);
        const framer = new DelimiterFramer({ delimiter, max, includeDelimiter: keep });
        expect(chunked(framer, bytes, points)).toEqual(splitReference(bytes, delimiter, max, { keep, tail: "hold" }));
      }),
      RUNS,
    );
  });

  it("LineFramer", () => {
    fc.assert(
      fc.property(stream([0x61, 0x0d, 0x0a]), cuts, fc.integer({ min: 0, max: 10 }), (bytes, points, max) => {
        expect(chunked(new LineFramer({ max }), bytes, points)).toEqual(splitReference(bytes, Uint8Array.of(0x0a), max, { slack: 1, strip: stripCr, tail: "hold" }));
      }),
      RUNS,
    );
  });

  it("FixedLengthFramer", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), cuts, fc.integer({ min: 1, max: 9 }), (bytes, points, length) => {
        const expected: ParseEvent[] = [];
        for (let at = 0; bytes.length - at >= length; at += length) expected.push({ frame: [...bytes.subarray(at, at + length)] });
        expect(chunked(new FixedLengthFramer({ length }), bytes, points)).toEqual(expected);
      }),
      RUNS,
    );
  });

  it("LengthPrefixedFramer (offset, size 1/2/4, endianness, adjustment, max)", () => {
    const options = fc.record({
      lengthOffset: fc.integer({ min: 0, max: 3 }),
      lengthSize: fc.constantFrom(1 as const, 2 as const, 4 as const),
      endian: fc.constantFrom("big" as const, "little" as const),
      lengthAdjustment: fc.integer({ min: -3, max: 3 }),
      max: fc.integer({ min: 0, max: 12 }),
    });
    // Mostly small length fields, so that packets complete often.
    const bytes = fc.array(fc.oneof(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 255 })), { maxLength: 200 }).map((a) => Uint8Array.from(a));
    fc.assert(
      fc.property(bytes, cuts, options, (data, points, option) => {
        expect(chunked(new LengthPrefixedFramer(option), data, points)).toEqual(lengthPrefixedReference(data, option));
      }),
      RUNS,
    );
  });

  it("SlipFramer on arbitrary bytes with END and ESC common", () => {
    fc.assert(
      fc.property(stream([0x01, 0xc0, 0xdb, 0xdc, 0xdd]), cuts, fc.integer({ min: 0, max: 8 }), (bytes, points, max) => {
        expect(chunked(new SlipFramer({ max }), bytes, points)).toEqual(slipReference(bytes, max));
      }),
      RUNS,
    );
  });

  it("SlipFramer decodes what slipEncode encoded, however chunked", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 20 }), { maxLength: 8 }), cuts, fc.boolean(), (packets, points, leadingEnd) => {
        const wire = Uint8Array.from(packets.flatMap((packet) => [...slipEncode(packet, { leadingEnd })]));
        expect(chunked(new SlipFramer(), wire, points)).toEqual(packets.map((packet) => ({ frame: [...packet] })));
      }),
      RUNS,
    );
  });

  it("RegexFramer (same frames as one push, including over-long ones)", () => {
    fc.assert(
      fc.property(stream([0x61, 0x2c, 0x3b, 0xc3, 0xa9]), cuts, fc.integer({ min: 0, max: 8 }), (bytes, points, max) => {
        const make = () => new RegexFramer({ regex: /[,;]/, max });
        expect(chunked(make(), bytes, points)).toEqual(chunked(make(), bytes, []));
      }),
      RUNS,
    );
  });

  it("ReadyFramer with an inner LineFramer", () => {
    fc.assert(
      fc.property(stream([0x61, 0x4f, 0x4b, 0x0a]), cuts, fc.integer({ min: 0, max: 6 }), (bytes, points, max) => {
        const banner = Uint8Array.of(0x4f, 0x4b);
        const index = find(bytes, banner);
        const noise = index >= 0 ? index : Math.max(0, bytes.length - banner.length + 1);
        const expected: ParseEvent[] = noise > max ? [{ tooLong: true }] : [];
        if (index >= 0) expected.push(...splitReference(bytes.subarray(index + 2), Uint8Array.of(0x0a), 8192, { slack: 1, strip: stripCr, tail: "hold" }));
        const framer = new ReadyFramer({ banner, max, inner: new LineFramer() });
        expect(chunked(framer, bytes, points)).toEqual(expected);
        expect(framer.ready).toBe(index >= 0);
      }),
      RUNS,
    );
  });

  it("InterByteTimeoutFramer: bursts split at gaps in tyme, however each tyme's bytes are chunked", () => {
    // Each byte arrives after 0..3 ticks of 1/32 s; the interval is 2 ticks.
    const arrivals = fc.array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 3 })), { maxLength: 120 });
    fc.assert(
      fc.property(arrivals, cuts, fc.integer({ min: 1, max: 10 }), (input, points, max) => {
        const tock = 1 / 32;
        const interval = 2 * tock;
        const bytes = Uint8Array.from(input.map(([byte]) => byte));
        const tymes: number[] = [];
        let tyme = 0;
        for (const [, ticks] of input) tymes.push((tyme += ticks * tock));
        // Reference: a new burst wherever the gap reaches the interval.
        const expected: ParseEvent[] = [];
        let burst: number[] = [];
        const close = () => {
          if (burst.length > 0) expected.push(burst.length > max ? { tooLong: true as const } : { frame: burst });
          burst = [];
        };
        bytes.forEach((byte, index) => {
          if (index > 0 && tymes[index]! - tymes[index - 1]! >= interval) close();
          burst.push(byte);
        });
        close();
        // Chunks: cut at the given points and wherever the tyme changes.
        const boundaries = [...points, ...tymes.flatMap((t, index) => (index > 0 && t !== tymes[index - 1] ? [index] : []))];
        const chunks = chunk(bytes, boundaries).filter((c) => c.length > 0);
        const chunkTymes: number[] = [];
        let at = 0;
        for (const c of chunks) {
          chunkTymes.push(tymes[at]!);
          at += c.length;
        }
        const framer = new InterByteTimeoutFramer({ interval, max });
        const events = pushAll(framer, chunks, chunkTymes);
        events.push(...framer.poll(tyme + interval));
        expect(framerEvents(events)).toEqual(expected);
      }),
      RUNS,
    );
  });
});
