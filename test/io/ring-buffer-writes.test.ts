/**
 * RingBuffer write tracking (issue 11): `discard()` counts the bytes and the
 * writes it drops, and a writeAll cut by it gives up the rest of its write.
 */
import { describe, expect, it } from "vitest";
import { RingBuffer, writeAll } from "../../src/io/index.js";

describe("RingBuffer write tracking", () => {
  it("counts whole writes waiting, a write in progress, and bytes dropped", () => {
    const ring = new RingBuffer({ capacity: 10, trackWrites: true });
    ring.write(new Uint8Array(3)); // write 1, whole
    ring.write(new Uint8Array(3)); // write 2, whole
    ring.consume(3); // write 1 delivered
    ring.consume(1); // write 2 partly delivered
    expect(ring.write(new Uint8Array(10))).toBe(8); // write 3, open
    expect(ring.discard()).toBe(10);
    expect(ring.droppedBytes).toBe(10);
    expect(ring.droppedWrites).toBe(2); // write 2 (torn) and write 3
    expect(ring.length).toBe(0);
    ring.write(new Uint8Array(2));
    ring.consume(2);
    expect(ring.discard()).toBe(0);
    expect(ring.droppedWrites).toBe(2);
  });

  it("a writeAll waiting for room gives up the rest of its write when the ring is discarded", () => {
    const ring = new RingBuffer({ capacity: 4, trackWrites: true });
    const writer = writeAll(ring, new Uint8Array(10));
    expect(writer.next(0).done).toBe(false); // 4 in, waits for room
    ring.consume(2); // 2 sent
    ring.discard(); // the connection was lost: 2 dropped, the write cut
    const result = writer.next(1);
    expect(result).toEqual({ done: true, value: 4 });
    expect(ring.length).toBe(0); // nothing of it continues
    expect(ring.droppedBytes).toBe(2 + 6);
    expect(ring.droppedWrites).toBe(1);
    expect(ring.epoch).toBe(1);
  });
});
