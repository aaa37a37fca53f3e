import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EventQueue, type SimEvent } from "../../src/sim/event-queue.js";

class Tagged implements SimEvent {
  at = 0;
  seq = 0;
  constructor(readonly tag: number) {}
  fire(): void {}
}

describe("EventQueue", () => {
  it("pops events by tyme, ties in scheduling order", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 200 }), (tymes) => {
        const queue = new EventQueue();
        tymes.forEach((tyme, index) => queue.push(new Tagged(index), tyme));
        const popped: number[] = [];
        for (let event = queue.popDue(Infinity); event; event = queue.popDue(Infinity)) popped.push((event as Tagged).tag);
        const expected = tymes
          .map((tyme, index) => [tyme, index] as const)
          .sort((a, b) => a[0] - b[0] || a[1] - b[1])
          .map(([, index]) => index);
        expect(popped).toEqual(expected);
      }),
    );
  });

  it("pops nothing that is not yet due", () => {
    const queue = new EventQueue();
    queue.push(new Tagged(1), 2);
    expect(queue.popDue(1.5)).toBeUndefined();
    expect(queue.nextAt).toBe(2);
    expect((queue.popDue(2) as Tagged).tag).toBe(1);
    expect(queue.nextAt).toBe(Infinity);
  });
});
