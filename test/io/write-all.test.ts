import { afterEach, describe, expect, it } from "vitest";
import { Doist, doify } from "../../src/core/index.js";
import { RingBuffer, RingEndedError, WriteTimeoutError, decodeUtf8, encodeUtf8, readLineText, writeAll, writeText } from "../../src/io/index.js";
import { ReaderHarness, bytes, step, text } from "../helpers/io-drive.js";

let harness: ReaderHarness<unknown> | undefined;
afterEach(() => {
  harness?.exit();
  harness = undefined;
});

describe("writeAll", () => {
  it("writes at once when there is room", () => {
    const ring = new RingBuffer(8);
    expect(step(writeAll(ring, bytes("abc")))).toEqual({ state: "returned", value: 3 });
    expect(text(ring.peek())).toBe("abc");
  });

  it("writes more than the ring holds as room frees up, in order", () => {
    const ring = new RingBuffer(4);
    const writer = writeAll(ring, bytes("abcdefghij"));
    const out: string[] = [];
    let outcome = step(writer);
    while (outcome.state === "waiting") {
      out.push(text(ring.read(3)));
      outcome = step(writer);
    }
    out.push(text(ring.read()));
    expect(outcome).toEqual({ state: "returned", value: 10 });
    expect(out.join("")).toBe("abcdefghij");
  });

  it("sleeps on spaceSignal in a Doist and wakes when a reader consumes", () => {
    const ring = new RingBuffer(4);
    const h = new ReaderHarness(() => writeAll(ring, bytes("abcdef")));
    harness = h;
    h.recur(5);
    expect(h.resumes).toBe(1);
    ring.consume(2);
    h.recur();
    expect(h.outcome).toEqual({ state: "returned", value: 6 });
    expect(text(ring.peek())).toBe("cdef");
  });

  it("throws WriteTimeoutError with the count written when no room comes in time", () => {
    const ring = new RingBuffer(4);
    const h = new ReaderHarness(() => writeAll(ring, bytes("abcdef"), { timeout: 0.25 }), 0.125);
    harness = h;
    h.recur(4);
    expect(h.outcome.state).toBe("threw");
    if (h.outcome.state === "threw") {
      expect(h.outcome.error).toBeInstanceOf(WriteTimeoutError);
      expect((h.outcome.error as WriteTimeoutError).written).toBe(4);
    }
  });

  it("throws RingEndedError on an ended ring", () => {
    const ring = new RingBuffer(4);
    ring.end();
    expect(() => writeAll(ring, bytes("a"))).toThrow(RingEndedError);
  });
});

describe("writeAll closed while it waits", () => {
  it.each([
    ["without a timeout", undefined],
    ["with a timeout", 5],
  ])("unsubscribes from spaceSignal when doist.exit() closes its dog (%s)", (_name, timeout) => {
    const ring = new RingBuffer({ capacity: 4, name: "long-lived txbs" });
    const doer = doify(function* () {
      yield; // enter
      yield* writeAll(ring, bytes("abcdef"), { timeout });
      return true;
    });
    const doist = new Doist({ tock: 0.125, doers: [doer] });
    doist.enter();
    doist.recur();
    expect(ring.spaceSignal.waiting).toBe(1);
    doist.exit();
    expect(ring.spaceSignal.waiting).toBe(0);
  });
});

describe("UTF-8 helpers", () => {
  it("round-trip text through encodeUtf8 and decodeUtf8", () => {
    expect(decodeUtf8(encodeUtf8("grüße, 世界 🙂"))).toBe("grüße, 世界 🙂");
  });

  it("readLineText decodes a line whose multi-byte character was split across writes", () => {
    const ring = new RingBuffer(64);
    const encoded = encodeUtf8("€uro\r\n");
    const reader = readLineText(ring);
    ring.write(encoded.subarray(0, 2));
    expect(step(reader).state).toBe("waiting");
    ring.write(encoded.subarray(2));
    expect(step(reader)).toEqual({ state: "returned", value: "€uro" });
  });

  it("writeText writes the UTF-8 bytes", () => {
    const ring = new RingBuffer(64);
    expect(step(writeText(ring, "é\n"))).toEqual({ state: "returned", value: 3 });
    expect(ring.peek()).toEqual(Uint8Array.of(0xc3, 0xa9, 0x0a));
  });
});
