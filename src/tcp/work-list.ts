/**
 * WorkList: the server's set of remoters with events, kept in an array
 * that never shrinks, each member knowing its own slot.
 *
 * @module
 */
import { grown } from "./id-table.js";

/** A member of a {@link WorkList}: it holds its slot there (-1: in none). */
export interface WorkItem {
  /** @internal Its slot in the work list that holds it; -1 when in none. */
  workSlot: number;
}

/**
 * A set of items in insertion order, for items that belong to at most one
 * work list: `add`, `has` and `delete` are O(1) through the item's own
 * `workSlot`; a deleted item leaves a hole that the next `compact` closes.
 *
 * Why not a `Set`: it is filled and emptied on every pass, and a Set
 * reallocates its table as it grows and shrinks, and on every `clear()`;
 * see IdTable for what churning tables cost. This array keeps its capacity,
 * grows by copying and clearing the old one, and clears every slot it
 * empties.
 */
export class WorkList<T extends WorkItem> implements ReadonlySet<T> {
  /** Members and holes (`undefined`) in slots `0 … end - 1`; emptied slots are cleared. */
  #items: (T | undefined)[] = new Array<T | undefined>(16).fill(undefined);
  #end = 0;
  #size = 0;

  /** Members. */
  get size(): number {
    return this.#size;
  }

  /** Slots in use, holes included: iterate `0 … end - 1` with `at`. */
  get end(): number {
    return this.#end;
  }

  /**
   * @param slot a slot below `end`
   * @returns its member, or `undefined` for a hole
   */
  at(slot: number): T | undefined {
    return this.#items[slot];
  }

  /**
   * @param item an item of this list's kind
   * @returns whether it is a member (an item is in one work list at most)
   */
  has(item: T): boolean {
    return item.workSlot >= 0 && this.#items[item.workSlot] === item;
  }

  /**
   * Appends `item` unless it is a member.
   * @param item the item
   * @returns this list
   * @throws Error when `item` is in another work list
   */
  add(item: T): this {
    const slot = item.workSlot;
    if (slot >= 0) {
      if (this.#items[slot] === item) return this;
      throw new Error("WorkList.add: the item is in another work list");
    }
    if (this.#end === this.#items.length) this.#items = grown(this.#items);
    item.workSlot = this.#end;
    this.#items[this.#end++] = item;
    this.#size++;
    return this;
  }

  /**
   * Removes `item`, leaving a hole (closed by the next `compact` or `clear`).
   * @param item the item
   * @returns whether it was a member
   */
  delete(item: T): boolean {
    if (!this.has(item)) return false;
    this.#items[item.workSlot] = undefined;
    item.workSlot = -1;
    this.#size--;
    return true;
  }

  /**
   * Drops the slots below `upTo` (their members leave) and moves the later
   * ones to the front, so items added while the first `upTo` slots were
   * worked on stay, in order.
   * @param upTo the `end` when the work began
   */
  compact(upTo: number): void {
    const items = this.#items;
    for (let slot = 0; slot < upTo; slot++) {
      const item = items[slot];
      if (item !== undefined) {
        item.workSlot = -1;
        this.#size--;
      }
    }
    let to = 0;
    for (let slot = upTo; slot < this.#end; slot++) {
      const item = items[slot];
      if (item === undefined) continue;
      item.workSlot = to;
      items[to++] = item;
    }
    for (let slot = to; slot < this.#end; slot++) items[slot] = undefined;
    this.#end = to;
  }

  /** Removes every member. */
  clear(): void {
    const items = this.#items;
    for (let slot = 0; slot < this.#end; slot++) {
      const item = items[slot];
      if (item !== undefined) item.workSlot = -1;
    }
    for (let slot = 0; slot < this.#end; slot++) items[slot] = undefined;
    this.#end = 0;
    this.#size = 0;
  }

  /** @returns the members in order (a member added meanwhile is visited too, as a Set's iterator does) */
  *values(): SetIterator<T> {
    for (let slot = 0; slot < this.#end; slot++) {
      const item = this.#items[slot];
      if (item !== undefined) yield item;
    }
  }

  /** @returns the members in order */
  keys(): SetIterator<T> {
    return this.values();
  }

  /** @returns `[member, member]` pairs, as a Set's */
  *entries(): SetIterator<[T, T]> {
    for (const item of this.values()) yield [item, item];
  }

  /**
   * Calls `callback` with each member, as a Set's `forEach`.
   * @param callback called with (member, member, this list)
   * @param thisArg `this` for the callback
   */
  forEach(callback: (value: T, key: T, set: ReadonlySet<T>) => void, thisArg?: unknown): void {
    for (const item of this.values()) callback.call(thisArg, item, item, this);
  }

  [Symbol.iterator](): SetIterator<T> {
    return this.values();
  }
}
