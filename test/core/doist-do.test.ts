import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { DoDoer, Doist, doify, Signal, WAIT, currentWaker, waitFor } from "../../src/core/index.js";
import { MAX_WAKE_PASSES } from "../../src/core/doist.js";
import { Trace, TraceDoer, traceDo } from "../helpers/core-trace.js";

function scenario(trace: Trace) {
  return [new TraceDoer(trace, "a", { times: 3 }), new DoDoer({ doers: [new TraceDoer(trace, "b", { tock: 0.0625 }), traceDo(trace, "c", 4, 0.03125)] })];
}

describe("Doist.do", () => {
  it("resolves true when every deed completes", async () => {
    const trace = new Trace();
    const doist = new Doist({ tock: 0.25, doers: [new TraceDoer(trace, "a", { times: 2 })] });
    await expect(doist.do()).resolves.toBe(true);
    expect(doist.done).toBe(true);
    expect(trace.of("a")).toEqual(["0 enter", "0 recur", "0.25 recur", "0.25 clean", "0.25 exit"]);
  });

  it("stops at the limit and closes what is left", async () => {
    const trace = new Trace();
    const doist = new Doist({ tock: 0.25, doers: [new TraceDoer(trace, "a")] });
    await expect(doist.do({ limit: 0.5 })).resolves.toBe(false);
    expect(trace.of("a")).toEqual(["0 enter", "0 recur", "0.25 recur", "0.5 cease", "0.5 exit"]);
  });

  it("replaces doers and restarts from a given tyme", async () => {
    const trace = new Trace();
    const doist = new Doist({ tock: 0.5, doers: [new TraceDoer(trace, "old")] });
    await doist.do({ doers: [new TraceDoer(trace, "new", { times: 1 })], tyme: 10 });
    expect(trace.lines()).toEqual(["10 new enter", "10 new recur", "10 new clean", "10 new exit"]);
  });

  it("rejects with the very error a doer threw, after every exit ran", async () => {
    const trace = new Trace();
    const boom = new Error("boom");
    const thrower = doify(function* () {
      yield;
      yield;
      throw boom;
    });
    const doist = new Doist({ tock: 0.25, doers: [new TraceDoer(trace, "a"), thrower, new TraceDoer(trace, "b")] });
    await expect(doist.do()).rejects.toBe(boom);
    expect(trace.lines().slice(-4)).toEqual(["0.25 b cease", "0.25 b exit", "0.25 a cease", "0.25 a exit"]);
    expect(doist.deeds).toEqual([]);
  });

  it("exits the doers already entered when a later enter throws", async () => {
    const trace = new Trace();
    const doist = new Doist({ doers: [new TraceDoer(trace, "a"), new TraceDoer(trace, "b", { failInEnter: true })] });
    await expect(doist.do()).rejects.toThrow("b failed in enter");
    expect(trace.lines()).toEqual(["0 a enter", "0 b enter", "0 b abort", "0 b exit", "0 a cease", "0 a exit"]);
  });

  it("gives the same trace in real time as in fast time", async () => {
    const fast = new Trace();
    await new Doist({ tock: 0.03125, limit: 0.25, doers: scenario(fast) }).do();
    const real = new Trace();
    const started = performance.now();
    await new Doist({ tock: 0.03125, limit: 0.25, real: true, doers: scenario(real) }).do();
    const elapsed = performance.now() - started;
    expect(real.lines()).toEqual(fast.lines());
    // Loose bound: tyme never runs ahead of the wall clock, so 0.25 s of tyme took at least ~0.25 s.
    expect(elapsed).toBeGreaterThanOrEqual(240);
  });

  it("runs a real-time doer woken from a timer at a tyme the wall clock has reached", async () => {
    let wokenAt: number | undefined;
    let ranAtTyme: number | undefined;
    let started = 0;
    let elapsedAtRun = 0;
    const waiter = doify(function* () {
      const waker = currentWaker()!;
      setTimeout(() => {
        wokenAt = performance.now();
        waker.wake();
      }, 60);
      yield;
      ranAtTyme = yield WAIT;
      elapsedAtRun = (performance.now() - started) / 1000;
      return true;
    });
    const doist = new Doist({ tock: 0.05, real: true, limit: 5, doers: [waiter] });
    started = performance.now();
    await expect(doist.do()).resolves.toBe(true);
    expect(wokenAt).toBeDefined();
    expect(ranAtTyme).toBeDefined();
    expect(ranAtTyme!).toBeLessThanOrEqual(elapsedAtRun);
    expect(ranAtTyme!).toBeGreaterThanOrEqual(0.05);
    expect(waiter.done).toBe(true);
  });

  it("runs a slow doer on its own cadence in real time and stops at the limit", async () => {
    let passes = 0;
    const counter = doify(function* () {
      for (;;) {
        yield 0.2;
        passes++;
      }
    });
    const doist = new Doist({ tock: 0.01, real: true, limit: 0.5, doers: [counter] });
    await doist.do();
    expect(passes).toBe(3); // at 0, 0.2, 0.4 of tyme; 50 ticks in all
    expect(doist.tyme).toBeCloseTo(0.5, 9);
  });

  it("wakes a sleeping real-time Doist when a doer is extended from outside", async () => {
    const signal = new Signal();
    const trace = new Trace();
    const holder = doify(function* () {
      yield;
      yield* waitFor(signal);
      return true;
    });
    const doist = new Doist({ tock: 0.05, real: true, limit: 5, doers: [holder] });
    setTimeout(() => {
      doist.extend([traceDo(trace, "late", 1)]);
      signal.notify();
    }, 30);
    await expect(doist.do()).resolves.toBe(true);
    expect(trace.entries.map(([, , context]) => context)).toEqual(["enter", "recur", "clean", "exit"]);
  });

  it("sleeps with tock 0 instead of spinning, survives a stray wake, and ends when its doers are removed", async () => {
    let runs = 0;
    const waiter = doify(function* () {
      yield;
      for (;;) {
        yield WAIT;
        runs++;
      }
    });
    const doist = new Doist({ tock: 0, real: true, doers: [waiter] });
    const stray = setTimeout(() => doist.wake(), 20); // a wake with no woken deed
    const stop = setTimeout(() => doist.remove([waiter]), 60);
    try {
      await expect(doist.do()).resolves.toBe(true);
    } finally {
      clearTimeout(stray);
      clearTimeout(stop);
    }
    expect(runs).toBe(0);
    expect(waiter.done).toBe(false);
  });

  it("wakes for a removal between passes only where it can end a DoDoer, not in an always-on one", async () => {
    const runs = { kept: 0, ending: 0 };
    class Counted extends DoDoer {
      constructor(
        readonly key: "kept" | "ending",
        options: ConstructorParameters<typeof DoDoer>[0],
      ) {
        super(options);
      }
      override recur(tyme: number): boolean {
        runs[this.key]++;
        return super.recur(tyme);
      }
    }
    const waiter = () =>
      doify(function* () {
        for (;;) yield WAIT;
      });
    const a = waiter();
    const b = waiter();
    const kept = new Counted("kept", { always: true, doers: [a] });
    const ending = new Counted("ending", { doers: [b] });
    const doist = new Doist({ tock: 0, real: true, doers: [kept, ending], signals: false });
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    const run = doist.do();
    await turn();
    await turn();
    const before = { ...runs };
    kept.remove([a]); // between passes: it cannot end `kept`, so no pass
    await turn();
    await turn();
    expect(runs).toEqual(before);
    ending.remove([b]); // it can end `ending`: a pass sees it done
    await turn();
    await turn();
    expect(runs).toEqual({ kept: before.kept, ending: before.ending + 1 });
    expect(ending.done).toBe(true);
    doist.remove([kept]);
    await expect(run).resolves.toBe(true);
  });

  it("refuses to run twice at once", async () => {
    const doist = new Doist({ tock: 0.25, doers: [new TraceDoer(new Trace(), "a", { times: 2 })] });
    const first = doist.do();
    await expect(doist.do()).rejects.toThrow(/already running/);
    await first;
  });
});

