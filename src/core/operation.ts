/**
 * Operation: the one type name for a piece of work a dog runs with `yield*`.
 *
 * @module
 */

/**
 * Work a dog delegates to with `yield*`: a generator that yields tocks
 * (seconds until it wants to run again; `WAIT`: not until woken), is sent
 * the current tyme, and returns `T`. Readers (`Reader<T>`), `until`,
 * `take`/`put` and the combinators are all operations.
 */
export type Operation<T> = Generator<number | undefined, T, number>;
