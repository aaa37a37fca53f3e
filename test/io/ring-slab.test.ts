import { describe, expect, it } from "vitest";
import { RingBuffer } from "../../src/io/index.js";

describe("ring stores carved from shared slabs", () => {
  it("keeps every ring's bytes its own: pieces of one slab never overlap, and growing moves a ring off its piece", () => {
    const rings = Array.from({ length: 40 }, (_, index) => new RingBuffer({ capacity: 65_536, name: `ring ${index}` }));
    // Fill each first store (4 KiB, from a slab) with its own byte value, interleaved.
    for (let round = 0; round < 4; round++) {
      for (let index = 0; index < rings.length; index++) rings[index]!.write(new Uint8Array(1024).fill(index));
    }
    // Grow every other ring out of its piece; the others keep theirs.
    for (let index = 0; index < rings.length; index += 2) rings[index]!.write(new Uint8Array(6000).fill(index));
    // The stores behind the rings' bytes: small ones share ArrayBuffers (a slab holds 8 of 4 KiB).
    const buffers = new Set(rings.filter((_, index) => index % 2 === 1).map((ring) => ring.readRegions()[0]!.buffer));
    for (let index = 0; index < rings.length; index++) {
      const bytes = rings[index]!.read();
      expect(bytes.length).toBe(index % 2 === 0 ? 4096 + 6000 : 4096);
      expect(bytes.every((byte) => byte === index)).toBe(true);
    }
    expect(buffers.size).toBeLessThan(rings.length / 2);
  });

  it("finds a needle in a ring whose store is a piece of a slab (the search view covers only its piece)", () => {
    const first = new RingBuffer({ capacity: 65_536 });
    const second = new RingBuffer({ capacity: 65_536 });
    first.write(new TextEncoder().encode("no newline here"));
    second.write(new TextEncoder().encode("line one\nline two"));
    expect(first.indexOf(0x0a)).toBe(-1);
    expect(second.indexOf(0x0a)).toBe(8);
    expect(second.indexOf(new TextEncoder().encode("two"))).toBe(14);
  });
});
