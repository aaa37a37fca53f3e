import { getEventListeners } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { AbortError, Doist, Signal, abortable, doify, waitFor, whenAborted } from "../../src/core/index.js";
import { RingBuffer, readLine } from "../../src/io/index.js";
import { Trace, TraceDoer } from "../helpers/core-trace.js";

const doists: Doist[] = [];
afterEach(() => {
  for (const doist of doists.splice(0)) doist.exit();
});

describe("Doist.do({ signal })", () => {
  it("stops a real run on AbortSignal.timeout: every exit runs, then it rejects with the reason", async () => {
    const trace = new Trace();
    const signal = AbortSignal.timeout(100);
    const doist = new Doist({ tock: 0.05, real: true, signals: false, doers: [new TraceDoer(trace, "forever")] });
    const error = await doist.do({ signal }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).code).toBe("ABORT_ERR");
    expect(((error as AbortError).cause as Error).name).toBe("TimeoutError");
    expect(
      trace
        .of("forever")
        .slice(-2)
        .map((line) => line.split(" ")[1]),
    ).toEqual(["cease", "exit"]);
    expect(doist.deeds).toEqual([]);
    expect(getEventListeners(signal, "abort")).toHaveLength(0);
  });

  it("stops a fast run at the pass that aborted it, deterministically", async () => {
    const trace = new Trace();
    const controller = new AbortController();
    const stopper = doify(function* (tymth) {
      while (tymth() < 0.5) yield;
      controller.abort("enough");
      yield;
      return true;
    });
    const doist = new Doist({ tock: 0.25, signals: false, doers: [stopper, new TraceDoer(trace, "a")] });
    const error = await doist.do({ signal: controller.signal }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).cause).toBe("enough");
    expect(trace.of("a")).toEqual(["0 enter", "0 recur", "0.25 recur", "0.5 recur", "0.75 cease", "0.75 exit"]);
  });

  it("does not enter when the signal has already aborted", async () => {
    const trace = new Trace();
    const doist = new Doist({ signals: false, doers: [new TraceDoer(trace, "a")] });
    await expect(doist.do({ signal: AbortSignal.abort("no") })).rejects.toBeInstanceOf(AbortError);
    expect(trace.lines()).toEqual([]);
  });

  it("resolves as usual when the run completes before any abort", async () => {
    const controller = new AbortController();
    const trace = new Trace();
    const doist = new Doist({ signals: false, doers: [new TraceDoer(trace, "a", { times: 1 })] });
    await expect(doist.do({ signal: controller.signal })).resolves.toBe(true);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("rejects a signal that is not an AbortSignal with a TypeError naming it", async () => {
    await expect(new Doist({ signals: false }).do({ signal: {} as AbortSignal })).rejects.toThrow(/^signal must be an AbortSignal/);
  });
});

describe("Doist disposal", () => {
  it("using: exits a hand-stepped Doist at the end of the block", () => {
    const trace = new Trace();
    {
      using doist = new Doist({ tock: 0.25, signals: false, doers: [new TraceDoer(trace, "a")] });
      doist.enter();
      doist.recur();
    }
    expect(trace.of("a")).toEqual(["0 enter", "0 recur", "0.25 cease", "0.25 exit"]);
  });

  it("await using: stops a running do() and waits for its exits", async () => {
    const trace = new Trace();
    let running: Promise<boolean> | undefined;
    {
      await using doist = new Doist({ tock: 0.01, real: true, signals: false, doers: [new TraceDoer(trace, "a")] });
      running = doist.do();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(trace.of("a").at(-1)).toMatch(/ exit$/);
    await expect(running).resolves.toBe(false);
  });
});

describe("waitFor({ signal })", () => {
  it("ends a wait on a Signal that never notifies with an AbortError", async () => {
    const controller = new AbortController();
    const never = new Signal();
    let caught: unknown;
    const waiter = doify(function* () {
      yield; // enter ends here; the wait starts in recur
      try {
        yield* waitFor(never, { signal: controller.signal });
      } catch (error) {
        caught = error;
      }
      return true;
    });
    const doist = new Doist({ tock: 0.25, signals: false, doers: [waiter] });
    doists.push(doist);
    doist.enter();
    doist.recur();
    doist.recur();
    expect(caught).toBeUndefined();
    expect(never.waiting).toBe(1);
    controller.abort(new Error("caller gave up"));
    doist.recur();
    expect(caught).toBeInstanceOf(AbortError);
    expect(((caught as AbortError).cause as Error).message).toBe("caller gave up");
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
    // the aborted wait was closed inside waitFor: no waiter is left on the Signal
    expect(never.waiting).toBe(0);
  });

  it("leaves no waiter on a ring when a reader with a signal is aborted", () => {
    const controller = new AbortController();
    const ring = new RingBuffer(64);
    let caught: unknown;
    const reader = doify(function* () {
      yield;
      try {
        yield* readLine(ring, { signal: controller.signal });
      } catch (error) {
        caught = error;
      }
      return true;
    });
    const doist = new Doist({ tock: 0.25, signals: false, doers: [reader] });
    doists.push(doist);
    doist.enter();
    doist.recur();
    expect(ring.dataSignal.waiting).toBe(1);
    controller.abort();
    doist.recur();
    expect(caught).toBeInstanceOf(AbortError);
    expect(ring.dataSignal.waiting).toBe(0);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("keeps its timeout in tyme when given a signal too", () => {
    const ready = new Signal();
    let tyme: number | undefined;
    const waiter = doify(function* () {
      yield;
      tyme = yield* waitFor(ready, { timeout: 1, signal: new AbortController().signal });
      return true;
    });
    const doist = new Doist({ tock: 0.25, signals: false, doers: [waiter] });
    doists.push(doist);
    doist.enter();
    for (let n = 0; n < 8 && tyme === undefined; n++) doist.recur();
    expect(tyme).toBe(1);
    expect(ready.waiting).toBe(0);
  });
});

describe("abortable", () => {
  it("closes the operation it wraps (its finally runs) on abort", () => {
    const controller = new AbortController();
    const trace: string[] = [];
    const inner = (function* () {
      try {
        for (;;) yield 1;
      } finally {
        trace.push("inner finally");
      }
    })();
    const dog = abortable(inner, controller.signal, "job");
    dog.next();
    controller.abort();
    expect(() => dog.next(1)).toThrow(AbortError);
    expect(trace).toEqual(["inner finally"]);
  });
});

describe("whenAborted", () => {
  it("rejects at once on abort, after calling onAbort, and removes its listener on settle", async () => {
    const controller = new AbortController();
    let closed = 0;
    const pending = whenAborted(new Promise<never>((_, reject) => setTimeout(() => reject(new Error("late")), 5)), controller.signal, "client x open", () => closed++);
    controller.abort("stop");
    await expect(pending).rejects.toThrow(/^client x open aborted: stop$/);
    expect(closed).toBe(1);
    const fine = new AbortController();
    await expect(whenAborted(Promise.resolve(7), fine.signal, "y")).resolves.toBe(7);
    expect(getEventListeners(fine.signal, "abort")).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 10)); // the late rejection is handled
  });
});
