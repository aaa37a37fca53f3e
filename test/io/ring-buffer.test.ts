import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RingBuffer, RingEndedError } from "../../src/io/index.js";
import { find } from "../helpers/io-reference.js";
import { bytes, text } from "../helpers/io-drive.js";

describe("RingBuffer", () => {
  it("takes what fits and reports the count (back pressure, no silent drop)", () => {
    const ring = new RingBuffer({ capacity: 8 });
    expect(ring.write(bytes("hello world"))).toBe(8);
    expect(ring.isFull).toBe(true);
    expect(ring.write(bytes("x"))).toBe(0);
    expect(text(ring.read())).toBe("hello wo");
  });

  it("finds a multi-byte needle straddling the wrap point", () => {
    const ring = new RingBuffer(8);
    ring.write(bytes("xxxxx"));
    ring.consume(4);
    ring.write(bytes("ab\r\ncd")); // "\r" at index 7 and "\n" at 0 of the array
    expect(ring.readRegions()).toHaveLength(2);
    expect(ring.indexOf(bytes("\r\n"))).toBe(3);
    expect(ring.indexOf(bytes("\r\n"), 4)).toBe(-1);
  });

  it("exposes free space as regions that commit() turns into data", () => {
    const ring = new RingBuffer(8);
    ring.write(bytes("abcdef"));
    ring.consume(4);
    const regions = ring.writeRegions();
    expect(regions.map((region) => region.length)).toEqual([2, 4]);
    regions[0]!.set(bytes("gh"));
    regions[1]!.set(bytes("i"));
    ring.commit(3);
    expect(text(ring.read())).toBe("efghi");
  });

  it("rejects commit beyond the free space with a RangeError naming n", () => {
    expect(() => new RingBuffer(4).commit(5)).toThrow(/^n must/);
  });

  it("throws RingEndedError on write after end, and reset() reopens it", () => {
    const ring = new RingBuffer({ capacity: 4, name: "client 127.0.0.1:7 rxbs" });
    ring.write(bytes("a"));
    ring.end();
    expect(() => ring.write(bytes("b"))).toThrow(RingEndedError);
    expect(() => ring.write(bytes("b"))).toThrow(/client 127\.0\.0\.1:7 rxbs/);
    expect(ring.exhausted).toBe(false);
    ring.read();
    expect(ring.exhausted).toBe(true);
    ring.reset();
    expect(ring.write(bytes("c"))).toBe(1);
  });

  it("notifies dataSignal on write and spaceSignal on consume", () => {
    const ring = new RingBuffer(4);
    const woken: string[] = [];
    ring.dataSignal.subscribe({ wake: () => woken.push("data") });
    ring.spaceSignal.subscribe({ wake: () => woken.push("space") });
    ring.write(bytes("a"));
    ring.consume(1);
    expect(woken).toEqual(["data", "space"]);
  });

  it("rejects a capacity below 1 with a RangeError naming capacity", () => {
    expect(() => new RingBuffer(0)).toThrow(/^capacity/);
  });
});

type Op =
  | { kind: "write"; bytes: Uint8Array }
  | { kind: "commit"; bytes: Uint8Array }
  | { kind: "read"; n: number }
  | { kind: "readInto"; n: number }
  | { kind: "peek"; n: number }
  | { kind: "consume"; n: number }
  | { kind: "indexOf"; needle: Uint8Array; from: number }
  | { kind: "clear" };

