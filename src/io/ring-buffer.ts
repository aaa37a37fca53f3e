/**
 * RingBuffer: the bounded byte queue between a handle and protocol code.
 *
 * @module
 */
import { Signal } from "../core/index.js";
import { RingEndedError } from "./errors.js";
import { checkCount } from "./validate.js";

/** Options of {@link RingBuffer}. */
export interface RingBufferOptions {
  /** Bytes it holds at most. Default 65 536. */
  capacity?: number;
  /** A name for error messages (e.g. `client 127.0.0.1:7000 rxbs`). */
  name?: string;
  /**
   * Bytes allocated by the first write; the store then doubles as needed up
   * to `capacity`. Default 4096 (or `capacity` if smaller).
   */
  initialSize?: number;
  /**
   * Names the ring by its owner's label followed by `name` (e.g. a
   * remoter's `remoter 127.0.0.1:50123 of server 127.0.0.1:7000` and
   * `rxbs`), built only when a message needs it, so a ring per connection
   * costs no string up front.
   */
  owner?:
    | {
        /** Names the owner, e.g. `client 127.0.0.1:7000`. */
        readonly label: string;
      }
    | undefined;
  /**
   * Keep the boundaries of writes, so `discard()` can count the writes it
   * drops (`droppedWrites`). A write is one `write()` that took all its
   * bytes, one `commit()`, or one `writeAll()` call (a `write()` that took
   * only part stays open and the next `write()` continues it). Default false.
   */
  trackWrites?: boolean;
}

/** Views of a ring's bytes or free space: none, one, or two (when they wrap). */
export type Regions = [] | [Uint8Array] | [Uint8Array, Uint8Array];

const EMPTY = new Uint8Array(0);
/** The search view of the empty store, shared until a ring's first write. */
const EMPTY_SEARCH = Buffer.from(EMPTY.buffer, 0, 0);
/** The write ends of a ring that has none: shared, never pushed to. */
const NO_ENDS: number[] = [];
/** First store size: most frames and most socket reads fit in 4 KiB. */
const INITIAL_STORE = 4096;
/**
 * Stores of at most this size are carved from shared slabs of SLAB_SIZE
 * (as Node's Buffer pool does): an ArrayBuffer of its own costs a
 * backing-store allocation and GC tracking (measured ~1.7 µs, a sixth of a
 * connection's cost under churn), so rings share one per SLAB_SIZE bytes. A
 * slab is freed once every ring carved from it has grown past it or is
 * gone; a long-lived ring pins at most SLAB_SIZE.
 */
const SLAB_PIECE = INITIAL_STORE;
const SLAB_SIZE = 32 * 1024;
let slab = new ArrayBuffer(0);
let slabUsed = 0;

/**
 * Stores given back by released rings (`RingBuffer.release()`), by size,
 * taken before new ones: a server's closed connection hands its stores to
 * the next one instead of to the GC (under churn, allocating them and
 * collecting them was a third of hio-ts's cost per connection). Bounded by
 * SPARE_BUDGET bytes of backing memory they keep alive (a slab piece counts
 * as its whole slab).
 */
const spares = new Map<number, Uint8Array[]>();
let spareBytes = 0;
const SPARE_BUDGET = 2 * 1024 * 1024;

/**
 * Keeps a released store for reuse, within SPARE_BUDGET.
 * @param store a store no ring uses any more
 */
function recycle(store: Uint8Array): void {
  const pinned = store.buffer.byteLength;
  if (store.length === 0 || spareBytes + pinned > SPARE_BUDGET) return;
  const list = spares.get(store.length);
  if (list === undefined) spares.set(store.length, [store]);
  else list.push(store);
  spareBytes += pinned;
}

/**
 * A zeroed store of `size` bytes: a released one when there is one, else a
 * piece of the current slab when small, else its own.
 * @param size bytes
 * @returns the store
 */
