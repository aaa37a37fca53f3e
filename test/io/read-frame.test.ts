import { afterEach, describe, expect, it } from "vitest";
import { DelimiterFramer, EndOfStreamError, FrameTooLongError, InterByteTimeoutFramer, LineFramer, ReadTimeoutError, RingBuffer, readFrame } from "../../src/io/index.js";
import { ReaderHarness, bytes, step, text } from "../helpers/io-drive.js";
import { pushAll } from "../helpers/io-framing.js";

let harness: ReaderHarness<unknown> | undefined;
afterEach(() => {
  harness?.exit();
  harness = undefined;
});

describe("readFrame", () => {
  it("returns frames one per call, keeping the rest of a chunk for later calls", () => {
    const ring = new RingBuffer(64);
    const framer = new LineFramer();
    ring.write(bytes("a\nb\nc"));
    expect(step(readFrame(ring, framer))).toEqual({ state: "returned", value: bytes("a") });
    expect(step(readFrame(ring, framer))).toEqual({ state: "returned", value: bytes("b") });
    expect(ring.length).toBe(0);
    expect(step(readFrame(ring, framer)).state).toBe("waiting");
  });

  it("feeds a wrapped ring region by region and frames across the seam", () => {
    const ring = new RingBuffer(8);
    ring.write(new Uint8Array(6));
    ring.consume(6);
    ring.write(bytes("ab;cd;"));
    const framer = new DelimiterFramer({ delimiter: ";" });
    expect(step(readFrame(ring, framer))).toEqual({ state: "returned", value: bytes("ab") });
    expect(step(readFrame(ring, framer))).toEqual({ state: "returned", value: bytes("cd") });
  });

  it("throws the framer's FrameTooLongError in stream order and goes on after it", () => {
    const ring = new RingBuffer(64);
    const framer = new LineFramer({ max: 3 });
    ring.write(bytes("ok\ntoo long\nyes\n"));
    const outcomes = [0, 1, 2].map(() => step(readFrame(ring, framer)));
    expect(outcomes[0]).toEqual({ state: "returned", value: bytes("ok") });
    expect(outcomes[1]!.state === "threw" && outcomes[1]!.error instanceof FrameTooLongError).toBe(true);
    expect(outcomes[2]).toEqual({ state: "returned", value: bytes("yes") });
  });

  it("throws EndOfStreamError with the framer's incomplete frame when the ring ends", () => {
    const ring = new RingBuffer(64);
    ring.write(bytes("half"));
    ring.end();
    const outcome = step(readFrame(ring, new LineFramer()));
    expect(outcome.state === "threw" && text((outcome.error as EndOfStreamError).partial)).toBe("half");
  });

  it("sleeps until an inter-byte gap ends the frame, in tyme", () => {
    const ring = new RingBuffer(64);
    const framer = new InterByteTimeoutFramer({ interval: 0.25 });
    const h = new ReaderHarness(() => readFrame(ring, framer), 0.125);
    harness = h;
    h.recur(); // tyme 0: asleep, nothing there
    ring.write(bytes("ab")); // woken; pushed at tyme 0.125
    h.recur(2);
    ring.write(bytes("c")); // arrives with the gap complete: "ab" ends first
    h.recur(6);
    expect(h.outcome).toEqual({ state: "returned", value: bytes("ab") });
    expect(h.finishedAt).toBe(0.375);
  });

  it("emits a burst once the line has been quiet for the interval, without more bytes", () => {
    const ring = new RingBuffer(64);
    const framer = new InterByteTimeoutFramer({ interval: 0.25 });
    const h = new ReaderHarness(() => readFrame(ring, framer), 0.125);
    harness = h;
    ring.write(bytes("xyz"));
    h.recur(8);
    expect(h.outcome).toEqual({ state: "returned", value: bytes("xyz") });
    expect(h.finishedAt).toBe(0.25);
    expect(h.resumes).toBe(2); // at 0 (push) and 0.25 (poll): asleep in between
  });

  it("times out in tyme with nothing lost", () => {
    const ring = new RingBuffer(64);
    const framer = new LineFramer();
    ring.write(bytes("par"));
    const h = new ReaderHarness(() => readFrame(ring, framer, { timeout: 0.5 }), 0.125);
    harness = h;
    h.recur(6);
    expect(h.outcome.state === "threw" && h.outcome.error instanceof ReadTimeoutError).toBe(true);
    ring.write(bytes("t\n"));
    expect(step(readFrame(ring, framer))).toEqual({ state: "returned", value: bytes("part") });
  });

  it("gives the same frames as pushing the bytes straight into the framer", () => {
    const stream = bytes("one\r\ntwo\n\nthree\n");
    const direct = pushAll(new LineFramer(), [stream]);
    const ring = new RingBuffer(4);
    const framer = new LineFramer();
    const frames: Uint8Array[] = [];
    let offset = 0;
    while (frames.length < direct.length) {
      offset += ring.write(stream.subarray(offset));
      const outcome = step(readFrame(ring, framer));
      if (outcome.state === "returned") frames.push(outcome.value);
    }
    expect(frames).toEqual(direct);
  });
});
