import { describe, expect, it } from "vitest";
import {
  DelimiterFramer,
  FixedLengthFramer,
  FrameError,
  FrameTooLongError,
  LengthPrefixedFramer,
  LineFramer,
  ReadyFramer,
  RegexFramer,
  SlipFramer,
  crc16Modbus,
  slipEncode,
} from "../../src/io/index.js";
import { bytes } from "../helpers/io-drive.js";
import { pushAll, show } from "../helpers/io-framing.js";

const split = (...parts: string[]) => parts.map(bytes);

describe("DelimiterFramer", () => {
  const rows: { name: string; chunks: string[]; max?: number; events: string[] }[] = [
    { name: "one write", chunks: ["a\r\nbb\r\n"], events: ["a", "bb"] },
    { name: "delimiter split 1/2", chunks: ["a\r", "\nbb\r\n"], events: ["a", "bb"] },
    { name: "byte at a time", chunks: [..."a\r\nbb\r\n"], events: ["a", "bb"] },
    { name: "empty frames", chunks: ["\r\n\r\n"], events: ["", ""] },
    { name: "frame exactly at max", chunks: ["abc", "\r\n"], max: 3, events: ["abc"] },
    { name: "one byte over, then resync", chunks: ["abcd\r\nok\r\n"], max: 3, events: ["!FrameTooLongError", "ok"] },
    { name: "over max before the delimiter arrives, delimiter split 1/2 while dropping", chunks: ["abcdef", "gh\r", "\nok\r\n"], max: 3, events: ["!FrameTooLongError", "ok"] },
    { name: "frames before an overflow are not lost", chunks: ["x\r\nabcdefg\r\ny\r\n"], max: 3, events: ["x", "!FrameTooLongError", "y"] },
  ];
  for (const row of rows) {
    it(`frames: ${row.name}`, () => {
      const framer = new DelimiterFramer({ delimiter: "\r\n", max: row.max });
      expect(show(pushAll(framer, split(...row.chunks)))).toEqual(row.events);
    });
  }

  it("keeps the delimiter with includeDelimiter", () => {
    const framer = new DelimiterFramer({ delimiter: 0x3b, includeDelimiter: true });
    expect(show(pushAll(framer, split("a;b;")))).toEqual(["a;", "b;"]);
  });

  it("holds an incomplete frame and gives it up on drain", () => {
    const framer = new DelimiterFramer({ delimiter: "\r\n" });
    pushAll(framer, split("done\r\npart\r"));
    expect(show([framer.drain()])).toEqual(["part\r"]);
    expect(framer.held).toBe(0);
  });

  it("rejects an empty delimiter with a RangeError naming it", () => {
    expect(() => new DelimiterFramer({ delimiter: "" })).toThrow(/^delimiter/);
  });
});

describe("LineFramer", () => {
  it("splits LF and CRLF lines and keeps a lone CR inside a line", () => {
    expect(show(pushAll(new LineFramer(), split("a\nb\r", "\nc\rd\n")))).toEqual(["a", "b", "c\rd"]);
  });

  it("accepts a CRLF line exactly at max and rejects one byte over", () => {
    const framer = new LineFramer({ max: 2 });
    expect(show(pushAll(framer, split("ab\r\nabc\r\nok\n")))).toEqual(["ab", "!FrameTooLongError", "ok"]);
  });
});

describe("FixedLengthFramer", () => {
  it("cuts frames of the given length and holds the remainder", () => {
    const framer = new FixedLengthFramer({ length: 3 });
    expect(show(pushAll(framer, split("ab", "cdefg")))).toEqual(["abc", "def"]);
    expect(framer.held).toBe(1);
  });
});

describe("LengthPrefixedFramer", () => {
  it("reads a 1-byte length at offset 0", () => {
    const framer = new LengthPrefixedFramer({ lengthSize: 1 });
    expect(pushAll(framer, [Uint8Array.of(2, 9), Uint8Array.of(8, 0, 1)])).toEqual([Uint8Array.of(2, 9, 8), Uint8Array.of(0)]);
  });

  it("reads a 2-byte big-endian length after a header byte", () => {
    const framer = new LengthPrefixedFramer({ lengthOffset: 1, lengthSize: 2 });
    expect(pushAll(framer, [Uint8Array.of(0xaa, 0, 2, 7, 8, 0xbb)])).toEqual([Uint8Array.of(0xaa, 0, 2, 7, 8)]);
  });

  it("reads a 4-byte little-endian length", () => {
    const framer = new LengthPrefixedFramer({ lengthSize: 4, endian: "little" });
    expect(pushAll(framer, [Uint8Array.of(1, 0, 0, 0, 0x55)])).toEqual([Uint8Array.of(1, 0, 0, 0, 0x55)]);
  });

  it("adds lengthAdjustment (a length that counts the whole packet)", () => {
    const framer = new LengthPrefixedFramer({ lengthSize: 2, lengthAdjustment: -2 });
    expect(pushAll(framer, [Uint8Array.of(0, 3, 7, 0, 2)])).toEqual([Uint8Array.of(0, 3, 7), Uint8Array.of(0, 2)]);
  });

  it("accepts a packet exactly at max and drops one a byte over, then resumes", () => {
    const framer = new LengthPrefixedFramer({ lengthSize: 1, max: 3 });
    const events = pushAll(framer, [Uint8Array.of(2, 1, 2, 3, 1, 2), Uint8Array.of(3, 1, 5)]);
    expect(events).toEqual([Uint8Array.of(2, 1, 2), "FrameTooLongError", Uint8Array.of(1, 5)]);
  });

  it("throws FrameError for a length shorter than the header", () => {
    const framer = new LengthPrefixedFramer({ lengthSize: 1, lengthAdjustment: -5 });
    expect(() => framer.push(Uint8Array.of(1, 0))).toThrow(FrameError);
  });
});

