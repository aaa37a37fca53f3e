import { describe, expect, it } from "vitest";
import { SimRandom } from "../../src/sim/index.js";

const first5 = (random: SimRandom) => Array.from({ length: 5 }, () => random.nextUint32());

describe("SimRandom", () => {
  it.each([
    [0, "", [2988730470, 1666900107, 221464154, 2801406039, 2179645895]],
    [42, "", [3792840668, 1421306600, 3224434297, 1544197899, 1812968807]],
    [2 ** 40 + 7, "path 10.0.0.1>10.0.0.2", [2756437325, 781307295, 2928343712, 3291247929, 462909248]],
  ])("matches an independent implementation of splitmix32 seeding + xoshiro128** for seed %d stream %j", (seed, stream, expected) => {
    expect(first5(new SimRandom(seed, stream))).toEqual(expected);
  });

  it("gives the same sequence for the same seed", () => {
    expect(first5(new SimRandom(7))).toEqual(first5(new SimRandom(7)));
  });

  it("gives different sequences for neighbouring seeds", () => {
    expect(first5(new SimRandom(1))).not.toEqual(first5(new SimRandom(2)));
  });

  it("derives streams that depend on the label, not on draws made before", () => {
    const root = new SimRandom(9);
    const early = first5(root.derive("link a"));
    root.next();
    root.next();
    expect(first5(root.derive("link a"))).toEqual(early);
    expect(first5(root.derive("link b"))).not.toEqual(early);
  });

  it("keeps floats in [0, 1) and ints in range", () => {
    const random = new SimRandom(3);
    for (let i = 0; i < 10_000; i++) {
      const float = random.next();
      expect(float >= 0 && float < 1).toBe(true);
      const int = random.int(6);
      expect(Number.isInteger(int) && int >= 0 && int < 6).toBe(true);
    }
  });

  it("draws nothing for a chance of 0 or an empty range", () => {
    const a = new SimRandom(5);
    const b = new SimRandom(5);
    expect(a.chance(0)).toBe(false);
    expect(a.between(2, 2)).toBe(2);
    expect(a.nextUint32()).toBe(b.nextUint32());
  });

  it("hits a probability about as often as it says", () => {
    const random = new SimRandom(11);
    let hits = 0;
    for (let i = 0; i < 20_000; i++) if (random.chance(0.25)) hits++;
    expect(hits / 20_000).toBeGreaterThan(0.23);
    expect(hits / 20_000).toBeLessThan(0.27);
  });

  it.each([[-1], [1.5], [Number.NaN], [2 ** 53]])("rejects seed %d naming the option", (seed) => {
    expect(() => new SimRandom(seed)).toThrow(/^seed must/);
  });
});
