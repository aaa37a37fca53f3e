/**
 * ByteQueue (internal): the growable buffer framers keep an incomplete frame
 * in. Appends at the end, drops from the front, and compacts instead of
 * growing when the dropped front leaves room.
 *
 * @module
 */

const EMPTY = new Uint8Array(0);

/** A growable FIFO of bytes, for the bytes a framer holds between pushes. */
export class ByteQueue {
  #bytes: Uint8Array = EMPTY;
  #start = 0;
  #end = 0;

  /** Bytes held. */
  get length(): number {
    return this.#end - this.#start;
  }

  /**
   * A view of the bytes held, valid until the next append, drop or clear.
   * @returns the view
   */
  view(): Uint8Array {
    return this.#bytes.subarray(this.#start, this.#end);
  }

  /**
   * Copies `chunk` onto the end.
   * @param chunk the bytes to add
   */
  append(chunk: Uint8Array): void {
    const size = chunk.length;
    if (size === 0) return;
    if (this.#bytes.length - this.#end < size) {
      const length = this.#end - this.#start;
      if (this.#bytes.length - length >= size && length <= this.#bytes.length >> 1) {
        this.#bytes.copyWithin(0, this.#start, this.#end);
      } else {
        const grown = new Uint8Array(Math.max(64, (length + size) * 2));
        grown.set(this.#bytes.subarray(this.#start, this.#end));
        this.#bytes = grown;
      }
      this.#start = 0;
      this.#end = length;
    }
    this.#bytes.set(chunk, this.#end);
    this.#end += size;
  }

  /**
   * Drops `n` bytes from the front.
   * @param n bytes to drop (at most `length`)
   */
  drop(n: number): void {
    this.#start += Math.min(n, this.#end - this.#start);
    if (this.#start === this.#end) this.#start = this.#end = 0;
  }

  /** Drops everything and releases a large buffer. */
  clear(): void {
    this.#start = this.#end = 0;
    if (this.#bytes.length > 65_536) this.#bytes = EMPTY;
  }
}
