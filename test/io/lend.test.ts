import { afterEach, describe, expect, it } from "vitest";
import { EndOfStreamError, ReadTimeoutError, RingBuffer, RingEndedError, lendRegions, pipe, regionsLength, type Regions } from "../../src/io/index.js";
import { ReaderHarness, bytes, step, text } from "../helpers/io-drive.js";

/** A ring of `capacity` holding `content` from position `head`, so it wraps when it runs past the end. */
function ringAt(capacity: number, head: number, content: string): RingBuffer {
  const ring = new RingBuffer({ capacity, name: "test rxbs", initialSize: capacity });
  if (head > 0) {
    ring.write(new Uint8Array(head));
    ring.consume(head - 1); // one byte stays, so the read end is not reset to 0
  }
  ring.write(bytes(content));
  if (head > 0) ring.consume(1);
  return ring;
}

const joined = (regions: Regions): string => regions.map((region) => text(region)).join("|");

let harness: ReaderHarness<unknown> | undefined;
afterEach(() => {
  harness?.exit();
  harness = undefined;
});

describe("lendRegions", () => {
  // capacity 8, read end at `head`; the views are shown joined by "|" where they wrap.
  const rows: { name: string; head: number; chunks: string[]; max?: number; lent: string }[] = [
    { name: "bytes there at the call", head: 0, chunks: ["abc"], lent: "abc" },
    { name: "cut at max inside one region", head: 0, chunks: ["abcdef"], max: 4, lent: "abcd" },
    { name: "wrapped: two views", head: 6, chunks: ["abcde"], lent: "ab|cde" },
    { name: "wrapped, cut at max in the first view", head: 6, chunks: ["abcde"], max: 1, lent: "a" },
    { name: "wrapped, cut at max in the second view", head: 6, chunks: ["abcde"], max: 3, lent: "ab|c" },
    { name: "wrapped, max exactly the first view", head: 6, chunks: ["abcde"], max: 2, lent: "ab" },
  ];
  for (const row of rows) {
    it(`lends without copying: ${row.name}`, () => {
      const ring = ringAt(8, row.head, row.chunks.join(""));
      const before = ring.length;
      const outcome = step(lendRegions(ring, { max: row.max }));
      expect(outcome.state).toBe("returned");
      if (outcome.state !== "returned") return;
      expect(joined(outcome.value)).toBe(row.lent);
      expect(ring.length).toBe(before); // nothing consumed
      for (const region of outcome.value) expect(region.length).toBeGreaterThan(0);
      // Views of the ring's own store: a write through the view shows in the ring.
      outcome.value[0]![0] = 0x5a;
      expect(ring.at(0)).toBe(0x5a);
    });
  }

  it("waits while the ring is empty and lends the first chunk that arrives (byte at a time)", () => {
    const ring = new RingBuffer(16);
    const reader = lendRegions(ring);
    expect(step(reader).state).toBe("waiting");
    ring.write(bytes("x"));
    const outcome = step(reader);
    expect(outcome.state === "returned" && joined(outcome.value)).toBe("x");
  });

  it("lends the rest again after a partial consume", () => {
    const ring = new RingBuffer(16);
    ring.write(bytes("hello world"));
    const first = step(lendRegions(ring));
    if (first.state !== "returned") throw new Error("not lent");
    expect(regionsLength(first.value)).toBe(11);
    ring.consume(6);
    const second = step(lendRegions(ring));
    expect(second.state === "returned" && joined(second.value)).toBe("world");
  });

  it("throws EndOfStreamError with an empty partial once the ring ended and is drained", () => {
    const ring = new RingBuffer(16);
    ring.write(bytes("ab"));
    ring.end();
    const lent = step(lendRegions(ring));
    expect(lent.state === "returned" && joined(lent.value)).toBe("ab"); // the tail is still lent
    ring.consume(2);
    const outcome = step(lendRegions(ring));
    expect(outcome.state).toBe("threw");
    if (outcome.state === "threw") {
      expect(outcome.error).toBeInstanceOf(EndOfStreamError);
      expect((outcome.error as EndOfStreamError).partial.length).toBe(0);
    }
  });

  it("sleeps on dataSignal in a Doist and times out in tyme", () => {
    const ring = new RingBuffer({ capacity: 16, name: "quiet rxbs" });
    const run = new ReaderHarness(() => lendRegions(ring, { timeout: 0.5 }), 0.125);
    harness = run as ReaderHarness<unknown>;
    run.recur(3);
    expect(run.outcome.state).toBe("waiting");
    run.recur(10);
    expect(run.outcome.state).toBe("threw");
    if (run.outcome.state === "threw") {
      expect(run.outcome.error).toBeInstanceOf(ReadTimeoutError);
      expect((run.outcome.error as Error).message).toMatch(/^quiet rxbs: no bytes within 0.5 s/);
    }
  });

  it.each([0, -1, 1.5, "4"])("rejects max %o with a RangeError/TypeError naming max", (max) => {
    expect(() => lendRegions(new RingBuffer(8), { max: max as number })).toThrow(/^max /);
  });
});

