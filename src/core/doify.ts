/**
 * doify: make a generator function schedulable.
 *
 * @module
 */
import type { Dog } from "./deed.js";
import { isAsyncGeneratorFunction, isGeneratorFunction, type DoFunction, type DoOptions } from "./doable.js";
import type { Tymth } from "./tymist.js";
import { checkSeconds, describe } from "./validate.js";

/** Options of {@link doify}. */
export interface DoifyOptions {
  /** Name of the copy (default: the function's name). */
  name?: string;
  /** Seconds between runs (default 0: every tick). */
  tock?: number;
  /** Options injected as the third argument. */
  opts?: DoOptions;
}

/** The signature a generator function must have to be doified. */
export type DoGeneratorFunction = (tymth: Tymth, tock: number, opts: DoOptions) => Dog;

/**
 * Returns a new, independent copy of generator function `fn` with the `done`,
 * `tock` and `opts` fields a scheduler needs. Each call makes a fresh copy, so
 * one generator function can run as several doers with their own state.
 *
 * The dog it makes yields tocks and is sent tyme; write its lifecycle with
 * try/catch/finally: the body before the first yield is enter, the loop is
 * recur, `finally` is exit (it runs on every path, including a forced close).
 *
 * @param fn the generator function (`function*`); called as `fn(tymth, tock, opts)`
 * @param options `name`, `tock`, `opts`
 * @returns the schedulable copy
 * @throws TypeError naming `fn` when it is not a generator function (a plain
 *   function, an arrow function, an `async function*`), or naming a bad
 *   option; RangeError for a bad tock
 * @example
 * ```ts
 * const blink = doify(function* (tymth, tock) {
 *   for (let n = 0; n < 3; n++) {
 *     console.log("blink at", tymth());
 *     yield tock;
 *   }
 *   return true;
 * }, { name: "blink", tock: 0.5 });
 * await new Doist({ doers: [blink], limit: 2 }).do();
 * ```
 */
export function doify(fn: DoGeneratorFunction, options: DoifyOptions = {}): DoFunction {
  if (isAsyncGeneratorFunction(fn)) {
    throw new TypeError(
      `fn must be a generator function (function*), got async generator function ${fn.name || "(anonymous)"}: a dog is resumed synchronously every pass; await work in a handle and wait for it with a Signal instead`,
    );
  }
  if (!isGeneratorFunction(fn)) {
    throw new TypeError(`fn must be a generator function (function*), got ${describe(fn)}`);
  }
  if (typeof options !== "object" || options === null) throw new TypeError(`options must be an object, got ${describe(options)}`);
  if (options.name !== undefined && typeof options.name !== "string") throw new TypeError(`name must be a string, got ${describe(options.name)}`);
  if (options.opts !== undefined && (typeof options.opts !== "object" || options.opts === null)) {
    throw new TypeError(`opts must be an object, got ${describe(options.opts)}`);
  }
  const tock = checkSeconds("tock", options.tock ?? 0);
  const copy = function (this: unknown, tymth: Tymth, tock: number, opts: DoOptions): Dog {
    return fn.call(this, tymth, tock, opts);
  } as DoFunction;
  Object.defineProperty(copy, "name", { value: options.name ?? fn.name, configurable: true });
  copy.done = undefined;
  copy.tock = tock;
  copy.opts = { ...options.opts };
  return copy;
}
