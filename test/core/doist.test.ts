import { describe, expect, it } from "vitest";
import { Doer, Doist, doify, Signal, WAIT, waitFor, type Tymth } from "../../src/core/index.js";
import { Trace, TraceDoer, traceDo } from "../helpers/core-trace.js";

describe("Doist stepped by hand", () => {
  it("enters every doer at the current tyme with a deed due now", () => {
    const trace = new Trace();
    const a = new TraceDoer(trace, "a");
    const f = traceDo(trace, "f", 2);
    const doist = new Doist({ tock: 0.25, doers: [a, f] });
    doist.enter();
    expect(trace.lines()).toEqual(["0 a enter", "0 f enter"]);
    expect(doist.deeds.map((deed) => [deed.doer, deed.retyme])).toEqual([
      [a, 0],
      [f, 0],
    ]);
    expect([a.done, f.done]).toEqual([false, false]);
    doist.exit();
  });

  it("runs due deeds in order, retimes cumulatively and ticks after each pass", () => {
    const trace = new Trace();
    const a = new TraceDoer(trace, "a", { times: 3 });
    const b = new TraceDoer(trace, "b", { tock: 0.5, times: 2 });
    const f = traceDo(trace, "f", 2, 0.25);
    const doist = new Doist({ tock: 0.25, doers: [a, b, f] });
    doist.enter();
    doist.recur();
    expect(doist.tyme).toBe(0.25);
    expect(doist.deeds.map((deed) => deed.retyme)).toEqual([0.25, 0.5, 0.25]);
    doist.recur();
    doist.recur();
    expect(trace.lines()).toEqual([
      "0 a enter",
      "0 b enter",
      "0 f enter",
      "0 a recur",
      "0 b recur",
      "0 f recur",
      "0.25 a recur",
      "0.25 f recur",
      "0.25 f clean",
      "0.25 f exit",
      "0.5 a recur",
      "0.5 a clean",
      "0.5 a exit",
      "0.5 b recur",
      "0.5 b clean",
      "0.5 b exit",
    ]);
    expect(doist.deeds).toEqual([]);
    expect([a.done, b.done, f.done]).toEqual([true, true, true]);
  });

  it("keeps a late deed on its own cadence: retyme is retyme + tock, not tyme + tock", () => {
    const runs: number[] = [];
    const f = doify(
      function* (_tymth: Tymth, tock: number) {
        for (;;) runs.push(yield tock);
      },
      { tock: 0.375 },
    );
    const doist = new Doist({ tock: 0.25, doers: [f] });
    doist.enter();
    for (let pass = 0; pass < 8; pass++) doist.recur();
    // Due at 0, 0.375, 0.75, 1.125, 1.5, 1.875: each run happens at the first
    // tick at or after its retyme. With tyme + tock it would drift: 0, 0.5, 1, 1.5.
    expect(runs).toEqual([0, 0.5, 0.75, 1.25, 1.5]);
    doist.exit();
  });

  it("runs a dog that yields 0 or undefined again at the next tick", () => {
    const runs: number[] = [];
    const f = doify(function* () {
      for (;;) {
        runs.push(yield);
        runs.push(yield 0);
      }
    });
    const doist = new Doist({ tock: 0.5, doers: [f] });
    doist.enter();
    doist.recur();
    doist.recur();
    doist.recur();
    expect(runs).toEqual([0, 0.5, 1]);
    doist.exit();
  });

  it("gives no deed to a dog that returns during enter and records its done state", () => {
    const quick = doify(function* () {
      return true;
    });
    const doist = new Doist({ doers: [quick] });
    doist.enter();
    expect(doist.deeds).toEqual([]);
    expect(quick.done).toBe(true);
  });

  it("force-closes remaining dogs in reverse order of entry on exit, leaving done false", () => {
    const trace = new Trace();
    const doers = [new TraceDoer(trace, "a"), new TraceDoer(trace, "b"), new TraceDoer(trace, "c")];
    const doist = new Doist({ doers });
    doist.enter();
    doist.recur();
    doist.exit();
    expect(trace.lines().slice(6)).toEqual(["0.03125 c cease", "0.03125 c exit", "0.03125 b cease", "0.03125 b exit", "0.03125 a cease", "0.03125 a exit"]);
    expect(doers.map((doer) => doer.done)).toEqual([false, false, false]);
    expect(doist.deeds).toEqual([]);
  });

  it("exits every deed even when one exit throws, then rethrows the first error", () => {
    const trace = new Trace();
    class Broken extends TraceDoer {
      override exit(): void {
        super.exit();
        throw new Error("exit failed");
      }
    }
    const doist = new Doist({ doers: [new TraceDoer(trace, "a"), new Broken(trace, "b")] });
    doist.enter();
    expect(() => doist.exit()).toThrow("exit failed");
    expect(trace.of("a")).toEqual(["0 enter", "0 cease", "0 exit"]);
  });
});

