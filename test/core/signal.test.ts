import { describe, expect, it } from "vitest";
import { DoDoer, Doer, Doist, Signal, WAIT, doify, waitFor, type Operation } from "../../src/core/index.js";
import type { Operation as RootOperation } from "../../src/index.js";

/** A doer that enters, then waits on `signal` (at most `timeout` s of tyme) forever. */
function waiter(signal: Signal, timeout?: number) {
  return doify(function* () {
    yield; // enter
    for (;;) yield* waitFor(signal, timeout);
  });
}

describe("Signal", () => {
  it("wakes every subscriber once per notify and forgets them", () => {
    const signal = new Signal();
    const runs: number[] = [];
    const doer = doify(function* () {
      yield;
      for (;;) runs.push(yield* waitFor(signal));
    });
    const doist = new Doist({ tock: 0.25, doers: [doer] });
    doist.enter();
    doist.recur();
    expect(signal.waiting).toBe(1);
    signal.notify();
    expect(signal.waiting).toBe(0);
    doist.recur();
    expect(runs).toEqual([0.25]);
    expect(signal.waiting).toBe(1); // subscribed again for the next notify
    doist.exit();
    expect(signal.waiting).toBe(0);
  });

  it("counts nobody outside a scheduler", () => {
    const signal = new Signal();
    expect(signal.subscribe()).toBe(false);
    expect(signal.waiting).toBe(0);
  });
});

describe("waitFor: a waiter does not outlive its deed", () => {
  it.each([
    ["without a timeout", undefined],
    ["with a timeout", 5],
  ])("unsubscribes when doist.exit() closes a dog waiting %s", (_name, timeout) => {
    const signal = new Signal(); // long-lived: outlives the Doist
    const doist = new Doist({ tock: 0.25, doers: [waiter(signal, timeout)] });
    doist.enter();
    doist.recur();
    expect(signal.waiting).toBe(1);
    doist.exit();
    expect(signal.waiting).toBe(0);
  });

  it("unsubscribes when remove() closes a waiting dog, from outside or from a sibling during a pass", () => {
    const signal = new Signal();
    const first = waiter(signal);
    const second = waiter(signal);
    const remover = doify(function* () {
      yield;
      yield; // second pass: remove the second waiter
      doist.remove([second]);
      yield WAIT;
      return true;
    });
    const doist = new Doist({ tock: 0.25, doers: [first, second, remover] });
    doist.enter();
    doist.recur();
    expect(signal.waiting).toBe(2);
    doist.recur();
    expect(signal.waiting).toBe(1);
    doist.remove([first]);
    expect(signal.waiting).toBe(0);
    doist.exit();
  });

  it("unsubscribes the waiters of a DoDoer removed while they wait", async () => {
    const signal = new Signal();
    const group = new DoDoer({ doers: [waiter(signal), new DoDoer({ doers: [waiter(signal, 1)] })] });
    const stopper = doify(function* () {
      yield;
      yield 0.5;
      doist.remove([group]);
      return true;
    });
    const doist = new Doist({ tock: 0.25, doers: [group, stopper] });
    await doist.do({ limit: 2 });
    expect(signal.waiting).toBe(0);
  });

  it("unsubscribes when an async do() ends at its limit while the dog waits", async () => {
    const signal = new Signal();
    await new Doist({ tock: 0.25, limit: 1, doers: [waiter(signal)] }).do();
    expect(signal.waiting).toBe(0);
  });
});

describe("waitFor as a dog's first statement (the enter trap)", () => {
  it("waits for the notify, although the first yield of a dog is its enter step", () => {
    const signal = new Signal();
    const runs: number[] = [];
    const starter = doify(function* () {
      runs.push(yield* waitFor(signal)); // no yield before it
      return true;
    });
    const doist = new Doist({ tock: 0.25, doers: [starter] });
    doist.enter();
    doist.recur();
    doist.recur();
    doist.recur();
    expect(runs).toEqual([]);
    expect(signal.waiting).toBe(1);
    signal.notify();
    doist.recur();
    expect(runs).toEqual([0.75]);
    expect(starter.done).toBe(true);
    doist.exit();
  });

  it("counts its timeout from the enter", () => {
    const signal = new Signal();
    const runs: number[] = [];
    const starter = doify(function* () {
      runs.push(yield* waitFor(signal, 1));
      return true;
    });
    const doist = new Doist({ tock: 0.25, tyme: 2, doers: [starter] });
    doist.enter();
    for (let pass = 0; pass < 6; pass++) doist.recur();
    expect(runs).toEqual([3]);
    expect(signal.waiting).toBe(0);
  });

  it("returns at the first pass when the signal notified between the enter and that pass", () => {
    const signal = new Signal();
    const runs: number[] = [];
    const starter = doify(function* () {
      runs.push(yield* waitFor(signal));
      return true;
    });
    const doist = new Doist({ tock: 0.25, doers: [starter] });
    doist.enter();
    signal.notify();
    doist.recur();
    expect(runs).toEqual([0]);
  });

  it("waits as the first statement of a Doer's generator recur and of a DoDoer's child", () => {
    const signal = new Signal();
    const runs: string[] = [];
    class Starter extends Doer {
      override *recur(): Generator<number | undefined, boolean, number> {
        runs.push(`${yield* waitFor(signal)} doer`);
        return true;
      }
    }
    const child = doify(function* () {
      runs.push(`${yield* waitFor(signal)} child`);
      return true;
    });
    const doist = new Doist({ tock: 0.25, doers: [new Starter(), new DoDoer({ doers: [child] })] });
    doist.enter();
    doist.recur();
    doist.recur();
    expect(runs).toEqual([]);
    signal.notify();
    doist.recur();
    expect(runs).toEqual(["0.5 doer", "0.5 child"]);
    doist.exit();
  });
});

describe("Operation", () => {
  it("types a protocol step composed of waitFor operations, exported from core and the package root", () => {
    function* twice(signal: Signal): Operation<number> {
      yield* waitFor(signal);
      return yield* waitFor(signal);
    }
    const fromRoot: RootOperation<number> = twice(new Signal());
    const signal = new Signal();
    const runs: number[] = [];
    const doer = doify(function* () {
      yield;
      runs.push(yield* twice(signal));
      return true;
    });
    const doist = new Doist({ tock: 0.25, doers: [doer] });
    doist.enter();
    doist.recur();
    signal.notify();
    doist.recur();
    signal.notify();
    doist.recur();
    expect(runs).toEqual([0.5]);
    expect(typeof fromRoot.next).toBe("function");
    doist.exit();
  });
});
