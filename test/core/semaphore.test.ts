import { describe, expect, it } from "vitest";
import { HioError, Lock, Semaphore, TimeoutError, doify, type Operation } from "../../src/core/index.js";
import { steppedDoists } from "../helpers/core-step.js";

const stepped = steppedDoists();

describe("Semaphore", () => {
  it("lets at most `permits` dogs in at once, first come first served", () => {
    const slots = new Semaphore(2);
    const log: string[] = [];
    let inside = 0;
    let most = 0;
    const worker = (name: string) =>
      doify(function* (tymth) {
        yield;
        yield* slots.use(function* (): Operation<void> {
          inside++;
          most = Math.max(most, inside);
          log.push(`${tymth()} ${name} in`);
          yield 1;
          inside--;
        });
        return true;
      });
    const doist = stepped(["a", "b", "c", "d"].map(worker));
    for (let n = 0; n < 40 && doist.deeds.length > 0; n++) doist.recur();
    expect(most).toBe(2);
    expect(log).toEqual(["0 a in", "0 b in", "1 c in", "1 d in"]);
    expect([slots.available, slots.waiting, slots.releaseSignal.waiting]).toEqual([2, 0, 0]);
  });

  it("releases on a forced close of the holder, and a closed waiter leaves the queue", () => {
    const lock = new Lock("db");
    const holder = doify(function* () {
      yield* lock.use(function* (): Operation<void> {
        for (;;) yield;
      });
      return true;
    });
    const waiter = doify(function* () {
      yield;
      yield* lock.acquire();
      return true;
    });
    const doist = stepped([holder, waiter]);
    doist.recur();
    expect([lock.locked, lock.waiting]).toEqual([true, 1]);
    doist.exit();
    expect([lock.locked, lock.waiting, lock.releaseSignal.waiting]).toEqual([false, 0, 0]);
  });

  it("acquire times out in tyme without holding a permit", () => {
    const lock = new Lock();
    expect(lock.tryAcquire()).toBe(true);
    const errors: unknown[] = [];
    const waiter = doify(function* () {
      yield;
      try {
        yield* lock.acquire({ timeout: 0.5 });
      } catch (error) {
        errors.push(error);
      }
      return true;
    });
    const doist = stepped([waiter]);
    for (let n = 0; n < 5; n++) doist.recur();
    expect(errors[0]).toBeInstanceOf(TimeoutError);
    expect([lock.available, lock.waiting]).toEqual([0, 0]);
  });

  it("rejects a bad permit count and an extra release", () => {
    expect(() => new Semaphore(0)).toThrow(/^permits/);
    expect(() => new Semaphore(1).release()).toThrow(HioError);
  });
});
