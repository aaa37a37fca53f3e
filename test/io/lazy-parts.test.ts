/**
 * The parts a ring and a signal make only on first use (so an idle
 * connection costs little) stay private to each: a shared empty waiter list
 * or write-end list is never written to, and a lazily named ring names its
 * owner as it is when a message is built.
 */
import { describe, expect, it } from "vitest";
import { Signal, type Waker } from "../../src/core/index.js";
import { RingBuffer, RingEndedError } from "../../src/io/index.js";

function counter(): Waker & { woken: number } {
  const waker = {
    woken: 0,
    wake(): void {
      waker.woken++;
    },
  };
  return waker;
}

describe("lazy parts", () => {
  it("keeps each signal's waiters its own, from the shared empty list on", () => {
    const first = new Signal();
    const second = new Signal();
    const a = counter();
    const b = counter();
    first.subscribe(a);
    expect(second.waiting).toBe(0);
    second.subscribe(b);
    second.subscribe(b); // once only
    first.notify();
    expect([a.woken, b.woken]).toEqual([1, 0]);
    expect([first.waiting, second.waiting]).toEqual([0, 1]);
    second.unsubscribe(b);
    first.subscribe(b);
    second.notify();
    expect(b.woken).toBe(0);
    first.notify();
    expect(b.woken).toBe(1);
    expect(new Signal().waiting).toBe(0);
  });

  it("makes a ring's signals on first use, and notifies a waiter subscribed later", () => {
    const ring = new RingBuffer({ capacity: 8 });
    ring.write(new Uint8Array([1])); // nobody waits yet: nothing to notify
    const data = counter();
    const space = counter();
    ring.dataSignal.subscribe(data);
    ring.spaceSignal.subscribe(space);
    expect(ring.dataSignal).toBe(ring.dataSignal);
    ring.write(new Uint8Array([2]));
    ring.consume(1);
    ring.end();
    expect([data.woken, space.woken]).toEqual([1, 1]);
  });

  it("counts dropped writes per ring (the shared empty write-end list is never written to)", () => {
    const one = new RingBuffer({ capacity: 64, trackWrites: true });
    const two = new RingBuffer({ capacity: 64, trackWrites: true });
    const untracked = new RingBuffer({ capacity: 64 });
    one.write(new Uint8Array(3));
    one.write(new Uint8Array(4));
    untracked.write(new Uint8Array(5));
    two.discard();
    untracked.discard();
    expect(two.droppedWrites).toBe(0);
    one.discard();
    expect([one.droppedBytes, one.droppedWrites]).toEqual([7, 2]);
    two.write(new Uint8Array(2));
    two.discard();
    expect([two.droppedBytes, two.droppedWrites]).toEqual([2, 1]);
  });

  it("names a ring after its owner's label as it is when the message is built", () => {
    const owner = { label: "client 127.0.0.1:7000" };
    const ring = new RingBuffer({ capacity: 4, name: "txbs", owner });
    expect(ring.name).toBe("client 127.0.0.1:7000 txbs");
    owner.label = "client 127.0.0.1:7001";
    ring.end();
    expect(() => ring.write(new Uint8Array(1))).toThrow(RingEndedError);
    expect(() => ring.write(new Uint8Array(1))).toThrow("client 127.0.0.1:7001 txbs: write after end");
    expect(new RingBuffer({ name: "plain" }).name).toBe("plain");
  });
});