describe("regionsLength", () => {
  it("counts none, one or two views", () => {
    expect([regionsLength([]), regionsLength([bytes("ab")]), regionsLength([bytes("ab"), bytes("cde")])]).toEqual([0, 2, 5]);
  });
});

describe("pipe", () => {
  const payload = new Uint8Array(3000);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 31 + (i >> 7)) & 0xff;
  // name, chunk written into `from` per step, capacity of from, capacity of to, bytes drained from `to` per step
  const rows: Array<[string, number, number, number, number]> = [
    ["chunks of 1, to drained a byte at a time", 1, 16, 4, 1],
    ["chunks of 1000 into small rings (wrapping on both sides)", 1000, 100, 64, 7],
    ["from larger than to", 500, 4096, 16, 16],
    ["to larger than from", 64, 64, 4096, 1000],
  ];
  for (const [name, chunk, fromSize, toSize, drain] of rows) {
    it(`moves every byte in order with back pressure: ${name}`, () => {
      const from = new RingBuffer({ capacity: fromSize, initialSize: fromSize });
      const to = new RingBuffer({ capacity: toSize, initialSize: toSize });
      const mover = pipe(from, to);
      const out: number[] = [];
      let sent = 0;
      let result: IteratorResult<number | undefined, number> = mover.next(0);
      for (let guard = 0; guard < 100_000 && !result.done; guard++) {
        if (sent < payload.length) sent += from.write(payload.subarray(sent, Math.min(sent + chunk, payload.length)));
        else from.end();
        for (const byte of to.read(drain)) out.push(byte);
        expect(from.length <= fromSize && to.length <= toSize).toBe(true);
        result = mover.next(0);
      }
      expect(result.done).toBe(true);
      expect(result.value).toBe(payload.length);
      while (to.length > 0) for (const byte of to.read()) out.push(byte);
      expect(Uint8Array.from(out)).toEqual(payload);
    });
  }

  it("stops after max bytes and leaves the rest in from", () => {
    const from = new RingBuffer(32);
    const to = new RingBuffer(32);
    from.write(bytes("0123456789"));
    const outcome = step(pipe(from, to, { max: 4 }));
    expect(outcome).toEqual({ state: "returned", value: 4 });
    expect([text(to.read()), text(from.read())]).toEqual(["0123", "456789"]);
  });

  it("throws RingEndedError when to has ended", () => {
    const from = new RingBuffer(32);
    const to = new RingBuffer(32);
    from.write(bytes("abc"));
    to.end();
    const outcome = step(pipe(from, to));
    expect(outcome.state === "threw" && outcome.error).toBeInstanceOf(RingEndedError);
  });

  it("sleeps while from is empty (in a Doist) and returns once from ends", () => {
    const from = new RingBuffer(32);
    const to = new RingBuffer(32);
    const run = new ReaderHarness(() => pipe(from, to), 0.125);
    harness = run as ReaderHarness<unknown>;
    run.recur(1);
    const resumes = run.resumes;
    run.recur(5);
    expect(run.resumes).toBe(resumes); // asleep on from.dataSignal, not polled each tick
    from.write(bytes("ping"));
    run.recur(2);
    expect(text(to.read())).toBe("ping");
    from.end();
    run.recur(2);
    expect(run.outcome).toEqual({ state: "returned", value: 4 });
  });
});