const small = fc.uint8Array({ maxLength: 12 }).map((a) => a.map((b) => b % 4));
const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: small.map((bytes) => ({ kind: "write" as const, bytes })), weight: 4 },
  { arbitrary: small.map((bytes) => ({ kind: "commit" as const, bytes })), weight: 3 },
  { arbitrary: fc.nat({ max: 14 }).map((n) => ({ kind: "read" as const, n })), weight: 3 },
  { arbitrary: fc.nat({ max: 14 }).map((n) => ({ kind: "peek" as const, n })), weight: 1 },
  { arbitrary: fc.nat({ max: 14 }).map((n) => ({ kind: "readInto" as const, n })), weight: 2 },
  { arbitrary: fc.nat({ max: 14 }).map((n) => ({ kind: "consume" as const, n })), weight: 2 },
  {
    arbitrary: fc
      .record({ needle: fc.uint8Array({ minLength: 1, maxLength: 3 }).map((a) => a.map((b) => b % 4)), from: fc.nat({ max: 12 }) })
      .map((r) => ({ kind: "indexOf" as const, ...r })),
    weight: 4,
  },
  { arbitrary: fc.constant({ kind: "clear" as const }), weight: 1 },
);

describe("RingBuffer store", () => {
  it("allocates nothing until the first write, then grows to capacity keeping wrapped bytes in order", () => {
    const ring = new RingBuffer({ capacity: 64, initialSize: 8 });
    expect(ring.readRegions()).toEqual([]);
    ring.write(Uint8Array.from([1, 2, 3, 4, 5, 6]));
    ring.consume(4);
    ring.write(Uint8Array.from([7, 8, 9, 10])); // wraps inside the 8-byte store
    expect(ring.readRegions()).toHaveLength(2);
    ring.write(Uint8Array.from({ length: 20 }, (_, index) => 11 + index)); // grows past 8
    expect([...ring.read()]).toEqual(Array.from({ length: 26 }, (_, index) => 5 + index));
    expect(ring.capacity).toBe(64);
  });

  it("offers all free space as write regions even before the store has grown", () => {
    const ring = new RingBuffer({ capacity: 100, initialSize: 4 });
    ring.write(Uint8Array.from([1, 2]));
    const total = ring.writeRegions().reduce((sum, region) => sum + region.length, 0);
    expect(total).toBe(98);
  });

  it("rejects an initialSize below 1 with a RangeError naming it", () => {
    expect(() => new RingBuffer({ capacity: 8, initialSize: 0 })).toThrow(/^initialSize/);
  });
});

describe("RingBuffer properties", () => {
  it("keeps length + free == capacity and gives out the bytes put in, in order, under random operations", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 16 }), fc.array(op, { maxLength: 60 }), (capacity, initialSize, ops) => {
        // A small initialSize makes the store grow (and move wrapped bytes) mid-sequence.
        const ring = new RingBuffer({ capacity, initialSize });
        let model: number[] = [];
        const out: number[] = [];
        const expectedOut: number[] = [];
        for (const operation of ops) {
          switch (operation.kind) {
            case "write": {
              const taken = ring.write(operation.bytes);
              expect(taken).toBe(Math.min(operation.bytes.length, capacity - model.length));
              model.push(...operation.bytes.subarray(0, taken));
              break;
            }
            case "commit": {
              // Fill the write regions from the front, as a handle does.
              let placed = 0;
              for (const region of ring.writeRegions()) {
                const part = operation.bytes.subarray(placed, placed + region.length);
                region.set(part);
                placed += part.length;
              }
              ring.commit(placed);
              model.push(...operation.bytes.subarray(0, placed));
              break;
            }
            case "read": {
              const got = ring.read(operation.n);
              out.push(...got);
              expectedOut.push(...model.splice(0, operation.n));
              break;
            }
            case "readInto": {
              const target = new Uint8Array(operation.n);
              const moved = ring.readInto(target);
              out.push(...target.subarray(0, moved));
              expectedOut.push(...model.splice(0, operation.n));
              break;
            }
            case "peek":
              expect([...ring.peek(operation.n)]).toEqual(model.slice(0, operation.n));
              break;
            case "consume":
              expect(ring.consume(operation.n)).toBe(Math.min(operation.n, model.length));
              model = model.slice(operation.n);
              break;
            case "indexOf": {
              const found = find(Uint8Array.from(model), operation.needle, operation.from);
              const needle = operation.needle.length === 1 ? operation.needle[0]! : operation.needle;
              expect(ring.indexOf(needle, operation.from)).toBe(found);
              break;
            }
            case "clear":
              ring.clear();
              model = [];
              break;
          }
          expect(ring.length + ring.free).toBe(capacity);
          expect(ring.length).toBe(model.length);
          expect(ring.readRegions().flatMap((region) => [...region])).toEqual(model);
          expect(ring.at(0)).toBe(model.length > 0 ? model[0] : -1);
        }
        expect(out).toEqual(expectedOut);
      }),
      { numRuns: 500 },
    );
  });
});

