/**
 * Finished (internal): the reader a read returns when its frame is already
 * in the ring. It behaves as a generator that returns at once, without the
 * cost of creating one, which is most of a read's overhead on a busy stream.
 *
 * @module
 */
import type { Operation } from "../core/operation.js";

/**
 * A generator-shaped iterator that is already done with `value`: its first
 * `next()` returns `{ done: true, value }`, as a generator whose body
 * returned before its first yield would.
 */
export class Finished<T> implements Operation<T> {
  #value: T | undefined;
  #taken = false;

  /** @param value what the read returns */
  constructor(value: T) {
    this.#value = value;
  }

  /** @returns `{ done: true, value }` once, then `{ done: true, value: undefined }` */
  next(): IteratorResult<number | undefined, T> {
    if (this.#taken) return { done: true, value: undefined as T };
    this.#taken = true;
    const value = this.#value as T;
    this.#value = undefined;
    return { done: true, value };
  }

  /**
   * @param value returned as is
   * @returns `{ done: true, value }`
   */
  return(value: T): IteratorResult<number | undefined, T> {
    this.#taken = true;
    this.#value = undefined;
    return { done: true, value };
  }

  /**
   * @param error rethrown, as a finished generator does
   * @returns never
   */
  throw(error: unknown): IteratorResult<number | undefined, T> {
    this.#taken = true;
    throw error;
  }

  /** @returns itself */
  [Symbol.iterator](): Operation<T> {
    return this;
  }
}
