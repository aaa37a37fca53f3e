import { describe, expect, it } from "vitest";
import { Doer, Tymist, type RecurDog } from "../../src/core/index.js";
import { Trace, TraceDoer } from "../helpers/core-trace.js";

/** Drives a Doer's dog by hand: enter, then `sends` recurs. */
function drive(doer: Doer, tymist: Tymist, sends: number) {
  const dog = doer.do(tymist.tymen());
  const first = dog.next();
  const results = [first];
  for (let index = 0; index < sends && !results.at(-1)!.done; index++) {
    tymist.tick();
    results.push(dog.next(tymist.tyme));
  }
  return { dog, results };
}

describe("Doer lifecycle", () => {
  it("runs enter, recur…, clean, exit on normal completion and returns done true", () => {
    const trace = new Trace();
    const tymist = new Tymist({ tock: 0.25 });
    const doer = new TraceDoer(trace, "a", { times: 2 });
    expect(doer.done).toBeUndefined();
    const { results } = drive(doer, tymist, 5);
    expect(trace.of("a")).toEqual(["0 enter", "0.25 recur", "0.5 recur", "0.5 clean", "0.5 exit"]);
    expect(results.at(-1)).toEqual({ done: true, value: true });
    expect(doer.done).toBe(true);
  });

  it("runs enter, recur…, cease, exit when closed by its scheduler and leaves done false", () => {
    const trace = new Trace();
    const tymist = new Tymist({ tock: 0.25 });
    const doer = new TraceDoer(trace, "a");
    const { dog } = drive(doer, tymist, 1);
    expect(doer.done).toBe(false);
    expect(dog.return(false)).toEqual({ done: true, value: false });
    expect(trace.of("a")).toEqual(["0 enter", "0.25 recur", "0.25 cease", "0.25 exit"]);
    expect(doer.done).toBe(false);
  });

  it("runs enter, recur…, abort, exit on an uncaught error and lets the error propagate", () => {
    const trace = new Trace();
    const tymist = new Tymist({ tock: 0.25 });
    const doer = new TraceDoer(trace, "a", { failAt: 2 });
    const dog = doer.do(tymist.tymen());
    dog.next();
    dog.next(0.25);
    expect(() => dog.next(0.5)).toThrow("a failed at 2");
    expect(trace.of("a")).toEqual(["0 enter", "0.25 recur", "0.5 recur", "0 abort", "0 exit"]);
    expect(doer.done).toBe(false);
  });

  it("runs enter, abort, exit when enter throws", () => {
    const trace = new Trace();
    const doer = new TraceDoer(trace, "a", { failInEnter: true });
    const dog = doer.do(new Tymist().tymen());
    expect(() => dog.next()).toThrow("a failed in enter");
    expect(trace.of("a")).toEqual(["0 enter", "0 abort", "0 exit"]);
  });

  it("yields its tock after enter and after each recur", () => {
    const tymist = new Tymist();
    const doer = new TraceDoer(new Trace(), "a", { tock: 0.5, times: 3 });
    const { results } = drive(doer, tymist, 3);
    expect(results.map((result) => result.value)).toEqual([0.5, 0.5, 0.5, true]);
  });

  it("delegates to a generator recur with yield* and takes its return value as done", () => {
    const seen: number[] = [];
    class Stepper extends Doer {
      override *recur(): RecurDog {
        for (let count = 0; count < 3; count++) seen.push(yield this.tock);
        return true;
      }
    }
    const tymist = new Tymist({ tock: 1 });
    const doer = new Stepper({ tock: 0.5 });
    const { results } = drive(doer, tymist, 5);
    expect(seen).toEqual([1, 2, 3]);
    expect(results.map((result) => result.value)).toEqual([0.5, 0.5, 0.5, true]);
    expect(doer.done).toBe(true);
  });

  it("yields WAIT once after idle() and its tock otherwise", () => {
    class Idler extends Doer {
      override recur(tyme: number): boolean {
        if (tyme === 1) this.idle();
        return false;
      }
    }
    const doer = new Idler({ tock: 0.25 });
    const dog = doer.do(new Tymist().tymen());
    expect(dog.next().value).toBe(0.25);
    expect(dog.next(1).value).toBe(Number.POSITIVE_INFINITY);
    expect(dog.next(2).value).toBe(0.25);
  });

  it("rejects a negative or non-finite tock naming the option", () => {
    expect(() => new Doer({ tock: -0.5 })).toThrow(RangeError);
    expect(() => new Doer({ tock: Number.NaN })).toThrow(/^tock/);
    expect(() => new Doer({ tock: "fast" as unknown as number })).toThrow(TypeError);
    const doer = new Doer();
    expect(() => {
      doer.tock = -1;
    }).toThrow(RangeError);
  });
});