describe("Doist extend and remove", () => {
  it("enters extended doers at once and runs them from the next pass", () => {
    const trace = new Trace();
    const late = new TraceDoer(trace, "late");
    class Spawner extends TraceDoer {
      override recur(tyme: number): boolean {
        const done = super.recur(tyme);
        if (this.count === 1) doist.extend([late]);
        return done;
      }
    }
    const doist = new Doist({ tock: 0.25, doers: [new Spawner(trace, "spawner")] });
    doist.enter();
    doist.recur();
    doist.recur();
    expect(trace.lines()).toEqual(["0 spawner enter", "0 spawner recur", "0 late enter", "0.25 spawner recur", "0.25 late recur"]);
    expect(doist.doers).toContain(late);
    doist.exit();
  });

  it("ignores doers that are already present", () => {
    const trace = new Trace();
    const a = new TraceDoer(trace, "a");
    const doist = new Doist({ doers: [a] });
    doist.enter();
    doist.extend([a]);
    expect(doist.deeds).toHaveLength(1);
    doist.exit();
  });

  it("lets a doer remove a later sibling during a pass: it ceases and exits at once and never recurs again", () => {
    const trace = new Trace();
    const victim = new TraceDoer(trace, "victim");
    class Remover extends TraceDoer {
      override recur(tyme: number): boolean {
        super.recur(tyme);
        if (this.count === 2) doist.remove([victim]);
        return false;
      }
    }
    const doist = new Doist({ tock: 0.25, doers: [new Remover(trace, "remover"), victim] });
    doist.enter();
    doist.recur();
    doist.recur();
    doist.recur();
    expect(trace.of("victim")).toEqual(["0 enter", "0 recur", "0.25 cease", "0.25 exit"]);
    expect(victim.done).toBe(false);
    expect(doist.doers).not.toContain(victim);
    expect(doist.deeds).toHaveLength(1);
    doist.exit();
  });

  it("lets a doer remove an earlier sibling during a pass", () => {
    const trace = new Trace();
    const victim = new TraceDoer(trace, "victim");
    class Remover extends TraceDoer {
      override recur(tyme: number): boolean {
        super.recur(tyme);
        doist.remove([victim]);
        return false;
      }
    }
    const doist = new Doist({ tock: 0.25, doers: [victim, new Remover(trace, "remover")] });
    doist.enter();
    doist.recur();
    doist.recur();
    expect(trace.of("victim")).toEqual(["0 enter", "0 recur", "0 cease", "0 exit"]);
    expect(doist.deeds.map((deed) => (deed.doer as TraceDoer).label)).toEqual(["remover"]);
    doist.exit();
  });

  it("lets a doer remove itself: it is closed as soon as its recur returns", () => {
    const trace = new Trace();
    class Quitter extends TraceDoer {
      override recur(tyme: number): boolean {
        super.recur(tyme);
        if (this.count === 2) doist.remove([this]);
        return false;
      }
    }
    const quitter = new Quitter(trace, "quitter");
    const other = new TraceDoer(trace, "other");
    const doist = new Doist({ tock: 0.25, doers: [quitter, other] });
    doist.enter();
    doist.recur();
    doist.recur();
    doist.recur();
    expect(trace.of("quitter")).toEqual(["0 enter", "0 recur", "0.25 recur", "0.25 cease", "0.25 exit"]);
    expect(trace.of("other")).toEqual(["0 enter", "0 recur", "0.25 recur", "0.5 recur"]);
    expect(quitter.done).toBe(false);
    doist.exit();
  });
});

