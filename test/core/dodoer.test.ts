import { describe, expect, it } from "vitest";
import { DoDoer, Doist, doify, Signal, WAIT, waitFor } from "../../src/core/index.js";
import { Trace, TraceDoer, traceDo } from "../helpers/core-trace.js";

describe("DoDoer", () => {
  it("runs nested doers on the root's tyme; forced close at the limit shows cease then exit, done false", async () => {
    const trace = new Trace();
    const x = new TraceDoer(trace, "x");
    const y = new TraceDoer(trace, "y", { tock: 0.5 });
    const inner = new DoDoer({ doers: [y] });
    const outer = new DoDoer({ doers: [x, inner] });
    const z = traceDo(trace, "z", 2);
    const doist = new Doist({ tock: 0.25, limit: 1, doers: [outer, z] });
    const done = await doist.do();
    expect(trace.lines()).toEqual([
      "0 x enter",
      "0 y enter",
      "0 z enter",
      "0 x recur",
      "0 y recur",
      "0 z recur",
      "0.25 x recur",
      "0.25 z recur",
      "0.25 z clean",
      "0.25 z exit",
      "0.5 x recur",
      "0.5 y recur",
      "0.75 x recur",
      "1 y cease",
      "1 y exit",
      "1 x cease",
      "1 x exit",
    ]);
    expect(done).toBe(false);
    expect(doist.done).toBe(false);
    expect(doist.tyme).toBe(1);
    expect([outer.done, inner.done, x.done, y.done, z.done]).toEqual([false, false, false, false, true]);
  });

  it("is done when all its doers are done, and then runs its own clean and exit", async () => {
    const trace = new Trace();
    class Group extends DoDoer {
      override clean(): void {
        trace.add(this.tyme, "group", "clean");
      }
      override exit(): void {
        super.exit();
        trace.add(this.tyme, "group", "exit");
      }
    }
    const group = new Group({ doers: [new TraceDoer(trace, "a", { times: 1 }), new TraceDoer(trace, "b", { times: 2 })] });
    const doist = new Doist({ tock: 0.5, doers: [group] });
    expect(await doist.do()).toBe(true);
    expect(trace.lines()).toEqual([
      "0 a enter",
      "0 b enter",
      "0 a recur",
      "0 a clean",
      "0 a exit",
      "0 b recur",
      "0.5 b recur",
      "0.5 b clean",
      "0.5 b exit",
      "0.5 group clean",
      "0.5 group exit",
    ]);
    expect(group.done).toBe(true);
  });

  it("runs its children every time it runs when its tock is 0, and only on its own tock otherwise", () => {
    const trace = new Trace();
    const slow = new DoDoer({ tock: 0.5, doers: [new TraceDoer(trace, "child")] });
    const doist = new Doist({ tock: 0.25, doers: [slow] });
    doist.enter();
    for (let pass = 0; pass < 5; pass++) doist.recur();
    expect(trace.of("child")).toEqual(["0 enter", "0 recur", "0.5 recur", "1 recur"]);
    doist.exit();
  });

  it("stays alive with always and runs doers extended later", () => {
    const trace = new Trace();
    const group = new DoDoer({ always: true });
    const doist = new Doist({ tock: 0.25, doers: [group] });
    doist.enter();
    doist.recur();
    expect(doist.deeds).toHaveLength(1);
    const late = new TraceDoer(trace, "late", { times: 1 });
    group.extend([late]);
    doist.recur();
    doist.recur();
    expect(trace.of("late")).toEqual(["0.25 enter", "0.25 recur", "0.25 clean", "0.25 exit"]);
    expect(doist.deeds).toHaveLength(1);
    expect(group.doers).toEqual([late]);
    doist.exit();
    expect(group.done).toBe(false);
  });

  it("lets a child remove its sibling and itself during the DoDoer's pass", () => {
    const trace = new Trace();
    const sibling = new TraceDoer(trace, "sibling");
    class Remover extends TraceDoer {
      override recur(tyme: number): boolean {
        super.recur(tyme);
        if (this.count === 2) group.remove([sibling, this]);
        return false;
      }
    }
    const group = new DoDoer({ doers: [new Remover(trace, "remover"), sibling] });
    const doist = new Doist({ tock: 0.25, doers: [group] });
    doist.enter();
    doist.recur();
    doist.recur();
    expect(trace.lines().slice(4)).toEqual(["0.25 remover recur", "0.25 sibling cease", "0.25 sibling exit", "0.25 remover cease", "0.25 remover exit"]);
    expect(group.deeds).toEqual([]);
    doist.recur();
    expect(group.done).toBe(true);
    expect(doist.deeds).toEqual([]);
  });

  it("closes its children when removed from its parent", () => {
    const trace = new Trace();
    const group = new DoDoer({ doers: [new TraceDoer(trace, "a"), new TraceDoer(trace, "b")] });
    const doist = new Doist({ doers: [group] });
    doist.enter();
    doist.recur();
    doist.remove([group]);
    expect(trace.lines().slice(4)).toEqual(["0.03125 b cease", "0.03125 b exit", "0.03125 a cease", "0.03125 a exit"]);
    expect(doist.deeds).toEqual([]);
  });

  it("propagates an error from a child, aborting the DoDoer and closing its other children", async () => {
    const trace = new Trace();
    const failing = new TraceDoer(trace, "failing", { failAt: 2 });
    const other = new TraceDoer(trace, "other");
    const group = new DoDoer({ doers: [other, failing] });
    const outside = new TraceDoer(trace, "outside");
    const doist = new Doist({ tock: 0.25, doers: [group, outside] });
    const error = await doist.do().then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe("failing failed at 2");
    expect(trace.lines().slice(-7)).toEqual([
      "0.25 failing recur",
      "0.25 failing abort",
      "0.25 failing exit",
      "0.25 other cease",
      "0.25 other exit",
      "0.25 outside cease",
      "0.25 outside exit",
    ]);
  });

  it("tells its parent when its earliest child is due, so sleeping children cost nothing", () => {
    const signal = new Signal();
    const runs: number[] = [];
    const sleeper = doify(function* () {
      yield;
      for (;;) runs.push(yield* waitFor(signal));
    });
    const ticker = doify(function* () {
      for (;;) yield 1;
    });
    const group = new DoDoer({ doers: [sleeper, ticker] });
    const doist = new Doist({ tock: 0.25, doers: [group] });
    doist.enter();
    doist.recur(); // sleeper subscribes; ticker next due at 1
    doist.recur();
    expect(doist.deeds[0]!.retyme).toBe(1);
    doist.remove([]); // no-op
    group.remove([ticker]);
    doist.recur();
    doist.recur();
    doist.recur();
    expect(doist.deeds[0]!.retyme).toBe(WAIT);
    signal.notify();
    expect(doist.deeds[0]!.retyme).toBe(1.25);
    doist.recur();
    expect(runs).toEqual([1.25]);
    doist.exit();
  });
});

