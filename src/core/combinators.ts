/**
 * Structured combinators over operations, after Effection's `race` and
 * `all`: the operations run side by side inside one dog, and none outlives
 * the combinator. A loser, a sibling of a failure, or every child of a dog
 * that is closed is closed in turn, so its `finally` runs.
 *
 * The children run as deeds of a private schedule on the dog's own tyme,
 * in the order given, with hio's retyme rule; each sleeps and is woken on its
 * own (a child waiting on a Signal is not resumed by a sibling's wake), and
 * the dog asks its scheduler to run it when the earliest child is due. A
 * non-real run is therefore as deterministic as any other.
 *
 * @module
 */
import { currentTyme, runningDeed, type Dog } from "./deed.js";
import type { DoerLike } from "./doable.js";
import { TimeoutError } from "./errors.js";
import type { Operation } from "./operation.js";
import { Schedule } from "./schedule.js";
import { checkSeconds } from "./validate.js";

/** The value each operation of a tuple returns. */
export type Results<T extends readonly Operation<unknown>[]> = { -readonly [K in keyof T]: T[K] extends Operation<infer R> ? R : never };

/** One child: a doer whose dog runs the operation and records its value. */
class Child<T> implements DoerLike {
  done: boolean | undefined = undefined;
  tock = 0;
  opts = {};
  finished = false;
  value: T | undefined;

  constructor(
    readonly operation: Operation<T>,
    readonly index: number,
  ) {}

  *do(): Dog {
    yield; // enter does nothing: the first pass runs the operation's first step, so its first tock counts
    this.value = yield* this.operation;
    this.finished = true;
    return true;
  }
}

/**
 * Runs children until `enough(children)` says so, then closes the rest.
 * @param operations the children
 * @param enough checked after entering and after every pass
 * @returns the children, for the caller to read values from
 */
function* group<T>(operations: readonly Operation<T>[], enough: (children: readonly Child<T>[]) => boolean): Operation<readonly Child<T>[]> {
  const deed = runningDeed();
  let tyme = currentTyme() ?? 0;
  const schedule = new Schedule({
    tymth: () => tyme,
    tock: 0,
    hostWake: () => deed?.wake(),
    // A child woken during the private pass: the group's deed is running, so
    // it is only due again (as a DoDoer's child would be); otherwise wake it.
    hostStir: () => {
      if (deed === undefined) return;
      if (deed.running) deed.owner.stirDeed(deed);
      else deed.wake();
    },
    endsWhenEmpty: true,
  });
  const children = operations.map((operation, index) => new Child(operation, index));
  try {
    schedule.enter(children, "operations");
    schedule.pass(tyme);
    while (!enough(children)) {
      const earliest = schedule.earliest();
      const now = currentTyme() ?? tyme;
      // Sleep until the earliest child is due (0: the next tick; WAIT: until woken).
      tyme = yield earliest <= now ? 0 : earliest - now;
      schedule.pass(tyme);
    }
    return children;
  } finally {
    schedule.exit(); // the losers (or all, on a close or an error), in reverse order
  }
}

/**
 * Runs the operations side by side and returns the value of the first to
 * finish; the others are closed at once (their `finally` blocks run, in
 * reverse order). When two finish in the same pass, the earlier in the list
 * wins. When one throws first, the others are closed and the error propagates.
 *
 * @param operations the contenders (at least one)
 * @returns the winner's value
 * @throws what the first failing operation throws; RangeError for an empty list
 * @example
 * ```ts
 * const reply = yield* race([readLine(client.rxbs), sleepThenFail(2)]);
 * ```
 */
export function* race<T>(operations: readonly Operation<T>[]): Operation<T> {
  if (!Array.isArray(operations) || operations.length === 0) throw new RangeError("operations must be a non-empty array");
  const children = yield* group(operations, (all) => all.some((child) => child.finished));
  return children.find((child) => child.finished)!.value as T;
}

/**
 * Runs the operations side by side and returns all their values, in the
 * order given, once every one has finished. When one throws, the others are
 * closed (their `finally` runs) and the error propagates.
 *
 * @param operations the operations
 * @returns their values, in order
 * @throws what the first failing operation throws
 * @example
 * ```ts
 * const [a, b] = yield* all([resp.command("GET", "a"), until(lookup("localhost"))]);
 * ```
 */
export function* all<const T extends readonly Operation<unknown>[]>(operations: T): Operation<Results<T>> {
  if (!Array.isArray(operations)) throw new TypeError("operations must be an array");
  const children = yield* group(operations as readonly Operation<unknown>[], (every) => every.every((child) => child.finished));
  return children.map((child) => child.value) as Results<T>;
}

/**
 * Runs `operation`, but gives up after `seconds` of tyme: the operation is
 * then closed (its `finally` runs) and a {@link TimeoutError} is thrown. A
 * finish in the very pass the time runs out still counts.
 *
 * @param operation the operation
 * @param seconds the limit in seconds of tyme
 * @returns the operation's value
 * @throws TimeoutError; what the operation throws; RangeError for bad seconds
 * @example
 * ```ts
 * const line = yield* timeout(readLine(client.rxbs), 2);
 * ```
 */
export function* timeout<T>(operation: Operation<T>, seconds: number): Operation<T> {
  checkSeconds("seconds", seconds);
  return yield* race([operation, expire<T>(seconds)]);
}

function* expire<T>(seconds: number): Operation<T> {
  yield seconds;
  throw new TimeoutError(`timeout: the operation did not finish within ${seconds} s of tyme`, seconds);
}
