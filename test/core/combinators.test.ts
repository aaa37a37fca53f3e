import { afterEach, describe, expect, it } from "vitest";
import { Doist, Signal, TimeoutError, WAIT, all, doify, race, timeout, until, waitFor, type DoFunction, type Operation } from "../../src/core/index.js";
import { RingBuffer, readLine } from "../../src/io/index.js";

const doists: Doist[] = [];
afterEach(() => {
  for (const doist of doists.splice(0)) doist.exit();
});

/** Runs `body` in a hand-stepped non-real Doist until it ends; returns its outcome and the tyme. */
function drive<T>(body: () => Operation<T>, passes = 100, tock = 0.25): { value?: T; error?: unknown; at?: number; doist: Doist } {
  const out: { value?: T; error?: unknown; at?: number; doist: Doist } = {} as never;
  const doer: DoFunction = doify(function* (tymth) {
    yield;
    try {
      out.value = yield* body();
    } catch (error) {
      out.error = error;
    }
    out.at = tymth();
    return true;
  });
  const doist = new Doist({ doers: [doer], tock, signals: false });
  doists.push(doist);
  out.doist = doist;
  doist.enter();
  for (let n = 0; n < passes && doist.deeds.length > 0; n++) doist.recur();
  return out;
}

function* sleeper(log: string[], name: string, seconds: number, value: string): Operation<string> {
  try {
    yield seconds;
    log.push(`${name} done`);
    return value;
  } finally {
    log.push(`${name} finally`);
  }
}

describe("race", () => {
  it("returns the first to finish and closes the losers, their finally in reverse order", () => {
    const log: string[] = [];
    const result = drive(() => race([sleeper(log, "slow", 2, "s"), sleeper(log, "fast", 0.5, "f"), sleeper(log, "slower", 3, "x")]));
    expect(result.value).toBe("f");
    expect(result.at).toBe(0.5);
    expect(log).toEqual(["fast done", "fast finally", "slower finally", "slow finally"]);
  });

  it("picks the earlier in the list when two finish in the same pass", () => {
    const log: string[] = [];
    expect(drive(() => race([sleeper(log, "a", 1, "a"), sleeper(log, "b", 1, "b")])).value).toBe("a");
  });

  it("propagates the first error and closes the others", () => {
    const log: string[] = [];
    const failing = (function* (): Operation<string> {
      yield 0.25;
      throw new Error("broke");
    })();
    const result = drive(() => race([sleeper(log, "other", 5, "o"), failing]));
    expect((result.error as Error).message).toBe("broke");
    expect(log).toEqual(["other finally"]);
  });

  it("closes every child when its own dog is closed", () => {
    const log: string[] = [];
    const result = drive(() => race([sleeper(log, "a", 10, "a"), sleeper(log, "b", 10, "b")]), 3);
    expect(log).toEqual([]);
    result.doist.exit();
    expect(log).toEqual(["b finally", "a finally"]);
  });

  it("wakes only the child whose Signal notified, at once, and sleeps with WAIT otherwise", () => {
    const first = new Signal();
    const second = new Signal();
    let resumed = 0;
    function* counted(signal: Signal, name: string): Operation<string> {
      for (;;) {
        yield* waitFor(signal);
        resumed++;
        if (name === "second") return name;
      }
    }
    const out: { value?: string } = {};
    const doer = doify(function* () {
      yield;
      out.value = yield* race([counted(first, "first"), counted(second, "second")]);
      return true;
    });
    const doist = new Doist({ doers: [doer], tock: 0.25, signals: false });
    doists.push(doist);
    doist.enter();
    doist.recur();
    doist.recur();
    expect(doist.deeds[0]!.retyme).toBe(WAIT);
    first.notify();
    doist.recur();
    expect(resumed).toBe(1);
    expect(out.value).toBeUndefined();
    expect(first.waiting).toBe(1); // the first child waits again
    second.notify();
    doist.recur();
    expect(out.value).toBe("second");
    expect(resumed).toBe(2);
    // race closed the first child in its waitFor: it left no waiter on the Signal
    expect(first.waiting).toBe(0);
    expect(second.waiting).toBe(0);
  });

  it("leaves no waiter behind on a Signal or a ring when it closes losers waiting in waitFor and readLine", () => {
    const never = new Signal();
    const ring = new RingBuffer(64);
    const log: string[] = [];
    const result = drive(() => race<unknown>([waitFor(never), readLine(ring), sleeper(log, "timer", 1, "timer")]), 2);
    expect(result.value).toBeUndefined();
    expect(never.waiting).toBe(1);
    expect(ring.dataSignal.waiting).toBe(1);
    for (let n = 0; n < 10 && result.value === undefined; n++) result.doist.recur();
    expect(result.value).toBe("timer");
    expect(never.waiting).toBe(0);
    expect(ring.dataSignal.waiting).toBe(0);
  });

  it("leaves no waiter behind when its own dog is closed while children wait", () => {
    const never = new Signal();
    const ring = new RingBuffer(64);
    const result = drive(() => race<unknown>([waitFor(never), readLine(ring)]), 3);
    expect(never.waiting).toBe(1);
    expect(ring.dataSignal.waiting).toBe(1);
    result.doist.exit();
    expect(never.waiting).toBe(0);
    expect(ring.dataSignal.waiting).toBe(0);
  });

  it("rejects an empty list with a RangeError", () => {
    expect(() => race([]).next()).toThrow(RangeError);
  });
});

