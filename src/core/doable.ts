/**
 * What the schedulers accept as a doer, and how they start one.
 *
 * @module
 */
import type { Dog } from "./deed.js";
import type { Tymth } from "./tymist.js";
import { describe } from "./validate.js";

/** Options injected into a dog when it starts. */
export type DoOptions = Record<string, unknown>;

/** The fields a scheduler reads and writes on every doer. */
export interface DoerState {
  /** `undefined` before the first run, `false` from enter on, the dog's return value once it ends. */
  done: boolean | undefined;
  /** Seconds between runs that the doer asks for; 0: every tick. */
  tock: number;
  /** Options injected into its dog. */
  opts: DoOptions;
}

/** A Doer instance, as the schedulers see it. */
export interface DoerLike extends DoerState {
  /** Starts the doer: returns its dog, not yet entered. */
  do(tymth: Tymth, tock: number, opts: DoOptions): Dog;
}

/** A generator function made schedulable by {@link doify}. */
export interface DoFunction extends DoerState {
  (tymth: Tymth, tock: number, opts: DoOptions): Dog;
  /** The name given to `doify`, or the function's own. */
  readonly name: string;
}

/** Anything a Doist or DoDoer can run. */
export type Doable = DoerLike | DoFunction;

const GeneratorFunction = Object.getPrototypeOf(function* () {}).constructor as FunctionConstructor;

/**
 * Tells whether `value` is a generator function (`function*`).
 * @param value anything
 * @returns true for a generator function
 */
export function isGeneratorFunction(value: unknown): value is (...args: never[]) => Generator {
  return typeof value === "function" && value instanceof GeneratorFunction;
}

/**
 * Checks that `value` can be scheduled.
 * @param value a candidate doer
 * @param where how the caller names it in errors, e.g. `doers[2]`
 * @returns it, typed
 * @throws TypeError naming `where` and what would fix it
 */
export function checkDoable(value: unknown, where: string): Doable {
  if (typeof value === "object" && value !== null && typeof (value as DoerLike).do === "function") {
    return value as DoerLike;
  }
  if (typeof value === "function") {
    const fn = value as Partial<DoFunction>;
    if (typeof fn.tock === "number" && typeof fn.opts === "object" && fn.opts !== null) return value as DoFunction;
    if (isGeneratorFunction(value)) {
      throw new TypeError(`${where} is generator function ${value.name || "(anonymous)"} that was not doified: wrap it with doify(fn)`);
    }
  }
  throw new TypeError(`${where} must be a Doer or a doified generator function, got ${describe(value)}`);
}

/**
 * Starts a doer: calls it (a doified function) or its `do` (a Doer).
 * @param doer the doer
 * @param tymth the tyme base to inject
 * @returns its dog, not yet entered
 */
export function startDog(doer: Doable, tymth: Tymth): Dog {
  return typeof doer === "function" ? doer(tymth, doer.tock, doer.opts) : doer.do(tymth, doer.tock, doer.opts);
}
