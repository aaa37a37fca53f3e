import { describe, expect, it } from "vitest";
import { IdTable } from "../../src/tcp/id-table.js";
import { WorkList } from "../../src/tcp/work-list.js";

/** A member of both: an id and the two slots. */
class Item {
  tableSlot = -1;
  workSlot = -1;
  constructor(readonly id: number) {}
}

/** Deterministic pseudo-random numbers in [0, 1). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) & 0x7fffffff;
    return state / 0x80000000;
  };
}

describe("IdTable", () => {
  it("finds, deletes and orders as a Map does, through growth, collisions and compaction (seeded random runs)", () => {
    for (let seed = 1; seed <= 30; seed++) {
      const next = random(seed);
      const table = new IdTable<Item>();
      const model = new Map<number, Item>();
      let id = 1;
      for (let step = 0; step < 600; step++) {
        const roll = next();
        if (roll < 0.45 || model.size === 0) {
          // Ids jump now and then, so that some collide in the hash (id and id + 16·k).
          id += next() < 0.2 ? 16 * Math.floor(1 + next() * 8) : 1;
          const item = new Item(id);
          table.add(item);
          model.set(id, item);
        } else if (roll < 0.9) {
          const keys = [...model.keys()];
          const key = keys[Math.floor(next() * keys.length)]!;
          const item = model.get(key)!;
          expect(table.delete(key)).toBe(true);
          model.delete(key);
          expect(item.tableSlot).toBe(-1);
          expect(table.delete(key)).toBe(false);
        } else {
          const missing = id + 1 + Math.floor(next() * 100);
          expect(table.get(missing)).toBeUndefined();
          expect(table.has(missing)).toBe(false);
        }
        expect(table.size).toBe(model.size);
        expect([...model].every(([key, item]) => table.get(key) === item && table.has(key))).toBe(true);
      }
      expect([...table.keys()]).toEqual([...model.keys()]);
      expect([...table.values()]).toEqual([...model.values()]);
      expect([...table]).toEqual([...model]);
    }
  });

  it("iterates the members there were when it began: one deleted meanwhile is still visited, one added is not", () => {
    const table = new IdTable<Item>();
    const items = [1, 2, 3, 4].map((id) => new Item(id));
    for (const item of items) table.add(item);
    const seen: number[] = [];
    for (const item of table.values()) {
      seen.push(item.id);
      if (item.id === 1) {
        table.delete(3);
        table.add(new Item(5));
      }
    }
    expect(seen).toEqual([1, 2, 3, 4]);
    expect([...table.keys()]).toEqual([1, 2, 4, 5]);
    const each: [number, number][] = [];
    table.forEach((value, key) => each.push([key, value.id]));
    expect(each).toEqual([
      [1, 1],
      [2, 2],
      [4, 4],
      [5, 5],
    ]);
  });

  it("refuses an id that is taken and an item that is in a table, naming the id", () => {
    const table = new IdTable<Item>();
    const item = new Item(7);
    table.add(item);
    expect(() => table.add(new Item(7))).toThrow(/id 7 is taken/);
    expect(() => new IdTable<Item>().add(item)).toThrow(/id 7 is in a table already/);
    expect(table.size).toBe(1);
  });

  it("clear() lets every member go, and the table takes them again", () => {
    const table = new IdTable<Item>();
    const items = Array.from({ length: 100 }, (_, index) => new Item(index + 1));
    for (const item of items) table.add(item);
    table.clear();
    expect(table.size).toBe(0);
    expect(items.every((item) => item.tableSlot === -1)).toBe(true);
    expect(table.get(50)).toBeUndefined();
    for (const item of items) table.add(item);
    expect([...table.keys()]).toEqual(items.map((item) => item.id));
  });
});

describe("WorkList", () => {
  it("adds once, deletes and visits in order as a Set does (seeded random runs)", () => {
    for (let seed = 1; seed <= 30; seed++) {
      const next = random(seed);
      const pool = Array.from({ length: 40 }, (_, index) => new Item(index));
      const list = new WorkList<Item>();
      const model = new Set<Item>();
      for (let step = 0; step < 500; step++) {
        const item = pool[Math.floor(next() * pool.length)]!;
        const roll = next();
        if (roll < 0.5) {
          list.add(item);
          model.add(item);
        } else if (roll < 0.9) {
          expect(list.delete(item)).toBe(model.delete(item));
        } else {
          list.clear();
          model.clear();
        }
        expect(list.size).toBe(model.size);
        expect(pool.map((member) => list.has(member))).toEqual(pool.map((member) => model.has(member)));
      }
      expect([...list]).toEqual([...model]);
    }
  });

  it("compact(upTo) lets the members worked on go and keeps, in order, those added during the work", () => {
    const [a, b, c, d] = [1, 2, 3, 4].map((id) => new Item(id)) as [Item, Item, Item, Item];
    const list = new WorkList<Item>();
    list.add(a).add(b).add(c);
    const upTo = list.end;
    // Work on the first three: b leaves before its turn and comes back after; d is new.
    list.delete(a);
    list.delete(b);
    list.add(d);
    list.add(b);
    list.compact(upTo);
    expect([...list]).toEqual([d, b]);
    expect(list.size).toBe(2);
    expect([a.workSlot, c.workSlot]).toEqual([-1, -1]);
    expect(list.has(c)).toBe(false);
    expect(list.at(d.workSlot)).toBe(d);
    expect(list.at(b.workSlot)).toBe(b);
  });

  it("refuses an item that is in another work list", () => {
    const item = new Item(1);
    new WorkList<Item>().add(item);
    expect(() => new WorkList<Item>().add(item)).toThrow(/another work list/);
  });
});
