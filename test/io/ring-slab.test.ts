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

describe("released ring stores", () => {
  /** Takes every spare store there is, so a test sees only the ones it releases. */
  function drainSpares(): RingBuffer[] {
    const takers = Array.from({ length: 600 }, () => new RingBuffer({ capacity: 4096 }));
    for (const ring of takers) ring.write(new Uint8Array(1));
    return takers;
  }

  /** Where a ring's bytes live: its store's buffer (numbered on first sight) and offset. */
  const buffers = new Map<ArrayBufferLike, number>();
  const place = (ring: RingBuffer): string => {
    const [region] = ring.readRegions();
    const buffer = region!.buffer;
    if (!buffers.has(buffer)) buffers.set(buffer, buffers.size);
    return `${buffers.get(buffer)}:${region!.byteOffset}`;
  };

  it("gives an emptied ring's store to the next ring, zeroed, and the first ring stays usable", () => {
    drainSpares();
    const first = new RingBuffer({ capacity: 4096, name: "first" });
    first.write(new Uint8Array(4096).fill(0xaa));
    const store = first.readRegions()[0]!;
    expect(first.release()).toBe(false); // bytes wait: kept
    expect(first.read().every((byte) => byte === 0xaa)).toBe(true);
    expect(first.release()).toBe(true);
    expect(first.release()).toBe(false); // nothing left to give

    const second = new RingBuffer({ capacity: 4096, name: "second" });
    second.write(new Uint8Array([1]));
    const [taken] = second.readRegions();
    expect(taken!.buffer).toBe(store.buffer);
    expect(taken!.byteOffset).toBe(store.byteOffset);
    // The old bytes are gone: the free space after the written byte is zeroed.
    for (const region of second.writeRegions()) expect(region.every((byte) => byte === 0)).toBe(true);

    // The released ring takes a new store when written again; its bytes are its own.
    first.write(new Uint8Array([7, 8, 9]));
    expect(first.readRegions()[0]!.buffer === taken!.buffer && first.readRegions()[0]!.byteOffset === taken!.byteOffset).toBe(false);
    expect([...first.read()]).toEqual([7, 8, 9]);
    expect([...second.read()]).toEqual([1]);
  });

  it("keeps at most a bounded number of released stores (2 MiB of the slabs they pin)", () => {
    drainSpares();
    const released = Array.from({ length: 300 }, () => new RingBuffer({ capacity: 4096 }));
    for (const ring of released) ring.write(new Uint8Array(1));
    const places = new Set(released.map(place));
    for (const ring of released) {
      ring.read();
      expect(ring.release()).toBe(true);
    }
    const next = Array.from({ length: 300 }, () => new RingBuffer({ capacity: 4096 }));
    for (const ring of next) ring.write(new Uint8Array(1));
    const reused = next.filter((ring) => places.has(place(ring))).length;
    // A 4 KiB piece counts as its whole 32 KiB slab against the 2 MiB budget: 64 at most.
    expect(places.size).toBe(300);
    expect(reused).toBeGreaterThan(0);
    expect(reused).toBeLessThanOrEqual(64);
  });
});
