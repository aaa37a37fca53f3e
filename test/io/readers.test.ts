import { afterEach, describe, expect, it } from "vitest";
import { Doist, doify } from "../../src/core/index.js";
import { EndOfStreamError, FrameTooLongError, ReadTimeoutError, RingBuffer, readAvailable, readExactly, readLine, readUntil, skipUntil, type Reader } from "../../src/io/index.js";
import { ReaderHarness, bytes, step, text } from "../helpers/io-drive.js";

/** Feeds `chunks` one at a time, stepping the reader after each; collects the outcome. */
function feed<T>(ring: RingBuffer, reader: Reader<T>, chunks: string[]): ReturnType<typeof step<T>> {
  let outcome = step(reader);
  for (const chunk of chunks) {
    if (outcome.state !== "waiting") break;
    expect(ring.write(bytes(chunk))).toBe(chunk.length);
    outcome = step(reader);
  }
  return outcome;
}

/** A ring of `capacity` whose read end sits at `head`, so writes wrap. */
function wrappedRing(capacity: number, head: number): RingBuffer {
  const ring = new RingBuffer({ capacity, name: "test rxbs" });
  ring.write(new Uint8Array(head));
  ring.consume(head);
  return ring;
}

let harness: ReaderHarness<unknown> | undefined;
afterEach(() => {
  harness?.exit();
  harness = undefined;
});

describe("readUntil", () => {
  const CRLF = bytes("\r\n");
  const rows: { name: string; chunks: string[]; max?: number; frame: string; left: string }[] = [
    { name: "whole frame in one write", chunks: ["abc\r\nrest"], frame: "abc", left: "rest" },
    { name: "delimiter split 1/2", chunks: ["abc\r", "\nrest"], frame: "abc", left: "rest" },
    { name: "byte at a time", chunks: ["a", "b", "c", "\r", "\n"], frame: "abc", left: "" },
    { name: "empty frame", chunks: ["\r\n\r\n"], frame: "", left: "\r\n" },
    { name: "frame exactly at max", chunks: ["abcd", "\r\n"], max: 4, frame: "abcd", left: "" },
    { name: "lone CR inside the frame", chunks: ["a\rb\r", "\n"], frame: "a\rb", left: "" },
  ];
  for (const row of rows) {
    it(`reads the frame: ${row.name}`, () => {
      const ring = new RingBuffer(64);
      const outcome = feed(ring, readUntil(ring, CRLF, { max: row.max }), row.chunks);
      expect(outcome.state).toBe("returned");
      if (outcome.state === "returned") expect(text(outcome.value)).toBe(row.frame);
      expect(text(ring.peek())).toBe(row.left);
    });
  }

  it("finds a delimiter split across the wrap point", () => {
    const ring = wrappedRing(8, 5); // "ab\r" fills 5..7, "\nc" lands at 0..1
    const reader = readUntil(ring, CRLF);
    expect(feed(ring, reader, ["ab\r", "\nc"])).toEqual({ state: "returned", value: bytes("ab") });
    expect(text(ring.peek())).toBe("c");
  });

  it("finds a single-byte delimiter in the wrapped second region", () => {
    const ring = wrappedRing(8, 6);
    const outcome = feed(ring, readUntil(ring, 0x3b), ["abcd;e"]);
    expect(outcome).toEqual({ state: "returned", value: bytes("abcd") });
  });

  it("keeps the delimiter with keepDelimiter", () => {
    const ring = new RingBuffer(64);
    const outcome = feed(ring, readUntil(ring, CRLF, { keepDelimiter: true }), ["ab\r\n"]);
    expect(outcome).toEqual({ state: "returned", value: bytes("ab\r\n") });
  });

  it("throws FrameTooLongError one byte over max and leaves the ring untouched", () => {
    const ring = new RingBuffer(64);
    const outcome = feed(ring, readUntil(ring, CRLF, { max: 4 }), ["abcde\r\n"]);
    expect(outcome.state).toBe("threw");
    if (outcome.state === "threw") {
      expect(outcome.error).toBeInstanceOf(FrameTooLongError);
      expect((outcome.error as FrameTooLongError).max).toBe(4);
    }
    expect(text(ring.peek())).toBe("abcde\r\n");
  });

  it("detects an over-long frame before its delimiter arrives", () => {
    const ring = new RingBuffer(64);
    const reader = readUntil(ring, CRLF, { max: 4 });
    expect(feed(ring, reader, ["abcd", "e"]).state).toBe("waiting"); // 5 bytes: "abcd\r" could still come
    ring.write(bytes("f"));
    expect(step(reader).state).toBe("threw");
    expect(text(ring.peek())).toBe("abcdef");
  });

  it("throws EndOfStreamError with the partial frame and drains the ring", () => {
    const ring = new RingBuffer(64);
    const reader = readUntil(ring, CRLF);
    expect(feed(ring, reader, ["abc\r"]).state).toBe("waiting");
    ring.end();
    const outcome = step(reader);
    expect(outcome.state).toBe("threw");
    if (outcome.state === "threw") {
      expect(outcome.error).toBeInstanceOf(EndOfStreamError);
      expect(text((outcome.error as EndOfStreamError).partial)).toBe("abc\r");
    }
    expect(ring.exhausted).toBe(true);
  });

  it("rescans from the start when another consumer took bytes while it waited", () => {
    const ring = new RingBuffer(64);
    const reader = readUntil(ring, 0x3b);
    expect(feed(ring, reader, ["abcdef"]).state).toBe("waiting");
    ring.consume(4);
    ring.write(bytes(";"));
    expect(step(reader)).toEqual({ state: "returned", value: bytes("ef") });
  });
});

