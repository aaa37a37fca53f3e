import { describe, expect, it } from "vitest";
import { Doist, doify, type DoOptions, type Dog, type Tymth } from "../../src/core/index.js";

describe("dogs that are not plain generators", () => {
  it("runs a dog that is a hand-written iterator (its own next and return) through its own next", () => {
    const sent: number[] = [];
    let closed = false;
    const counter = {
      done: undefined as boolean | undefined,
      tock: 0,
      opts: {},
      do(): Dog {
        let runs = 0;
        return {
          next(tyme?: number) {
            if (tyme !== undefined) sent.push(tyme);
            runs++;
            return runs > 3 ? { done: true, value: true } : { done: false, value: 0.5 };
          },
          return() {
            closed = true;
            return { done: true, value: false };
          },
          throw(error: unknown) {
            throw error;
          },
          [Symbol.iterator]() {
            return this;
          },
        } as Dog;
      },
    };
    const doist = new Doist({ tock: 0.25, doers: [counter] });
    doist.enter();
    for (let pass = 0; pass < 6; pass++) doist.recur();
    doist.exit();
    expect(sent).toEqual([0, 0.5, 1]);
    expect(counter.done).toBe(true);
    expect(closed).toBe(false);
  });

  it("calls a generator's own next when it was replaced before the dog started", () => {
    const seen: number[] = [];
    const wrapped = doify(function* () {
      for (;;) yield 0.25;
    });
    const doer = {
      done: undefined as boolean | undefined,
      tock: 0,
      opts: {},
      do(tymth: Tymth, tock: number, opts: DoOptions): Dog {
        const dog = wrapped(tymth, tock, opts);
        const next = dog.next.bind(dog);
        dog.next = (tyme?: number) => {
          if (tyme !== undefined) seen.push(tyme);
          return tyme === undefined ? next() : next(tyme);
        };
        return dog;
      },
    };
    const doist = new Doist({ tock: 0.25, doers: [doer] });
    doist.enter();
    for (let pass = 0; pass < 3; pass++) doist.recur();
    doist.exit();
    expect(seen).toEqual([0, 0.25, 0.5]);
  });
});