describe("Doist.do in real time: wakes during a pass", () => {
  /**
   * Schedules a check of the event-loop turn: `ended()` turns true once the
   * turn in which `mark()` was called is over (its setImmediate ran).
   */
  function turnMarker() {
    let marked = 0;
    let over = 0;
    return {
      mark(): number {
        const turn = ++marked;
        setImmediate(() => (over = turn));
        return turn;
      },
      /** The turn of mark number `turn` is over. */
      over(turn: number): boolean {
        return over >= turn;
      },
    };
  }

  it("runs a deed woken by a later deed of the same pass in a wake pass in the same event-loop turn", async () => {
    const signal = new Signal();
    const turns = turnMarker();
    let turn = 0;
    let notifiedAt = Number.NaN;
    let ranAt = Number.NaN;
    let sameTurn: boolean | undefined;
    const waiter = doify(function* () {
      yield; // enter
      ranAt = yield* waitFor(signal);
      sameTurn = !turns.over(turn);
      return true;
    });
    const notifier = doify(function* () {
      const waker = currentWaker()!;
      setTimeout(() => waker.wake(), 20); // an I/O-like event from outside
      yield;
      notifiedAt = yield WAIT;
      turn = turns.mark();
      signal.notify(); // the waiter's deed is already behind in this pass
      return true;
    });
    const doist = new Doist({ tock: 0.05, real: true, limit: 5, doers: [waiter, notifier] });
    await expect(doist.do()).resolves.toBe(true);
    expect(sameTurn).toBe(true);
    expect(ranAt).toBeGreaterThanOrEqual(notifiedAt);
    expect(ranAt).toBeLessThan(notifiedAt + 0.05); // not a tock later
  });

  it("runs a deed that woke itself while running (a handle's wake inside service) again in the same turn", async () => {
    const turns = turnMarker();
    const runs: boolean[] = [];
    let turn = 0;
    const servicer = doify(function* () {
      const waker = currentWaker()!;
      yield;
      turn = turns.mark();
      waker.wake(); // e.g. service() moved bytes that raise another event
      yield WAIT;
      runs.push(!turns.over(turn));
      return true;
    });
    const doist = new Doist({ tock: 0.05, real: true, limit: 5, doers: [servicer] });
    await expect(doist.do()).resolves.toBe(true);
    expect(runs).toEqual([true]);
  });

  it("propagates a wake during a pass through nested DoDoers to a wake pass in the same turn", async () => {
    const signal = new Signal();
    const turns = turnMarker();
    let turn = 0;
    let sameTurn: boolean | undefined;
    const waiter = doify(function* () {
      yield;
      yield* waitFor(signal);
      sameTurn = !turns.over(turn);
      return true;
    });
    const notifier = doify(function* () {
      yield;
      yield 0.1;
      turn = turns.mark();
      signal.notify();
      return true;
    });
    const deep = new DoDoer({ doers: [new DoDoer({ doers: [waiter] })] });
    const doist = new Doist({ tock: 0.05, real: true, limit: 5, doers: [deep, new DoDoer({ doers: [notifier] })] });
    await expect(doist.do()).resolves.toBe(true);
    expect(sameTurn).toBe(true);
  });

  it(`does not let a deed that wakes itself forever starve the event loop (at most ${MAX_WAKE_PASSES} wake passes per turn)`, async () => {
    let turnsSeen = 0;
    let runsThisTurn = 0;
    let mostRunsInATurn = 0;
    const tick = () => {
      turnsSeen++;
      runsThisTurn = 0;
      if (turnsSeen < 5) setImmediate(tick);
    };
    const spinner = doify(function* () {
      const waker = currentWaker()!;
      setImmediate(tick);
      for (;;) {
        yield 0.05;
        runsThisTurn++;
        mostRunsInATurn = Math.max(mostRunsInATurn, runsThisTurn);
        if (turnsSeen >= 5) return true;
        waker.wake();
      }
    });
    const doist = new Doist({ tock: 0.05, real: true, limit: 1, doers: [spinner] });
    await expect(doist.do()).resolves.toBe(true);
    expect(turnsSeen).toBe(5);
    expect(mostRunsInATurn).toBeGreaterThan(1); // it did run in wake passes
    expect(mostRunsInATurn).toBeLessThanOrEqual(MAX_WAKE_PASSES + 2);
  });

  it("keeps a non-real run's order and tymes: a deed woken behind the pass runs at the next tick", async () => {
    const signal = new Signal();
    const runs: string[] = [];
    const waiter = doify(function* () {
      yield;
      runs.push(`${yield* waitFor(signal)} waiter`);
      return true;
    });
    const notifier = doify(function* (tymth) {
      yield;
      yield 0.5;
      runs.push(`${tymth()} notify`);
      signal.notify();
      return true;
    });
    await new Doist({ tock: 0.25, limit: 2, doers: [new DoDoer({ doers: [waiter] }), notifier] }).do();
    expect(runs).toEqual(["0.5 notify", "0.75 waiter"]);
  });
});

describe("Doist.do and process signals", () => {
  let child: ChildProcess | undefined;

  afterEach(() => {
    child?.kill("SIGKILL");
    child = undefined;
  });

  it.each(["SIGINT", "SIGTERM"] as const)("on %s runs every exit in reverse order, then ends the process", async (signal) => {
    const fixture = fileURLToPath(new URL("../fixtures/core-signal.ts", import.meta.url));
    child = spawn(process.execPath, ["--import", "tsx", fixture], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child!.on("exit", (code, received) => resolve({ code, signal: received }));
    });
    await new Promise<void>((resolve, reject) => {
      child!.stdout!.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("ready")) resolve();
      });
      child!.on("exit", () => reject(new Error(`fixture ended early: ${output}`)));
    });
    child.kill(signal);
    const result = await ended;
    expect(output.trim().split("\n")).toEqual(["first enter", "second enter", "ready", "second cease", "second exit", "first cease", "first exit", "resolved done=false"]);
    expect(result.signal).toBe(signal);
  });
});
