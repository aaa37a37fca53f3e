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
    if (isAsyncGeneratorFunction(value)) {
      throw new TypeError(
        `${where} is async generator function ${value.name || "(anonymous)"}: a doer must be a synchronous generator function (function*) wrapped with doify(fn)`,
      );
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
  const dog: unknown = typeof doer === "function" ? doer(tymth, doer.tock, doer.opts) : doer.do(tymth, doer.tock, doer.opts);
  if (typeof dog !== "object" || dog === null || typeof (dog as Dog).next !== "function" || typeof (dog as Dog).return !== "function") {
    throw new TypeError(`doer ${doerName(doer)} must return a generator (its dog) when run, got ${describe(dog)}`);
  }
  if (Symbol.asyncIterator in dog) {
    throw new TypeError(`doer ${doerName(doer)} returned an async generator: a dog must be a synchronous generator (function*, not async function*)`);
  }
  return dog as Dog;
}

function doerName(doer: Doable): string {
  const named = (doer as { name?: unknown }).name;
  if (typeof named === "string" && named.length > 0) return named;
  return (doer as object).constructor?.name ?? "(anonymous)";
}

const AsyncGeneratorFunction = Object.getPrototypeOf(async function* () {}).constructor as FunctionConstructor;

/**
 * Tells whether `value` is an async generator function (`async function*`).
 * @param value anything
 * @returns true for an async generator function
 */
export function isAsyncGeneratorFunction(value: unknown): boolean {
  return typeof value === "function" && value instanceof AsyncGeneratorFunction;
}

/**
 * Checks that `value` is an array of doers.
 * @param value what the caller passed as `name`
 * @param name the option or argument, e.g. `doers`
 * @returns it, typed
 * @throws TypeError naming `name` (or `name[index]` for a bad entry)
 */
export function checkDoables(value: unknown, name: string): readonly Doable[] {
  if (!Array.isArray(value)) throw new TypeError(`${name} must be an array of doers, got ${describe(value)}`);
  for (let index = 0; index < value.length; index++) checkDoable(value[index], `${name}[${index}]`);
  return value as readonly Doable[];
}