describe("readLine", () => {
  const rows: { name: string; chunks: string[]; max?: number; line: string }[] = [
    { name: "LF ending", chunks: ["hello\nx"], line: "hello" },
    { name: "CRLF ending", chunks: ["hello\r\nx"], line: "hello" },
    { name: "CRLF split 1/2", chunks: ["hello\r", "\n"], line: "hello" },
    { name: "empty line", chunks: ["\n"], line: "" },
    { name: "empty CRLF line", chunks: ["\r\n"], line: "" },
    { name: "exactly at max with CRLF", chunks: ["abcd\r", "\n"], max: 4, line: "abcd" },
    { name: "exactly at max with LF", chunks: ["abcd\n"], max: 4, line: "abcd" },
  ];
  for (const row of rows) {
    it(`reads the line: ${row.name}`, () => {
      const ring = new RingBuffer(64);
      expect(feed(ring, readLine(ring, { max: row.max }), row.chunks)).toEqual({ state: "returned", value: bytes(row.line) });
    });
  }

  it("throws FrameTooLongError one byte over max and leaves the ring untouched", () => {
    const ring = new RingBuffer(64);
    const outcome = feed(ring, readLine(ring, { max: 4 }), ["abcde\r\n"]);
    expect(outcome.state === "threw" && outcome.error instanceof FrameTooLongError).toBe(true);
    expect(text(ring.peek())).toBe("abcde\r\n");
  });

  it("resynchronises with skipUntil after FrameTooLongError", () => {
    const ring = new RingBuffer(64);
    ring.write(bytes("much too long\nok\n"));
    expect(step(readLine(ring, { max: 4 })).state).toBe("threw");
    expect(step(skipUntil(ring, 0x0a))).toEqual({ state: "returned", value: 14 });
    expect(step(readLine(ring, { max: 4 }))).toEqual({ state: "returned", value: bytes("ok") });
  });

  it("reports a last line without LF as EndOfStreamError.partial", () => {
    const ring = new RingBuffer(64);
    ring.write(bytes("tail"));
    ring.end();
    const outcome = step(readLine(ring));
    expect(outcome.state === "threw" && text((outcome.error as EndOfStreamError).partial)).toBe("tail");
  });

  it("reports a clean end between lines with an empty partial", () => {
    const ring = new RingBuffer(64);
    ring.end();
    const outcome = step(readLine(ring));
    expect(outcome.state === "threw" && (outcome.error as EndOfStreamError).clean).toBe(true);
  });

  it("caps max at the ring's capacity so a full ring cannot deadlock it", () => {
    const ring = new RingBuffer(8);
    ring.write(bytes("abcdefgh"));
    const outcome = step(readLine(ring, { max: 100 }));
    expect(outcome.state === "threw" && (outcome.error as FrameTooLongError).max).toBe(6);
  });
});

describe("readExactly", () => {
  it("returns exactly n bytes gathered from several writes", () => {
    const ring = new RingBuffer(16);
    expect(feed(ring, readExactly(ring, 5), ["ab", "c", "defg"])).toEqual({ state: "returned", value: bytes("abcde") });
    expect(text(ring.peek())).toBe("fg");
  });

  it("returns at once for n = 0", () => {
    const ring = new RingBuffer(16);
    expect(step(readExactly(ring, 0))).toEqual({ state: "returned", value: new Uint8Array(0) });
  });

  it("throws FrameTooLongError for n over the ring's capacity without consuming", () => {
    const ring = new RingBuffer(4);
    ring.write(bytes("ab"));
    expect(() => readExactly(ring, 5)).toThrow(FrameTooLongError);
    expect(ring.length).toBe(2);
  });

  it("throws EndOfStreamError with the partial bytes", () => {
    const ring = new RingBuffer(16);
    ring.write(bytes("abc"));
    ring.end();
    const outcome = step(readExactly(ring, 4));
    expect(outcome.state === "threw" && text((outcome.error as EndOfStreamError).partial)).toBe("abc");
  });

  it("rejects a negative n with a RangeError naming n", () => {
    expect(() => readExactly(new RingBuffer(4), -1)).toThrow(/^n must/);
  });
});

describe("readAvailable", () => {
  it("returns what is there, up to max", () => {
    const ring = new RingBuffer(16);
    ring.write(bytes("abcdef"));
    expect(step(readAvailable(ring, { max: 4 }))).toEqual({ state: "returned", value: bytes("abcd") });
  });

  it("waits while the ring is empty", () => {
    const ring = new RingBuffer(16);
    expect(feed(ring, readAvailable(ring), ["x"])).toEqual({ state: "returned", value: bytes("x") });
  });

  it("throws a clean EndOfStreamError on an ended, drained ring", () => {
    const ring = new RingBuffer(16);
    ring.end();
    const outcome = step(readAvailable(ring));
    expect(outcome.state === "threw" && (outcome.error as EndOfStreamError).clean).toBe(true);
  });
});