function newStore(size: number): Uint8Array {
  if (spareBytes > 0) {
    const spare = spares.get(size)?.pop();
    if (spare !== undefined) {
      spareBytes -= spare.buffer.byteLength;
      return spare.fill(0);
    }
  }
  if (size > SLAB_PIECE) return new Uint8Array(size);
  if (slabUsed + size > slab.byteLength) {
    slab = new ArrayBuffer(SLAB_SIZE);
    slabUsed = 0;
  }
  const store = new Uint8Array(slab, slabUsed, size);
  slabUsed += size;
  return store;
}

/**
 * Describes a wrong argument for an error message: its type, or its class.
 * @param value what the caller passed
 * @returns e.g. `string`, `Array`, `null`
 */
function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value !== "object") return typeof value;
  return (value as object).constructor?.name ?? "object";
}

/**
 * Views the bytes of an ArrayBufferView that is not a Uint8Array (cold path).
 * @param value what the caller passed as `bytes`
 * @param name the ring's name, for the message
 * @returns a Uint8Array over the same memory
 * @throws TypeError naming `bytes` when it is not an ArrayBufferView
 */
function asBytes(value: unknown, name: string): Uint8Array {
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  const hint = typeof value === "string" ? " (encode the string first, e.g. encodeUtf8(text))" : "";
  throw new TypeError(`${name}: bytes must be a Uint8Array, got ${describe(value)}${hint}`);
}

/**
 * Throws for a count that is not a number >= 0 (cold path; `!(n >= 0)` was
 * the check, which also catches NaN).
 * @param argument the argument's name
 * @param value what the caller passed
 * @param name the ring's name, for the message
 * @throws TypeError for a non-number; RangeError for a negative number or NaN
 */
function badCount(argument: string, value: unknown, name: string): never {
  if (typeof value !== "number") throw new TypeError(`${name}: ${argument} must be a number of bytes, got ${describe(value)}`);
  throw new RangeError(`${name}: ${argument} must be a number of bytes >= 0, got ${value}`);
}

/**
 * A bounded FIFO of bytes over one `Uint8Array`. A handle writes what the OS
 * gave it and protocol code reads it (`rxbs`), or the other way round
 * (`txbs`). It never drops a byte silently: `write` returns how many bytes it
 * took, and the caller keeps the rest (back pressure).
 *
 * Its API comes in three groups:
 * - copies: `write`, `read`, `peek`, and `readInto` (no allocation);
 * - counts and queries: `consume`, `indexOf`, `length`, `capacity`, `free`,
 *   `isEmpty`, `isFull`, `clear`, `end`/`ended`;
 * - zero-copy windows: `readRegions()` and `writeRegions()` (at most two
 *   subarrays each), with `consume(n)` and `commit(n)` to move the ends, so a
 *   handle can move bytes without an extra copy; `adopt(chunk)` takes a fresh
 *   chunk whole into an empty ring, and a `read` of all of it returns it;
 * - its store: `release()` gives an empty ring's store back for reuse.
 *
 * Two {@link Signal}s let a sleeping dog wait instead of polling: `dataSignal`
 * fires when bytes arrive or the ring ends, `spaceSignal` when room frees up.
 *
 * @example
 * ```ts
 * const ring = new RingBuffer({ capacity: 8 });
 * ring.write(new TextEncoder().encode("hello world")); // 8: took what fit
 * ring.read(5);                                        // "hello"
 * ring.free;                                           // 5
 * ```
 */
export class RingBuffer {
  #dataSignal: Signal | undefined;
  #spaceSignal: Signal | undefined;
  readonly #name: string;
  readonly #owner: { readonly label: string } | undefined;
  readonly #capacity: number;
  readonly #initialSize: number;
  /**
   * The store: it starts empty and grows (doubling, from 4 KiB) up to
   * `capacity` as bytes arrive, so an idle connection's rings cost almost no
   * memory and making one is cheap. Wrap arithmetic uses the store's length.
   */
  #bytes: Uint8Array = EMPTY;
  /** A Buffer view of the store for `indexOf` (memchr), made when first searched. */
  #search: Buffer | undefined = EMPTY_SEARCH;
  /** Scratch for a needle straddling the wrap point, made at the first such search and reused. */
  #seam: Buffer = EMPTY_SEARCH;
  #head = 0;
  #length = 0;
  /**
   * A chunk taken whole by `adopt()` while the ring was empty: it holds all
   * `#length` bytes and the store none. The first operation other than a
   * whole `read` copies it into the store (`#settle`).
   */
  #adopted: Uint8Array | undefined = undefined;
  #ended = false;
  #epoch = 0;
  readonly #trackWrites: boolean;
  /** Bytes ever written and ever consumed (only kept with `trackWrites`). */
  #writtenTotal = 0;
  #consumedTotal = 0;
  /** Ends (in `#writtenTotal` terms) of the whole writes still waiting, oldest first from `#endsHead`. */
  #ends: number[] = NO_ENDS;
  #endsHead = 0;
  /** A write took only part of its bytes; the next `write()` continues it. */
  #open = false;
  /** Bytes dropped by `discard()` and by writes torn by it, since the ring was made. */
  #droppedBytes = 0;
  /** Writes not delivered whole because of `discard()`, since the ring was made. */
  #droppedWrites = 0;