describe("RingBuffer input checks", () => {
  it("write rejects what is not bytes with a TypeError naming bytes, storing nothing", () => {
    const ring = new RingBuffer({ capacity: 16, name: "test rxbs" });
    for (const bad of ["hello", [300, -1, "a"], [104, 105], 42, null, undefined, {}, new ArrayBuffer(4)]) {
      expect(() => ring.write(bad as unknown as Uint8Array)).toThrow(TypeError);
      expect(() => ring.write(bad as unknown as Uint8Array)).toThrow(/test rxbs: bytes must be a Uint8Array/);
    }
    expect(() => ring.write("hello" as unknown as Uint8Array)).toThrow(/encode the string first/);
    expect(ring.length).toBe(0);
  });

  it("write takes a Buffer, and the underlying bytes of other ArrayBufferViews", () => {
    const ring = new RingBuffer({ capacity: 16 });
    expect(ring.write(Buffer.from("hi"))).toBe(2);
    expect(ring.write(Uint16Array.of(0x0201))).toBe(2);
    const backing = Uint8Array.of(9, 8, 7, 6, 5);
    expect(ring.write(new DataView(backing.buffer, 1, 3))).toBe(3);
    expect([...ring.read()]).toEqual([104, 105, ...new Uint8Array(Uint16Array.of(0x0201).buffer), 8, 7, 6]);
  });

  it.each([
    ["read", (ring: RingBuffer, n: unknown) => ring.read(n as number)],
    ["peek", (ring: RingBuffer, n: unknown) => ring.peek(n as number)],
    ["consume", (ring: RingBuffer, n: unknown) => ring.consume(n as number)],
  ])("%s rejects a negative or NaN count with a RangeError, and a non-number with a TypeError, naming n", (_name, call) => {
    const ring = new RingBuffer({ capacity: 16, name: "test ring" });
    ring.write(bytes("abcdef"));
    for (const bad of [-1, -5, -0.5, Number.NaN, Number.NEGATIVE_INFINITY]) {
      expect(() => call(ring, bad)).toThrow(RangeError);
      expect(() => call(ring, bad)).toThrow(/test ring: n must be a number of bytes >= 0/);
    }
    for (const bad of ["2", null, {}]) {
      expect(() => call(ring, bad)).toThrow(TypeError);
      expect(() => call(ring, bad)).toThrow(/test ring: n must be a number of bytes/);
    }
    expect(ring.length).toBe(6); // nothing was taken
    expect(call(ring, 2.9)).toBeTruthy(); // fractions still round down
  });

  it("indexOf rejects a bad needle or a negative from, naming them; readInto rejects a non-Uint8Array target", () => {
    const ring = new RingBuffer({ capacity: 16, name: "test ring" });
    ring.write(bytes("abc"));
    expect(() => ring.indexOf("b" as unknown as number)).toThrow(/test ring: needle must be a byte value or a Uint8Array, got string/);
    expect(() => ring.indexOf(0x62, -1)).toThrow(RangeError);
    expect(() => ring.indexOf(0x62, -1)).toThrow(/from must be a number of bytes >= 0/);
    expect(() => ring.readInto([] as unknown as Uint8Array)).toThrow(/test ring: target must be a Uint8Array, got Array/);
    expect(ring.indexOf(0x62)).toBe(1);
  });
});