describe("RegexFramer", () => {
  it("splits at matches, also when a multi-byte character is split across chunks", () => {
    const euro = bytes("€");
    const framer = new RegexFramer({ regex: /[;|]/ });
    const events = pushAll(framer, [bytes("a;"), euro.subarray(0, 1), euro.subarray(1), bytes("|b")]);
    expect(show(events)).toEqual(["a", "€"]);
  });

  it("throws FrameTooLongError for a frame over max and resumes after the next match", () => {
    const framer = new RegexFramer({ regex: /;/, max: 2 });
    expect(show(pushAll(framer, split("ab;abc;x;")))).toEqual(["ab", "!FrameTooLongError", "x"]);
  });

  it("rejects a regex that matches the empty string", () => {
    expect(() => new RegexFramer({ regex: /x*/ })).toThrow(RangeError);
  });
});

describe("ReadyFramer", () => {
  it("drops noise up to a banner split across chunks, then frames with the inner framer", () => {
    const framer = new ReadyFramer({ banner: "READY", inner: new LineFramer() });
    expect(show(pushAll(framer, split("boot REA", "DY\na\nb")))).toEqual(["", "a"]);
    expect(framer.ready).toBe(true);
  });

  it("passes chunks through after the banner without an inner framer", () => {
    const framer = new ReadyFramer({ banner: "!" });
    expect(show(pushAll(framer, split("xx!ab", "cd")))).toEqual(["ab", "cd"]);
  });

  it("throws FrameTooLongError for more noise than max and still finds the banner", () => {
    const framer = new ReadyFramer({ banner: "OK", max: 3, inner: new LineFramer() });
    expect(show(pushAll(framer, split("noise", "OK\nhi\n")))).toEqual(["!FrameTooLongError", "", "hi"]);
  });
});

describe("SLIP", () => {
  it("encodes END and ESC and frames with ENDs (RFC 1055)", () => {
    expect(slipEncode(Uint8Array.of(1, 0xc0, 0xdb, 2))).toEqual(Uint8Array.of(0xc0, 1, 0xdb, 0xdc, 0xdb, 0xdd, 2, 0xc0));
    expect(slipEncode(Uint8Array.of(1), { leadingEnd: false })).toEqual(Uint8Array.of(1, 0xc0));
  });

  it("decodes packets split inside an escape and skips empty packets", () => {
    const wire = slipEncode(Uint8Array.of(0xc0, 5));
    const framer = new SlipFramer();
    expect(pushAll(framer, [wire.subarray(0, 2), wire.subarray(2), Uint8Array.of(0xc0, 0xc0)])).toEqual([Uint8Array.of(0xc0, 5)]);
  });

  it("keeps the byte after an unknown escape", () => {
    expect(pushAll(new SlipFramer(), [Uint8Array.of(0xdb, 0x41, 0xc0)])).toEqual([Uint8Array.of(0x41)]);
  });

  it("counts decoded bytes against max: exactly at max passes, one over is dropped", () => {
    const framer = new SlipFramer({ max: 2 });
    const wire = [slipEncode(Uint8Array.of(0xc0, 0xdb)), slipEncode(Uint8Array.of(1, 2, 3)), slipEncode(Uint8Array.of(9))];
    expect(pushAll(framer, wire)).toEqual([Uint8Array.of(0xc0, 0xdb), "FrameTooLongError", Uint8Array.of(9)]);
  });
});

describe("crc16Modbus", () => {
  it("gives the catalogue check value 0x4B37 for '123456789'", () => {
    expect(crc16Modbus(bytes("123456789"))).toBe(0x4b37);
  });

  it("continues over pieces", () => {
    expect(crc16Modbus(bytes("6789"), crc16Modbus(bytes("12345")))).toBe(0x4b37);
  });

  it("gives 0 over a Modbus RTU frame with its CRC appended low byte first", () => {
    const frame = Uint8Array.of(0x01, 0x03, 0x00, 0x00, 0x00, 0x0a);
    const crc = crc16Modbus(frame);
    expect(crc16Modbus(Uint8Array.of(...frame, crc & 0xff, crc >> 8))).toBe(0);
  });
});

describe("FrameTooLongError", () => {
  it("carries the limit", () => {
    try {
      new FixedLengthFramer({ length: 1 });
      new DelimiterFramer({ delimiter: 0, max: 1 }).push(Uint8Array.of(1, 2, 3));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(FrameTooLongError);
      expect((error as FrameTooLongError).max).toBe(1);
    }
  });
});