describe("Doist waking", () => {
  it("does not run a dog that yields WAIT until its signal notifies", () => {
    const signal = new Signal();
    const runs: number[] = [];
    const waiter = doify(function* () {
      yield;
      for (;;) runs.push(yield* waitFor(signal));
    });
    const doist = new Doist({ tock: 0.25, doers: [waiter] });
    doist.enter();
    for (let pass = 0; pass < 4; pass++) doist.recur();
    expect(runs).toEqual([]);
    expect(doist.deeds[0]!.retyme).toBe(WAIT);
    signal.notify();
    doist.recur();
    doist.recur();
    expect(runs).toEqual([1]);
    doist.exit();
  });

  it("runs a woken dog in the same pass when the waker runs before it, else in the next", () => {
    const runs: string[] = [];
    const signal = new Signal();
    const waiter = (label: string) =>
      doify(function* () {
        yield;
        for (;;) {
          const tyme = yield* waitFor(signal);
          runs.push(`${tyme} ${label}`);
        }
      });
    const notifier = doify(function* () {
      yield;
      for (;;) {
        const tyme = yield;
        if (tyme === 0.5) signal.notify();
      }
    });
    const doist = new Doist({ tock: 0.25, doers: [waiter("before"), notifier, waiter("after")] });
    doist.enter();
    for (let pass = 0; pass < 5; pass++) doist.recur();
    expect(runs).toEqual(["0.5 after", "0.75 before"]);
    doist.exit();
  });

  it("runs a Doer that called idle() only after wake()", () => {
    const runs: number[] = [];
    class Sleeper extends Doer {
      override recur(tyme: number): boolean {
        runs.push(tyme);
        this.idle();
        return false;
      }
    }
    const sleeper = new Sleeper();
    const doist = new Doist({ tock: 0.25, doers: [sleeper] });
    doist.enter();
    doist.recur();
    doist.recur();
    doist.recur();
    sleeper.wake();
    doist.recur();
    expect(runs).toEqual([0, 0.75]);
    doist.exit();
  });
});

describe("Doist arguments", () => {
  it("names a generator function that was not doified", () => {
    function* plain() {
      yield;
    }
    expect(() => new Doist({ doers: [plain as never] })).toThrow(/doers\[0\] is generator function plain that was not doified: wrap it with doify/);
  });

  it.each([
    ["a number", 42],
    ["a plain object", { tock: 0 }],
    ["null", null],
  ])("rejects %s as a doer with a TypeError naming its index", (_name, value) => {
    const doer = new Doer();
    expect(() => new Doist({ doers: [doer, value as never] })).toThrow(TypeError);
    expect(() => new Doist({ doers: [doer, value as never] })).toThrow(/^doers\[1\]/);
  });

  it("rejects bad doers given to enter and extend before running anything", () => {
    const trace = new Trace();
    const doist = new Doist({ doers: [new TraceDoer(trace, "a")] });
    expect(() => doist.enter([7 as never])).toThrow(/doers\[0\]/);
    expect(trace.lines()).toEqual([]);
    doist.enter();
    expect(() => doist.extend(["x" as never])).toThrow(TypeError);
    doist.exit();
  });

  it.each([
    [{ tock: -0.1 }, RangeError, /^tock/],
    [{ tock: Number.POSITIVE_INFINITY }, RangeError, /^tock/],
    [{ limit: "5" as unknown as number }, TypeError, /^limit/],
    [{ limit: -1 }, RangeError, /^limit/],
    [{ tyme: Number.NaN }, RangeError, /^tyme/],
  ])("rejects options %o with a clear error", (options, type, message) => {
    expect(() => new Doist(options)).toThrow(type);
    expect(() => new Doist(options)).toThrow(message);
  });

  it("rejects a bad limit given to do() before entering any doer", async () => {
    const trace = new Trace();
    const doist = new Doist({ doers: [new TraceDoer(trace, "a")] });
    await expect(doist.do({ limit: Number.NaN })).rejects.toThrow(RangeError);
    expect(trace.lines()).toEqual([]);
  });
});

