import { describe, expect, it } from "vitest";
import { Intake, RingBuffer } from "../../src/io/index.js";

/** A small deterministic generator (xorshift) for the operation sequences. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 2 ** 32;
  };
}

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

describe("RingBuffer.adopt: a chunk taken whole, without copying", () => {
  it("hands the very array back to a reader that takes it all, and notifies readers", () => {
    const ring = new RingBuffer({ capacity: 16 });
    let notified = 0;
    ring.dataSignal.subscribe({ wake: () => notified++ });
    const chunk = bytes(1, 2, 3);
    expect(ring.adopt(chunk)).toBe(true);
    expect(notified).toBe(1);
    expect(ring.length).toBe(3);
    expect(ring.free).toBe(13);
    expect(ring.read()).toBe(chunk);
    expect(ring.length).toBe(0);
  });

  it("gives a Buffer chunk back as a plain Uint8Array over the same memory (a Buffer's slice() would not copy)", () => {
    const ring = new RingBuffer({ capacity: 16 });
    const chunk = Buffer.from(new Uint8Array([7, 8, 9]).buffer);
    expect(ring.adopt(chunk)).toBe(true);
    const out = ring.read(10);
    expect(out.constructor).toBe(Uint8Array);
    expect(out.buffer).toBe(chunk.buffer);
    expect([...out]).toEqual([7, 8, 9]);
  });

  it("copies a chunk that is only part of its buffer when read, so the result owns all of its buffer", () => {
    const ring = new RingBuffer({ capacity: 16 });
    const backing = bytes(0, 1, 2, 3, 4, 5);
    expect(ring.adopt(backing.subarray(2, 5))).toBe(true);
    const out = ring.read();
    expect([...out]).toEqual([2, 3, 4]);
    expect(out.buffer).not.toBe(backing.buffer);
    expect(out.buffer.byteLength).toBe(3);
  });

  it("takes nothing when not empty, ended, tracking writes, or given too much or nothing", () => {
    const full = new RingBuffer({ capacity: 4 });
    full.write(bytes(1));
    expect(full.adopt(bytes(2))).toBe(false);
    expect([...full.read()]).toEqual([1]);
    const ended = new RingBuffer({ capacity: 4 });
    ended.end();
    expect(ended.adopt(bytes(1))).toBe(false);
    const tracking = new RingBuffer({ capacity: 4, trackWrites: true });
    expect(tracking.adopt(bytes(1))).toBe(false);
    const small = new RingBuffer({ capacity: 2 });
    expect(small.adopt(bytes(1, 2, 3))).toBe(false);
    expect(small.adopt(bytes())).toBe(false);
    expect(small.length).toBe(0);
  });

  it("never writes into an adopted chunk: later bytes go to the store, after it", () => {
    const ring = new RingBuffer({ capacity: 8 });
    const chunk = bytes(1, 2, 3);
    ring.adopt(chunk);
    expect(ring.write(bytes(4, 5))).toBe(2);
    expect([...chunk]).toEqual([1, 2, 3]);
    expect(ring.at(3)).toBe(4);
    expect([...ring.read()]).toEqual([1, 2, 3, 4, 5]);
  });

  it("lends an adopted chunk through readRegions and consumes it in parts without a copy", () => {
    const ring = new RingBuffer({ capacity: 8 });
    const chunk = bytes(1, 2, 3, 4);
    ring.adopt(chunk);
    const [region] = ring.readRegions();
    expect(region!.buffer).toBe(chunk.buffer);
    expect(ring.consume(1)).toBe(1);
    expect(ring.at(0)).toBe(2);
    expect([...ring.readRegions()[0]!]).toEqual([2, 3, 4]);
    expect([...ring.read()]).toEqual([2, 3, 4]);
    expect(ring.isEmpty).toBe(true);
  });

  it("behaves exactly as a written ring under any sequence of operations", () => {
    for (let seed = 1; seed <= 40; seed++) {
      const next = random(seed);
      const adopted = new RingBuffer({ capacity: 64, initialSize: 8 });
      const written = new RingBuffer({ capacity: 64, initialSize: 8 });
      let adoptions = 0;
      for (let step = 0; step < 400; step++) {
        const op = Math.floor(next() * 10);
        const size = 1 + Math.floor(next() * 40);
        const chunk = Uint8Array.from({ length: size }, () => Math.floor(next() * 4)); // few values: indexOf hits
        const n = Math.floor(next() * 50);
        const seen = (ring: RingBuffer): unknown => {
          switch (op) {
            case 0:
            case 1:
              if (ring === adopted && ring.adopt(chunk.slice())) {
                adoptions++;
                return chunk.length;
              }
              return ring.write(chunk.slice());
            case 2:
              return [...ring.read(n)];
            case 3:
              return [...ring.peek(n)];
            case 4:
              return ring.consume(n);
            case 5:
              return [ring.indexOf(chunk[0]!), ring.indexOf(chunk.subarray(0, 2)), ring.at(n % 8)];
            case 6:
              return ring.readRegions().flatMap((region) => [...region]);
            case 7: {
              const target = new Uint8Array(n);
              return [ring.readInto(target), [...target]];
            }
            case 8: {
              const regions = ring.writeRegions();
              const free = regions.reduce((sum, region) => sum + region.length, 0);
              const count = Math.min(free, 3);
              let left = count;
              for (const region of regions) {
                const take = Math.min(left, region.length);
                region.fill(9, 0, take);
                left -= take;
              }
              ring.commit(count);
              return count;
            }
            default:
              return op === 9 && n % 5 === 0 ? ring.clear() : [ring.length, ring.free, ring.isEmpty, ring.isFull];
          }
        };
        expect(seen(adopted), `seed ${seed} step ${step} op ${op}`).toEqual(seen(written));
        expect(adopted.length).toBe(written.length);
      }
      expect(adoptions).toBeGreaterThan(0);
    }
  });
});

describe("Intake adopt option", () => {
  it("hands a fresh chunk to an empty ring whole, and copies when the chunk is reused or fed elsewhere", () => {
    const ring = new RingBuffer({ capacity: 16 });
    const intake = new Intake(ring, { adopt: true });
    const chunk = bytes(1, 2, 3);
    expect(intake.offer(chunk)).toBe(3);
    expect(ring.read()).toBe(chunk);

    // Offered as a reused buffer: copied, so changing it later changes nothing in the ring.
    const scratch = bytes(4, 5);
    intake.offer(scratch, true);
    scratch.fill(0);
    expect([...ring.read()]).toEqual([4, 5]);

    // Without the option (a serial port's reused read buffer): always copied.
    const plain = new Intake(ring);
    const reused = bytes(6, 7);
    plain.offer(reused);
    reused.fill(0);
    expect([...ring.read()]).toEqual([6, 7]);

    // A custom feed sees every byte: no adoption.
    const fed: number[] = [];
    const feeding = new Intake(ring, { adopt: true, feed: (data, target) => (fed.push(...data), target.write(data)) });
    const line = bytes(8, 9);
    feeding.offer(line);
    expect(fed).toEqual([8, 9]);
    expect(ring.read()).not.toBe(line);
  });
});
