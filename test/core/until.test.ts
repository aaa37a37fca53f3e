import { lookup } from "node:dns/promises";
import { readFile } from "node:fs/promises";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { AbortError, Doist, TimeoutError, WAIT, doify, until } from "../../src/core/index.js";
import { steppedDoists } from "../helpers/core-step.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const stepped = steppedDoists();

const microtasks = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("until", () => {
  it("returns what a real dns.promises lookup resolves, in a real-time Doist", async () => {
    let address: string | undefined;
    const resolver = doify(function* () {
      ({ address } = yield* until(lookup("localhost", { family: 4 }), { timeout: 5 }));
      return true;
    });
    await expect(new Doist({ doers: [resolver], real: true, signals: false }).do()).resolves.toBe(true);
    expect(address).toBe("127.0.0.1");
  });

  it("throws the very error a real fs.promises call rejects with", async () => {
    let caught: unknown;
    const reader = doify(function* () {
      try {
        yield* until(readFile("/nonexistent/hio-ts/until"));
      } catch (error) {
        caught = error;
      }
      return true;
    });
    await new Doist({ doers: [reader], real: true, signals: false }).do();
    expect((caught as NodeJS.ErrnoException).code).toBe("ENOENT");
  });

  it("sleeps with WAIT (no polling) and is woken by the promise's settlement", async () => {
    let resolve!: (value: number) => void;
    const promise = new Promise<number>((r) => (resolve = r));
    let got: number | undefined;
    const waiter = doify(function* () {
      got = yield* until(promise);
      return true;
    });
    const doist = stepped([waiter]);
    for (let n = 0; n < 5; n++) {
      doist.recur();
      await microtasks();
    }
    expect(doist.deeds[0]!.retyme).toBe(WAIT);
    resolve(42);
    await microtasks();
    expect(doist.deeds[0]!.retyme).toBeLessThanOrEqual(doist.tyme);
    doist.recur();
    expect(got).toBe(42);
    expect(doist.deeds).toEqual([]);
  });

  it("in real time, resumes the dog in a wake pass as soon as the promise settles, not at the next tock", async () => {
    let resumedAt: number | undefined;
    const waiter = doify(function* (tymth) {
      yield;
      yield* until(new Promise((resolve) => setTimeout(resolve, 10)));
      resumedAt = tymth();
      return true;
    });
    // do() runs every exit on every path, so this Doist needs no afterEach.
    await new Doist({ doers: [waiter], real: true, tock: 1, signals: false }).do({ limit: 5 });
    expect(resumedAt).toBe(0); // a wake pass at tyme 0; polling would first see it at tyme 1
  });

  it("times out in tyme, deterministically, with a TimeoutError", () => {
    let caught: unknown;
    let at: number | undefined;
    const waiter = doify(function* (tymth) {
      try {
        yield* until(new Promise(() => undefined), { timeout: 1 });
      } catch (error) {
        caught = error;
        at = tymth();
      }
      return true;
    });
    const doist = stepped([waiter]);
    for (let n = 0; n < 8 && doist.deeds.length > 0; n++) doist.recur();
    expect(caught).toBeInstanceOf(TimeoutError);
    expect(at).toBe(1);
  });

  it("ends with an AbortError whose cause is AbortSignal.timeout's reason", async () => {
    let caught: unknown;
    const waiter = doify(function* () {
      try {
        yield* until(new Promise(() => undefined), { signal: AbortSignal.timeout(20) });
      } catch (error) {
        caught = error;
      }
      return true;
    });
    await new Doist({ doers: [waiter], real: true, signals: false }).do();
    expect(caught).toBeInstanceOf(AbortError);
    expect(((caught as AbortError).cause as Error).name).toBe("TimeoutError");
  });

  it("leaves no unhandled rejection when its dog is closed before the promise rejects", async () => {
    let reject!: (error: Error) => void;
    const promise = new Promise<never>((_, r) => (reject = r));
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      let after = false;
      const waiter = doify(function* () {
        yield* until(promise);
        after = true;
        return true;
      });
      const doist = stepped([waiter]);
      doist.recur();
      doist.exit();
      reject(new Error("late"));
      await microtasks();
      await microtasks();
      expect(after).toBe(false);
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  it("keeps no reference to a closed dog while the promise is still pending", async () => {
    const pending = new Promise<never>(() => undefined);
    let ref: WeakRef<object> | undefined;
    {
      const waiter = doify(function* () {
        yield* until(pending);
        return true;
      });
      const doist = new Doist({ doers: [waiter], tock: 0.25, signals: false });
      doist.enter();
      doist.recur();
      ref = new WeakRef(doist.deeds[0]!.dog);
      doist.exit();
    }
    for (let n = 0; n < 5 && ref.deref() !== undefined; n++) {
      await microtasks();
      gc();
    }
    expect(ref.deref()).toBeUndefined();
    expect(pending).toBeInstanceOf(Promise); // still pending, still referenced here
  });

  it("yields 0 per step outside a scheduler until the promise settles", async () => {
    const dog = until(Promise.resolve("x"));
    expect(dog.next()).toEqual({ done: false, value: 0 });
    await microtasks();
    expect(dog.next(0)).toEqual({ done: true, value: "x" });
  });

  it("rejects a bad timeout with a RangeError naming it", () => {
    expect(() => until(Promise.resolve(1), { timeout: -1 }).next()).toThrow(/timeout/);
  });
});