  /**
   * Creates an empty ring.
   * @param options capacity in bytes (a number), or `{ capacity, name }`
   * @throws TypeError/RangeError for a capacity that is not a whole number >= 1
   */
  constructor(options: number | RingBufferOptions = {}) {
    const { capacity = 65_536, name = "ring", initialSize = INITIAL_STORE, trackWrites = false, owner } = typeof options === "number" ? { capacity: options } : options;
    checkCount("capacity", capacity, 1);
    checkCount("initialSize", initialSize, 1);
    this.#name = name;
    this.#owner = owner;
    this.#capacity = capacity;
    this.#initialSize = initialSize;
    this.#trackWrites = trackWrites === true;
  }

  /** Notified when bytes are written or the ring is ended (made when first asked for). */
  get dataSignal(): Signal {
    return (this.#dataSignal ??= new Signal());
  }

  /** Notified when bytes are read, consumed or cleared (made when first asked for). */
  get spaceSignal(): Signal {
    return (this.#spaceSignal ??= new Signal());
  }

  /** A name for error messages: `name`, after the owner's label when the ring has an `owner`. */
  get name(): string {
    const owner = this.#owner;
    return owner === undefined ? this.#name : `${owner.label} ${this.#name}`;
  }

  /**
   * Counts `clear()`, `reset()` and `discard()`: a writer that waited for
   * room and finds it changed knows its write was cut (writeAll drops the
   * rest of it rather than finish it on what comes next, e.g. a new
   * connection).
   */
  get epoch(): number {
    return this.#epoch;
  }

  /** Bytes dropped by `discard()` (and the unwritten rest of writes it cut), in total. */
  get droppedBytes(): number {
    return this.#droppedBytes;
  }

  /** Writes not delivered whole because `discard()` dropped all or part of them, in total (needs `trackWrites`). */
  get droppedWrites(): number {
    return this.#droppedWrites;
  }

  /** Bytes it holds at most. */
  get capacity(): number {
    return this.#capacity;
  }

  /** Bytes waiting to be read. */
  get length(): number {
    return this.#length;
  }

  /** Bytes it can take now. `length + free === capacity` always. */
  get free(): number {
    return this.#capacity - this.#length;
  }

  /** No bytes waiting. */
  get isEmpty(): boolean {
    return this.#length === 0;
  }

  /** No room left. */
  get isFull(): boolean {
    return this.#length === this.#capacity;
  }

  /** `end()` was called: no more bytes will come (the peer closed). */
  get ended(): boolean {
    return this.#ended;
  }

  /** Ended and drained: a reader will get nothing more. */
  get exhausted(): boolean {
    return this.#ended && this.#length === 0;
  }

  /**
   * Copies as many of `bytes` in as fit.
   * @param bytes the bytes to add: a Uint8Array (or Buffer), or another
   *   ArrayBufferView, whose underlying bytes are taken as they are
   * @returns how many it took (0 when full); the caller keeps the rest
   * @throws TypeError when `bytes` is not bytes (a string, an array of
   *   numbers...: encode it first, e.g. with `encodeUtf8`); RingEndedError after `end()`
   */
  write(bytes: Uint8Array | ArrayBufferView): number {
    const data = bytes instanceof Uint8Array ? bytes : asBytes(bytes, this.name);
    if (this.#ended) throw new RingEndedError(`${this.name}: write after end`);
    const count = Math.min(data.length, this.#capacity - this.#length);
    if (count === 0) return 0;
    if (this.#adopted !== undefined) this.#settle();
    if (this.#length + count > this.#bytes.length) this.#grow(this.#length + count);
    const capacity = this.#bytes.length;
    const tail = (this.#head + this.#length) % capacity;
    const first = Math.min(count, capacity - tail);
    this.#bytes.set(first === data.length ? data : data.subarray(0, first), tail);
    if (count > first) this.#bytes.set(data.subarray(first, count), 0);
    this.#length += count;
    if (this.#trackWrites) this.#wrote(count, count === data.length);
    this.#dataSignal?.notify();
    return count;
  }

  /**
   * Takes `chunk` itself, without copying, when the ring is empty and it
   * fits: for a source whose chunks are fresh arrays that nobody changes or
   * reads again once handed over (a Node socket's `data` Buffers), so that a
   * reader taking all of it (`readAvailable`, `read()`) gets that very array
   * back, with no copy in and no new array out. Any other use of the ring
   * copies it into the store first, so the ring behaves as if it were
   * written. The caller hands the chunk over: it must not change it after.
   * @param chunk the bytes, given away
   * @returns true when it took the chunk (notifying readers); false when it
   *   took nothing (not empty, too long, ended, or tracking writes): then
   *   `write` it
   */
  adopt(chunk: Uint8Array): boolean {
    const length = chunk.length;
    if (this.#length !== 0 || this.#ended || this.#trackWrites || length === 0 || length > this.#capacity) return false;
    // A plain Uint8Array over the same bytes (a Buffer's slice() would be a view, not a copy).
    this.#adopted = chunk.constructor === Uint8Array ? chunk : new Uint8Array(chunk.buffer, chunk.byteOffset, length);
    this.#length = length;
    this.#head = 0;
    this.#dataSignal?.notify();
    return true;
  }

  /** Copies an adopted chunk into the store, which then holds the ring's bytes as usual. */
  #settle(): void {
    const adopted = this.#adopted!;
    this.#adopted = undefined;
    const length = adopted.length;
    this.#length = 0;
    if (this.#bytes.length < length) this.#grow(length);
    this.#bytes.set(adopted, 0);
    this.#head = 0;
    this.#length = length;
  }

  #wrote(count: number, whole: boolean): void {
    this.#writtenTotal += count;
    if (whole) {
      if (this.#ends === NO_ENDS) this.#ends = [];
      this.#ends.push(this.#writtenTotal);
      this.#open = false;
    } else this.#open = true;
  }

  /**
   * Removes and returns up to `n` bytes (default: all).
   * @param n most bytes to take (a number >= 0; fractions are rounded down)
   * @returns a new array with the bytes, possibly empty
   * @throws TypeError/RangeError naming `n` when it is not a number >= 0
   */
  read(n: number = this.#length): Uint8Array {
    const adopted = this.#adopted;
    if (adopted !== undefined && typeof n === "number" && n >= adopted.length && adopted.byteOffset === 0 && adopted.buffer.byteLength === adopted.length) {
      // All of an adopted chunk that is its whole buffer: that array is the new array.
      this.#adopted = undefined;
      this.#length = 0;
      this.#head = 0;
      this.#spaceSignal?.notify();
      return adopted;
    }
    const bytes = this.peek(n);
    this.consume(bytes.length);
    return bytes;
  }

  /**
   * Returns a copy of up to `n` bytes (default: all) without removing them.
   * @param n most bytes to copy (a number >= 0; fractions are rounded down)
   * @returns a new array with the bytes, possibly empty
   * @throws TypeError/RangeError naming `n` when it is not a number >= 0
   */
  peek(n: number = this.#length): Uint8Array {
    if (typeof n !== "number" || !(n >= 0)) badCount("n", n, this.name);
    const count = Math.min(Math.max(0, Math.floor(n)), this.#length);
    if (count === 0) return EMPTY.slice();
    if (this.#adopted !== undefined) this.#settle();
    const capacity = this.#bytes.length;
    const first = Math.min(count, capacity - this.#head);
    if (first === count) return this.#bytes.slice(this.#head, this.#head + count);
    const out = new Uint8Array(count);
    out.set(this.#bytes.subarray(this.#head, capacity), 0);
    out.set(this.#bytes.subarray(0, count - first), first);
    return out;
  }

  /**
   * Moves up to `target.length` bytes into `target`, without allocating: the
   * way to drain a ring into a buffer you reuse.
   * @param target where to copy the bytes (from its start)
   * @returns how many bytes it moved (0 when empty)
   * @throws TypeError naming `target` when it is not a Uint8Array
   */
  readInto(target: Uint8Array): number {
    if (!(target instanceof Uint8Array)) throw new TypeError(`${this.name}: target must be a Uint8Array, got ${describe(target)}`);
    const count = Math.min(target.length, this.#length);
    if (count === 0) return 0;
    if (this.#adopted !== undefined) this.#settle();
    const capacity = this.#bytes.length;
    const head = this.#head;
    const first = Math.min(count, capacity - head);
    target.set(this.#bytes.subarray(head, head + first), 0);
    if (count > first) target.set(this.#bytes.subarray(0, count - first), first);
    this.consume(count);
    return count;
  }

  /**
   * Reads the byte at `index` (0: the next to be read) without removing it.
   * @param index position from the read end
   * @returns the byte, or -1 past the end
   */
  at(index: number): number {
    if (index < 0 || index >= this.#length) return -1;
    if (this.#adopted !== undefined) return this.#adopted[index]!;
    return this.#bytes[(this.#head + index) % this.#bytes.length]!;
  }

  /**
   * Drops up to `n` bytes from the read end.
   * @param n bytes to drop (a number >= 0; fractions are rounded down)
   * @returns how many it dropped
   * @throws TypeError/RangeError naming `n` when it is not a number >= 0
   */
  consume(n: number): number {
    if (typeof n !== "number" || !(n >= 0)) badCount("n", n, this.name);
    const count = Math.min(Math.max(0, Math.floor(n)), this.#length);
    if (count === 0) return 0;
    const adopted = this.#adopted;
    if (adopted !== undefined) {
      // What is left of the chunk stays adopted (never with trackWrites).
      this.#length -= count;
      this.#adopted = this.#length === 0 ? undefined : adopted.subarray(count);
      this.#spaceSignal?.notify();
      return count;
    }
    this.#length -= count;
    this.#head = this.#length === 0 ? 0 : (this.#head + count) % this.#bytes.length;
    if (this.#trackWrites) this.#consumed(count);
    this.#spaceSignal?.notify();
    return count;
  }

  #consumed(count: number): void {
    const total = (this.#consumedTotal += count);
    const ends = this.#ends;
    let head = this.#endsHead;
    while (head < ends.length && ends[head]! <= total) head++;
    if (head === ends.length) {
      ends.length = 0;
      head = 0;
    } else if (head > 1024 && head * 2 > ends.length) {
      ends.splice(0, head);
      head = 0;
    }
    this.#endsHead = head;
  }

  /**
   * Finds `needle` in the waiting bytes, also where it straddles the wrap.
   * @param needle a byte value or a byte sequence
   * @param from position (from the read end) to start at (a number >= 0)
   * @returns its position from the read end, or -1
   * @throws TypeError naming `needle` when it is neither a number nor a
   *   Uint8Array; TypeError/RangeError naming `from` when it is not a number >= 0
   */
  indexOf(needle: number | Uint8Array, from = 0): number {
    if (typeof from !== "number" || !(from >= 0)) badCount("from", from, this.name);
    if (typeof needle !== "number" && !(needle instanceof Uint8Array)) {
      throw new TypeError(`${this.name}: needle must be a byte value or a Uint8Array, got ${describe(needle)}`);
    }
    const start = Math.max(0, Math.floor(from));
    const length = this.#length;
    if (this.#adopted !== undefined) this.#settle();
    if (typeof needle === "number") {
      if (start >= length) return -1;
      const capacity = this.#bytes.length;
      const head = this.#head;
      const firstEnd = Math.min(head + length, capacity);
      // Buffer#indexOf (memchr) beats TypedArray#indexOf; it may run past the
      // data into stale bytes, so a hit there counts as a miss.
      if (head + start < firstEnd) {
        const found = this.#searchView().indexOf(needle, head + start);
        if (found >= 0 && found < firstEnd) return found - head;
      }
      const secondLength = length - (firstEnd - head);
      if (secondLength > 0) {
        const secondFrom = Math.max(0, start - (firstEnd - head));
        const found = this.#searchView().indexOf(needle, secondFrom);
        if (found >= 0 && found < secondLength) return found + (firstEnd - head);
      }
      return -1;
    }
    const size = needle.length;
    if (size === 0) return start <= length ? start : -1;
    if (size === 1) return this.indexOf(needle[0]!, start);
    if (start + size > length) return -1;
    const capacity = this.#bytes.length;
    const head = this.#head;
    const firstLength = Math.min(length, capacity - head);
    // 1. wholly inside the first region
    if (start < firstLength) {
      const found = this.#searchView().indexOf(needle, head + start);
      if (found >= 0 && found + size <= head + firstLength) return found - head;
    }
    const secondLength = length - firstLength;
    if (secondLength === 0) return -1;
    // 2. straddling the wrap: the last size-1 bytes of the first region and
    //    the first size-1 bytes of the second
    const seamFrom = Math.max(start, firstLength - size + 1);
    if (seamFrom < firstLength) {
      const tail = this.#bytes.subarray(head + seamFrom, capacity);
      const lead = this.#bytes.subarray(0, Math.min(size - 1, secondLength));
      const seamLength = tail.length + lead.length;
      if (this.#seam.length < seamLength) this.#seam = Buffer.allocUnsafe(Math.max(seamLength, 16, 2 * this.#seam.length));
      const seam = this.#seam;
      seam.set(tail, 0);
      seam.set(lead, tail.length);
      const found = seam.subarray(0, seamLength).indexOf(needle);
      if (found >= 0 && found < tail.length) return seamFrom + found;
    }
    // 3. wholly inside the second region
    const secondFrom = Math.max(0, start - firstLength);
    const found = this.#searchView().indexOf(needle, secondFrom);
    if (found >= 0 && found + size <= secondLength) return firstLength + found;
    return -1;
  }

  /**
   * Zero-copy views of the waiting bytes, in order: at most two subarrays.
   * They are valid until the ring is next written, consumed or cleared.
   * @returns the views (empty when there is nothing to read)
   */
  readRegions(): Regions {
    const length = this.#length;
    if (length === 0) return [];
    const adopted = this.#adopted;
    if (adopted !== undefined) return [adopted];
    const capacity = this.#bytes.length;
    const head = this.#head;
    if (head + length <= capacity) return [this.#bytes.subarray(head, head + length)];
    return [this.#bytes.subarray(head, capacity), this.#bytes.subarray(0, head + length - capacity)];
  }

  /**
   * Zero-copy views of the free space, in order: at most two subarrays. Fill
   * them from the front, then call `commit(n)` with the bytes written.
   * @returns the views (empty when full)
   */
  writeRegions(): Regions {
    if (this.#adopted !== undefined) this.#settle();
    if (this.#bytes.length < this.#capacity && this.#length < this.#capacity) this.#grow(this.#capacity);
    const capacity = this.#bytes.length;
    const free = capacity - this.#length;
    if (free === 0) return [];
    const tail = (this.#head + this.#length) % capacity;
    if (tail + free <= capacity) return [this.#bytes.subarray(tail, tail + free)];
    return [this.#bytes.subarray(tail, capacity), this.#bytes.subarray(0, free - (capacity - tail))];
  }

  /**
   * Adds `n` bytes already placed through `writeRegions()`.
   * @param n bytes written into the regions
   * @throws RangeError when n exceeds the free space; RingEndedError after `end()`
   */
  commit(n: number): void {
    if (this.#ended) throw new RingEndedError(`${this.name}: commit after end`);
    if (!Number.isInteger(n) || n < 0 || n > this.free) {
      throw new RangeError(`n must be a whole number from 0 to free (${this.free}), got ${n}`);
    }
    if (n === 0) return;
    if (this.#adopted !== undefined) this.#settle();
    this.#length += n;
    if (this.#trackWrites) this.#wrote(n, true);
    this.#dataSignal?.notify();
  }

  /** Drops every waiting byte (the ended mark stays); a write in progress is cut (see `epoch`). */
  clear(): void {
    this.#epoch++;
    this.#forgetWrites();
    if (this.#length === 0) return;
    this.#adopted = undefined;
    this.#length = 0;
    this.#head = 0;
    this.#spaceSignal?.notify();
  }

  /**
   * Drops every waiting byte like `clear()`, counting what it drops in
   * `droppedBytes` and (with `trackWrites`) `droppedWrites`: each write with
   * bytes still waiting, and a write in progress, counts once. A handle
   * calls it when the connection these bytes were meant for is gone.
   * @returns the bytes dropped
   */
  discard(): number {
    const length = this.#length;
    this.#droppedBytes += length;
    if (this.#trackWrites) this.#droppedWrites += this.#ends.length - this.#endsHead + (this.#open ? 1 : 0);
    this.#epoch++;
    this.#forgetWrites();
    if (length > 0) {
      this.#adopted = undefined;
      this.#length = 0;
      this.#head = 0;
    }
    this.#spaceSignal?.notify(); // wakes a writer waiting for room: it finds its write cut
    return length;
  }

  /**
   * Counts the unwritten rest of a write that `discard()` cut (writeAll
   * calls it when it gives the write up).
   * @param bytes bytes of the write that never went in
   */
  dropRest(bytes: number): void {
    if (bytes > 0) this.#droppedBytes += bytes;
  }

  /** Closes a write that took only part of its bytes and will not go on (e.g. a writeAll that timed out). */
  closeWrite(): void {
    if (this.#trackWrites && this.#open) this.#wrote(0, true);
  }

  #forgetWrites(): void {
    if (!this.#trackWrites) return;
    this.#writtenTotal = 0;
    this.#consumedTotal = 0;
    this.#ends.length = 0;
    this.#endsHead = 0;
    this.#open = false;
  }

  /** Drops every waiting byte and the ended mark, for reuse after a reconnect. */
  reset(): void {
    this.#ended = false;
    this.clear();
  }

  /** Marks that no more bytes will come; readers drain what is left, then see the end. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#dataSignal?.notify();
  }

  /**
   * Gives the store back for reuse by another ring, when no bytes are
   * waiting; the ring stays usable (its next write takes a store again).
   * For an owner that is done with the ring, e.g. a server reaping a closed
   * connection: under churn the next connection's rings take the store
   * instead of allocating one. Views from `readRegions()`/`writeRegions()`
   * are invalid after it, as after any consume.
   * @returns whether the store was given back (false while bytes wait)
   */
  release(): boolean {
    if (this.#length !== 0 || this.#bytes.length === 0) return false;
    recycle(this.#bytes);
    this.#bytes = EMPTY;
    this.#search = EMPTY_SEARCH;
    this.#head = 0;
    return true;
  }

  /** @returns the Buffer view of the store that `indexOf` searches */
  #searchView(): Buffer {
    let search = this.#search;
    if (search === undefined) {
      const store = this.#bytes;
      search = this.#search = Buffer.from(store.buffer, store.byteOffset, store.length);
    }
    return search;
  }

  /**
   * Moves the waiting bytes, in order, into a larger store.
   * @param need bytes the store must hold at least (at most `capacity`)
   */
  #grow(need: number): void {
    let size = Math.max(this.#bytes.length * 2, this.#initialSize);
    while (size < need) size *= 2;
    size = Math.min(size, this.#capacity);
    const store = newStore(size);
    const length = this.#length;
    if (length > 0) {
      const head = this.#head;
      const first = Math.min(length, this.#bytes.length - head);
      store.set(this.#bytes.subarray(head, head + first), 0);
      if (length > first) store.set(this.#bytes.subarray(0, length - first), first);
    }
    this.#bytes = store;
    this.#search = undefined; // made when first searched
    this.#head = 0;
  }
}