describe("doify", () => {
  it("makes independent copies with their own done, tock, opts and name", () => {
    function* worker(_tymth: Tymth, tock: number, opts: Record<string, unknown>) {
      yield tock;
      return opts.result as boolean;
    }
    const one = doify(worker, { name: "one", tock: 0.5, opts: { result: true } });
    const two = doify(worker, { name: "two", opts: { result: false } });
    expect(one).not.toBe(two);
    expect([one.name, one.tock, one.opts, one.done]).toEqual(["one", 0.5, { result: true }, undefined]);
    expect([two.name, two.tock, two.opts]).toEqual(["two", 0, { result: false }]);
    const doist = new Doist({ doers: [one, two] });
    doist.enter();
    doist.recur();
    expect([one.done, two.done]).toEqual([true, false]);
  });

  it("copies opts so changing the source object later does not leak in", () => {
    const opts = { n: 1 };
    const copy = doify(
      function* () {
        return false;
      },
      { opts },
    );
    opts.n = 2;
    expect(copy.opts).toEqual({ n: 1 });
  });

  it("rejects a bad tock", () => {
    expect(() =>
      doify(
        function* () {
          return false;
        },
        { tock: -1 },
      ),
    ).toThrow(RangeError);
  });

  it.each([
    ["an arrow function", () => 1],
    [
      "a plain function",
      function plain() {
        return 1;
      },
    ],
    ["a number", 42],
    ["undefined", undefined],
  ])("rejects %s at once with a TypeError naming fn", (_name, fn) => {
    expect(() => doify(fn as never)).toThrow(TypeError);
    expect(() => doify(fn as never)).toThrow(/^fn must be a generator function \(function\*\), got /);
  });

  it("rejects an async generator function with a TypeError that says why", () => {
    async function* reader() {
      yield 0;
    }
    expect(() => doify(reader as never)).toThrow(TypeError);
    expect(() => doify(reader as never)).toThrow(/^fn must be a generator function \(function\*\), got async generator function reader/);
  });

  it.each([
    [{ name: 7 }, /^name must be a string/],
    [{ opts: "x" }, /^opts must be an object/],
  ])("rejects option %o with a TypeError naming it", (options, message) => {
    expect(() =>
      doify(function* () {
        return true;
      }, options as never),
    ).toThrow(TypeError);
    expect(() =>
      doify(function* () {
        return true;
      }, options as never),
    ).toThrow(message);
  });
});

describe("doers that do not return a generator", () => {
  it("names a Doer-like object whose do() returns no generator, at enter", () => {
    const broken = { name: "broken", done: undefined, tock: 0, opts: {}, do: () => 1 };
    const doist = new Doist({ doers: [broken as never] });
    expect(() => doist.enter()).toThrow(TypeError);
    expect(() => new Doist({ doers: [broken as never] }).enter()).toThrow(/^doer broken must return a generator \(its dog\) when run, got number 1/);
  });

  it("rejects an async generator function as a doer, naming its index", () => {
    async function* reader() {
      yield 0;
    }
    expect(() => new Doist({ doers: [reader as never] })).toThrow(/^doers\[0\] is async generator function reader/);
  });

  it.each([
    ["Doist.extend", () => new Doist().extend("x" as never)],
    ["Doist.remove", () => new Doist().remove("x" as never)],
    ["new Doist", () => new Doist({ doers: "x" as never })],
  ])("%s rejects doers that are not an array with a TypeError naming doers", (_name, call) => {
    expect(call).toThrow(TypeError);
    expect(call).toThrow(/^doers must be an array/);
  });
});