describe("all", () => {
  it("returns every value in order once all have finished, at the last one's tyme", () => {
    const log: string[] = [];
    const result = drive(() => all([sleeper(log, "a", 1, "A"), sleeper(log, "b", 0.5, "B")]));
    expect(result.value).toEqual(["A", "B"]);
    expect(result.at).toBe(1);
  });

  it("closes the others when one throws", () => {
    const log: string[] = [];
    const failing = (function* (): Operation<string> {
      yield 0.5;
      throw new Error("nope");
    })();
    const result = drive(() => all([sleeper(log, "a", 3, "A"), failing, sleeper(log, "c", 3, "C")]));
    expect((result.error as Error).message).toBe("nope");
    expect(log).toEqual(["c finally", "a finally"]);
  });

  it("awaits real promises side by side", async () => {
    const out: { value?: unknown } = {};
    const doer = doify(function* () {
      out.value = yield* all([until(Promise.resolve(1)), until(new Promise<string>((resolve) => setTimeout(() => resolve("two"), 5)))]);
      return true;
    });
    await new Doist({ doers: [doer], real: true, signals: false }).do();
    expect(out.value).toEqual([1, "two"]);
  });
});

describe("timeout", () => {
  it("throws a TimeoutError at exactly the limit in tyme and closes the operation", () => {
    const log: string[] = [];
    const result = drive(() => timeout(sleeper(log, "slow", 5, "x"), 1.5));
    expect(result.error).toBeInstanceOf(TimeoutError);
    expect(result.at).toBe(1.5);
    expect(log).toEqual(["slow finally"]);
  });

  it("leaves no waiter behind when it closes an operation waiting in waitFor or readLine", () => {
    const never = new Signal();
    const waited = drive(() => timeout(waitFor(never), 1));
    expect(waited.error).toBeInstanceOf(TimeoutError);
    expect(waited.at).toBe(1);
    expect(never.waiting).toBe(0);
    const ring = new RingBuffer(64);
    const read = drive(() => timeout(readLine(ring), 1));
    expect(read.error).toBeInstanceOf(TimeoutError);
    expect(ring.dataSignal.waiting).toBe(0);
  });

  it("returns the value when the operation finishes in time", () => {
    const log: string[] = [];
    expect(drive(() => timeout(sleeper(log, "quick", 0.5, "ok"), 1)).value).toBe("ok");
  });

  it("rejects bad seconds with a RangeError naming them", () => {
    expect(() => timeout(sleeper([], "x", 1, "x"), -1).next()).toThrow(/^seconds/);
  });
});
