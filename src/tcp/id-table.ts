/**
 * IdTable: a read-only Map from connection id to connection that never
 * reallocates once it has grown, each member knowing its own slot.
 *
 * @module
 */

/** A member of an {@link IdTable}: its key and its slot there (-1: in none). */
export interface IdItem {
  /** Its key, unique among the members. */
  readonly id: number;
  /** @internal Its slot in the table's order; -1 when in no table. */
  tableSlot: number;
}

/** Slots of a new table's hash (a power of two). */
const FIRST_CAPACITY = 16;

/**
 * The members keyed by `id`, in the order they were added, as a `Map`'s
 * are: `get`/`has` by id, `add`/`delete` O(1). One difference: iterating
 * visits the members there were when it began (a member deleted meanwhile
 * is still visited, one added is not), so code may close connections or
 * wait between them while it iterates.
 *
 * Why not a `Map`: measured under connection churn (bench/tcp-overhead.ts
 * churn, V8 11 in Node 20), with the server's and the ServerDoer's
 * per-connection Maps about 1.5 KB of every connection was promoted to the
 * old generation, and scavenges took 5.8 µs per connection; with these
 * tables 0.3 KB and 2.9 µs. Our reading: a Map that is filled and emptied
 * all the time reallocates its table, and a table dropped after it was
 * promoted still names the connections it held, so scavenges keep them, with
 * their rings, pumps and handlers. Here the arrays only grow, and every slot
 * that is emptied is cleared.
 *
 * The hash is open addressing on `id` with linear probing (ids are a
 * counter, so they spread without collisions) and backward-shift deletion;
 * the order is an array with holes, compacted when it would grow while
 * half of it is holes. Both keep the size of their peak, and each grows by
 * copying into an array twice as long and clearing the old one (a plain
 * array's own growth would leave its old store full of references).
 */
export class IdTable<T extends IdItem> implements ReadonlyMap<number, T> {
  #hash: (T | undefined)[] = new Array<T | undefined>(FIRST_CAPACITY).fill(undefined);
  #mask = FIRST_CAPACITY - 1;
  #order: (T | undefined)[] = new Array<T | undefined>(FIRST_CAPACITY).fill(undefined);
  #end = 0;
  #size = 0;

  /** Members. */
  get size(): number {
    return this.#size;
  }

  /**
   * @param id a key
   * @returns the member with that id, if any
   */
  get(id: number): T | undefined {
    const hash = this.#hash;
    const mask = this.#mask;
    for (let index = id & mask; ; index = (index + 1) & mask) {
      const item = hash[index];
      if (item === undefined || item.id === id) return item;
    }
  }

  /**
   * @param id a key
   * @returns whether a member has that id
   */
  has(id: number): boolean {
    return this.get(id) !== undefined;
  }

  /**
   * Adds `item` under its id, last in the order.
   * @param item an item in no table
   * @throws Error when `item` is in a table, or another member has its id
   */
  add(item: T): void {
    if (item.tableSlot >= 0) throw new Error(`IdTable.add: the item with id ${item.id} is in a table already`);
    if ((this.#size + 1) * 2 > this.#hash.length) this.#grow();
    const hash = this.#hash;
    const mask = this.#mask;
    let index = item.id & mask;
    for (; hash[index] !== undefined; index = (index + 1) & mask) {
      if (hash[index]!.id === item.id) throw new Error(`IdTable.add: id ${item.id} is taken`);
    }
    hash[index] = item;
    if (this.#end === this.#order.length) {
      if (this.#end >= 2 * this.#size) this.#compact();
      else this.#order = grown(this.#order);
    }
    item.tableSlot = this.#end;
    this.#order[this.#end++] = item;
    this.#size++;
  }

  /**
   * Removes the member with id `id`.
   * @param id a key
   * @returns whether there was one
   */
  delete(id: number): boolean {
    const hash = this.#hash;
    const mask = this.#mask;
    let index = id & mask;
    let item = hash[index];
    while (item !== undefined && item.id !== id) {
      index = (index + 1) & mask;
      item = hash[index];
    }
    if (item === undefined) return false;
    // Backward-shift deletion: move up each later entry of the run that may
    // sit at the freed slot, so that lookups need no tombstones.
    hash[index] = undefined;
    for (let next = (index + 1) & mask; hash[next] !== undefined; next = (next + 1) & mask) {
      const home = hash[next]!.id & mask;
      const between = index <= next ? home > index && home <= next : home > index || home <= next;
      if (between) continue;
      hash[index] = hash[next];
      hash[next] = undefined;
      index = next;
    }
    this.#order[item.tableSlot] = undefined;
    item.tableSlot = -1;
    this.#size--;
    return true;
  }

  /** Removes every member. */
  clear(): void {
    const order = this.#order;
    for (let slot = 0; slot < this.#end; slot++) {
      const item = order[slot];
      if (item !== undefined) item.tableSlot = -1;
      order[slot] = undefined;
    }
    this.#hash.fill(undefined);
    this.#end = 0;
    this.#size = 0;
  }

  /** Doubles the hash; the old one is cleared, so it keeps nothing alive. */
  #grow(): void {
    const old = this.#hash;
    const hash = new Array<T | undefined>(old.length * 2).fill(undefined);
    const mask = hash.length - 1;
    for (const item of old) {
      if (item === undefined) continue;
      let index = item.id & mask;
      while (hash[index] !== undefined) index = (index + 1) & mask;
      hash[index] = item;
    }
    old.fill(undefined);
    this.#hash = hash;
    this.#mask = mask;
  }

  /** Closes the holes of the order, keeping it. */
  #compact(): void {
    const order = this.#order;
    let to = 0;
    for (let slot = 0; slot < this.#end; slot++) {
      const item = order[slot];
      if (item === undefined) continue;
      item.tableSlot = to;
      order[to++] = item;
    }
    for (let slot = to; slot < this.#end; slot++) order[slot] = undefined;
    this.#end = to;
  }

  /** @returns the members as they are now, in the order they were added */
  #snapshot(): T[] {
    const members: T[] = [];
    const order = this.#order;
    for (let slot = 0; slot < this.#end; slot++) {
      const item = order[slot];
      if (item !== undefined) members.push(item);
    }
    return members;
  }

  /** @returns the members at the time of the call, in the order they were added */
  values(): MapIterator<T> {
    return this.#snapshot().values();
  }

  /** @returns the members' ids at the time of the call, in order */
  keys(): MapIterator<number> {
    return this.#snapshot()
      .map((item) => item.id)
      .values();
  }

  /** @returns `[id, member]` pairs at the time of the call, in order */
  entries(): MapIterator<[number, T]> {
    return this.#snapshot()
      .map((item): [number, T] => [item.id, item])
      .values();
  }

  /**
   * Calls `callback` with each member, as a Map's `forEach`.
   * @param callback called with (member, id, this table)
   * @param thisArg `this` for the callback
   */
  forEach(callback: (value: T, key: number, map: ReadonlyMap<number, T>) => void, thisArg?: unknown): void {
    for (const item of this.#snapshot()) callback.call(thisArg, item, item.id, this);
  }

  [Symbol.iterator](): MapIterator<[number, T]> {
    return this.entries();
  }
}

/**
 * A copy of `slots` twice as long; `slots` is cleared, so it keeps nothing alive.
 * @param slots a full array
 * @returns the longer copy
 */
export function grown<T>(slots: (T | undefined)[]): (T | undefined)[] {
  const copy = new Array<T | undefined>(slots.length * 2).fill(undefined);
  for (let slot = 0; slot < slots.length; slot++) copy[slot] = slots[slot];
  slots.fill(undefined);
  return copy;
}
