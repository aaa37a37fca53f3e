import { describe, expect, it } from "vitest";
import { DoDoer, Doist, Signal, WAIT, doify, waitFor } from "../../src/core/index.js";

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