describe("DoDoer arguments", () => {
  it.each([
    ["a string", "x"],
    ["an object", { a: 1 }],
    ["a number", 3],
  ])("rejects doers that are %s with a TypeError naming doers", (_name, doers) => {
    expect(() => new DoDoer({ doers: doers as never })).toThrow(TypeError);
    expect(() => new DoDoer({ doers: doers as never })).toThrow(/^doers must be an array of doers, got /);
  });

  it("names the bad entry of doers by its index", () => {
    expect(() => new DoDoer({ doers: [new DoDoer(), 5 as never] })).toThrow(/^doers\[1\] must be a Doer or a doified generator function/);
  });

  it("rejects extend and remove arguments that are not arrays", () => {
    const group = new DoDoer();
    expect(() => group.extend("x" as never)).toThrow(/^doers must be an array/);
    expect(() => group.remove("x" as never)).toThrow(/^doers must be an array/);
  });

  it("removes from its doers list in place, as hio's list.remove, keeping the others' order; extends skip a doer already there", () => {
    const make = () =>
      doify(function* () {
        for (;;) yield 1;
      });
    const [a, b, c, d] = [make(), make(), make(), make()];
    const group = new DoDoer({ doers: [a, b, c] });
    const doist = new Doist({ tock: 1, doers: [group] });
    doist.enter();
    const list = group.doers;
    group.remove([b]);
    expect(group.doers).toBe(list);
    expect(group.doers).toEqual([a, c]);
    group.extend([d]);
    group.extend([d]); // already there: no second entry
    group.extend([a, b, b]);
    expect(group.doers).toEqual([a, c, d, b]);
    doist.recur();
    expect(group.doers).toEqual([a, c, d, b]);
    // Its own list as the argument: every doer goes, and every dog is closed.
    const closed: string[] = [];
    const watched = (name: string) =>
      doify(function* () {
        try {
          for (;;) yield 1;
        } finally {
          closed.push(name);
        }
      });
    group.extend([watched("x"), watched("y")]);
    doist.recur();
    group.remove(group.doers);
    expect(group.doers).toEqual([]);
    expect(closed).toEqual(["y", "x"]);
    doist.exit();
  });
});
