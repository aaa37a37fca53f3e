/**
 * Operation: the one generator type of everything used with `yield*` inside
 * a doer.
 *
 * @module
 */

/**
 * What a reader, `writeAll`, `waitFor` and a protocol handler return: a
 * generator run with `yield*` inside a doer (the name is Effection's). It
 * yields tocks (seconds until it wants to run again; 0 or `undefined`: the
 * next tick; `WAIT`: until woken), is sent the tyme it was resumed at, and
 * returns its result `T`. A doer's own dog is an `Operation<boolean |
 * undefined>` (its done state).
 *
 * @typeParam T what it returns
 * @example
 * ```ts
 * // Waits for `ready`, then for `done` (at most 5 s of tyme); returns the tyme.
 * function* readyThenDone(ready: Signal, done: Signal): Operation<number> {
 *   yield* waitFor(ready);
 *   return yield* waitFor(done, 5);
 * }
 * ```
 */
export type Operation<T> = Generator<number | undefined, T, number>;