describe("fast path", () => {
  it("returns a finished reader that yields nothing when the frame is already there", () => {
    const ring = new RingBuffer(16);
    ring.write(bytes("a\nb"));
    const reader = readLine(ring);
    expect(ring.length).toBe(1); // the first attempt ran at the call
    expect(reader.next(0)).toEqual({ done: true, value: bytes("a") });
    expect(reader.next(0)).toEqual({ done: true, value: undefined });
  });

  it("works with yield* in a doer, on the fast and the slow path alike", () => {
    const ring = new RingBuffer(16);
    ring.write(bytes("one\n"));
    const lines: string[] = [];
    const doer = doify(function* () {
      lines.push(text(yield* readLine(ring))); // there already
      lines.push(text(yield* readLine(ring))); // must wait
      return true;
    });
    const doist = new Doist({ tock: 0.125 });
    doist.enter([doer]);
    doist.recur();
    ring.write(bytes("two\r\n"));
    doist.recur();
    doist.exit();
    expect(lines).toEqual(["one", "two"]);
    expect(doer.done).toBe(true);
  });
});

describe("readers in a Doist", () => {
  it("sleep while waiting: the dog is not resumed until bytes arrive", () => {
    const ring = new RingBuffer(64);
    const h = new ReaderHarness(() => readLine(ring));
    harness = h;
    h.recur(10);
    expect(h.resumes).toBe(1); // the first pass, then asleep
    ring.write(bytes("hi\n"));
    h.recur();
    expect(h.outcome).toEqual({ state: "returned", value: bytes("hi") });
    expect(h.resumes).toBe(2);
  });

  it("time out in tyme at the first tick at or after the deadline, ring untouched", () => {
    const ring = new RingBuffer(64);
    ring.write(bytes("par"));
    const h = new ReaderHarness(() => readLine(ring, { timeout: 0.3 }), 0.125);
    harness = h;
    h.recur(5);
    expect(h.outcome.state === "threw" && h.outcome.error instanceof ReadTimeoutError).toBe(true);
    expect(h.finishedAt).toBe(0.375);
    expect(h.resumes).toBe(2); // at 0 and at the deadline, not every tick
    expect(text(ring.peek())).toBe("par");
  });

  it("return bytes that arrive before the deadline", () => {
    const ring = new RingBuffer(64);
    const h = new ReaderHarness(() => readExactly(ring, 2, { timeout: 1 }), 0.125);
    harness = h;
    h.recur(3);
    ring.write(bytes("ok"));
    h.recur();
    expect(h.outcome).toEqual({ state: "returned", value: bytes("ok") });
    expect(h.finishedAt).toBe(0.375);
  });

  it("fail at once with timeout 0 when nothing is there", () => {
    const ring = new RingBuffer(64);
    const h = new ReaderHarness(() => readAvailable(ring, { timeout: 0 }));
    harness = h;
    expect(h.outcome.state === "threw" && h.outcome.error instanceof ReadTimeoutError).toBe(true);
    expect(h.resumes).toBe(0);
  });
});

describe("readers closed while they wait", () => {
  // Each row: the reader, and bytes already in the ring that do not satisfy it.
  const readers: [string, string, (ring: RingBuffer) => Reader<unknown>][] = [
    ["readExactly", "ab", (ring) => readExactly(ring, 4)],
    ["readUntil", "ab", (ring) => readUntil(ring, 0x1e)],
    ["readLine", "ab", (ring) => readLine(ring)],
    ["readLine with a timeout", "ab", (ring) => readLine(ring, { timeout: 5 })],
    ["readAvailable", "", (ring) => readAvailable(ring)],
    ["skipUntil", "ab", (ring) => skipUntil(ring, 0x0a)],
  ];

  it.each(readers)("%s unsubscribes from dataSignal when doist.exit() closes its dog", (_name, partial, read) => {
    const ring = new RingBuffer({ capacity: 64, name: "long-lived rxbs" });
    ring.write(bytes(partial)); // not a whole frame: the reader must wait
    const doer = doify(function* () {
      yield; // enter
      yield* read(ring);
      return true;
    });
    const doist = new Doist({ tock: 0.125, doers: [doer] });
    doist.enter();
    doist.recur();
    expect(ring.dataSignal.waiting).toBe(1);
    doist.exit();
    expect(ring.dataSignal.waiting).toBe(0);
  });

  it("readLine unsubscribes when remove() closes its dog", () => {
    const ring = new RingBuffer(64);
    const doer = doify(function* () {
      yield;
      yield* readLine(ring);
      return true;
    });
    const doist = new Doist({ tock: 0.125, doers: [doer] });
    doist.enter();
    doist.recur();
    doist.remove([doer]);
    expect(ring.dataSignal.waiting).toBe(0);
    doist.exit();
  });
});
