import { describe, expect, it } from "vitest";
import { Tymee, Tymer, Tymist } from "../../src/core/index.js";

describe("Tymist", () => {
  it("starts at tyme 0 with hio's default tock of 1/32 s", () => {
    const tymist = new Tymist();
    expect(tymist.tyme).toBe(0);
    expect(tymist.tock).toBe(0.03125);
    expect(Tymist.Tock).toBe(0.03125);
  });

  it("ticks by its tock or by a given tock and returns the new tyme", () => {
    const tymist = new Tymist({ tyme: 1, tock: 0.25 });
    expect(tymist.tick()).toBe(1.25);
    expect(tymist.tick(0.5)).toBe(1.75);
    expect(tymist.tyme).toBe(1.75);
  });

  it("hands out a read-only tymth that follows its tyme", () => {
    const tymist = new Tymist({ tock: 0.5 });
    const tymth = tymist.tymen();
    tymist.tick();
    tymist.tick();
    expect(tymth()).toBe(1);
  });

  it.each([
    ["tock", { tock: -1 }, RangeError],
    ["tock", { tock: Number.NaN }, RangeError],
    ["tock", { tock: Number.POSITIVE_INFINITY }, RangeError],
    ["tock", { tock: "1" as unknown as number }, TypeError],
    ["tyme", { tyme: Number.NaN }, RangeError],
  ])("rejects a bad %s with an error naming it (%o)", (name, options, type) => {
    expect(() => new Tymist(options)).toThrow(type);
    expect(() => new Tymist(options)).toThrow(new RegExp(`^${name}`));
  });
});

describe("Tymee", () => {
  it("has no tyme until wound, then reads the tymist's tyme", () => {
    const tymist = new Tymist({ tyme: 2 });
    const tymee = new Tymee();
    expect(tymee.tyme).toBeUndefined();
    expect(tymee.tymth).toBeUndefined();
    tymee.wind(tymist.tymen());
    expect(tymee.tyme).toBe(2);
    tymist.tick();
    expect(tymee.tyme).toBe(2.03125);
  });
});

describe("Tymer", () => {
  it("measures elapsed and remaining tyme and expires at tyme >= stop", () => {
    const tymist = new Tymist({ tock: 0.25 });
    const tymer = new Tymer({ tymth: tymist.tymen(), duration: 0.5 });
    expect([tymer.duration, tymer.elapsed, tymer.remaining, tymer.expired]).toEqual([0.5, 0, 0.5, false]);
    tymist.tick();
    expect([tymer.elapsed, tymer.remaining, tymer.expired]).toEqual([0.25, 0.25, false]);
    tymist.tick();
    expect([tymer.elapsed, tymer.remaining, tymer.expired]).toEqual([0.5, 0, true]);
  });

  it("restarts losslessly from its old stop", () => {
    const tymist = new Tymist({ tock: 0.25 });
    const tymer = new Tymer({ tymth: tymist.tymen(), duration: 0.5 });
    tymist.tick(0.75); // checked late
    expect(tymer.expired).toBe(true);
    expect(tymer.restart()).toBe(0.5);
    expect(tymer.stopTyme).toBe(1);
    expect(tymer.remaining).toBe(0.25);
  });

  it("starts at a given start and keeps its duration when restarted with a new start", () => {
    const tymist = new Tymist({ tyme: 10 });
    const tymer = new Tymer({ tymth: tymist.tymen(), duration: 2, start: 9 });
    expect(tymer.remaining).toBe(1);
    tymer.start({ start: 10 });
    expect([tymer.startTyme, tymer.stopTyme]).toEqual([10, 12]);
    tymer.start({ duration: 5 });
    expect([tymer.startTyme, tymer.stopTyme]).toEqual([10, 15]);
  });

  it("restarts at the current tyme when wound onto another tyme base", () => {
    const first = new Tymist({ tyme: 0 });
    const second = new Tymist({ tyme: 100 });
    const tymer = new Tymer({ tymth: first.tymen(), duration: 1 });
    tymer.wind(second.tymen());
    expect([tymer.startTyme, tymer.stopTyme, tymer.expired]).toEqual([100, 101, false]);
  });

  it("says clearly that it has no tyme base when read unwound", () => {
    const tymer = new Tymer({ duration: 1 });
    expect(tymer.duration).toBe(1);
    expect(() => tymer.expired).toThrow(/not wound/);
  });
});
