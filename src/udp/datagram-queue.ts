/**
 * DatagramQueue: a FIFO capped both in entries and in bytes, like a kernel's
 * socket buffer (and smoltcp's packet buffer). Internal to the UDP layer.
 *
 * @module
 */

/** Anything with a byte payload the queue can measure. */
export interface Sized {
  readonly data: Uint8Array;
}

/**
 * A bounded FIFO of datagrams. `push` refuses (returns false) when either cap
 * would be passed; the caller decides whether that is a counted drop (receive)
 * or back pressure (send). Storage is a circular array that grows by doubling
 * up to `maxCount`, so a steady flow allocates nothing.
 */
export class DatagramQueue<T extends Sized> {
  /** Entries it holds at most. */
  readonly maxCount: number;
  /** Payload bytes it holds at most. */
  readonly maxBytes: number;
  #items: (T | undefined)[];
  #head = 0;
  #count = 0;
  #bytes = 0;

  /**
   * @param maxCount entries at most (>= 1)
   * @param maxBytes payload bytes at most (>= 0)
   */
  constructor(maxCount: number, maxBytes: number) {
    this.maxCount = maxCount;
    this.maxBytes = maxBytes;
    this.#items = new Array<T | undefined>(Math.min(maxCount, 16));
  }

  /** Entries queued. */
  get length(): number {
    return this.#count;
  }

  /** Payload bytes queued. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Tells whether `count` more entries totalling `bytes` would fit now.
   * @param count entries
   * @param bytes payload bytes
   * @returns true when they fit
   */
  fits(count: number, bytes: number): boolean {
    return this.#count + count <= this.maxCount && this.#bytes + bytes <= this.maxBytes;
  }

  /**
   * Appends an entry if it fits.
   * @param item the entry
   * @returns false (and nothing queued) when a cap would be passed
   */
  push(item: T): boolean {
    const size = item.data.length;
    if (this.#count >= this.maxCount || this.#bytes + size > this.maxBytes) return false;
    let items = this.#items;
    if (this.#count === items.length) items = this.#grow();
    items[(this.#head + this.#count) % items.length] = item;
    this.#count++;
    this.#bytes += size;
    return true;
  }

  /**
   * Removes and returns the oldest entry.
   * @returns the entry, or undefined when empty
   */
  shift(): T | undefined {
    if (this.#count === 0) return undefined;
    const items = this.#items;
    const item = items[this.#head]!;
    items[this.#head] = undefined;
    this.#head = (this.#head + 1) % items.length;
    this.#count--;
    this.#bytes -= item.data.length;
    return item;
  }

  /**
   * Returns the oldest entry without removing it.
   * @returns the entry, or undefined when empty
   */
  peek(): T | undefined {
    return this.#count === 0 ? undefined : this.#items[this.#head];
  }

  /** Empties the queue. */
  clear(): void {
    this.#items.fill(undefined);
    this.#head = 0;
    this.#count = 0;
    this.#bytes = 0;
  }

  #grow(): (T | undefined)[] {
    const old = this.#items;
    const grown = new Array<T | undefined>(Math.min(Math.max(old.length * 2, 1), this.maxCount));
    for (let index = 0; index < this.#count; index++) grown[index] = old[(this.#head + index) % old.length];
    this.#items = grown;
    this.#head = 0;
    return grown;
  }
}
