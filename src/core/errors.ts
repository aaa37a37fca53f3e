/**
 * Errors shared by every layer of hio-ts.
 *
 * Every error hio-ts throws on purpose is an instance of {@link HioError}, so
 * callers can tell them apart from programming errors with `instanceof`. Bad
 * arguments are the exception: they throw the built-in `TypeError` or
 * `RangeError`, with the option's name first, as Node's own APIs do.
 *
 * @module
 */

/**
 * Base class of every error hio-ts raises about the state of the world
 * (a peer, a device, a frame), as opposed to a bad argument.
 *
 * @example
 * ```ts
 * try { doist.enter(); } catch (error) {
 *   if (error instanceof HioError) console.error(error.message);
 * }
 * ```
 */
export class HioError extends Error {
  /**
   * Creates an error whose `name` is the concrete class's name.
   * @param message what went wrong, naming the handle and its address or path
   * @param options `cause`, as for `Error`
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * Thrown when a doer's dog misbehaves in a way the scheduler cannot recover
 * from, for example a generator that keeps yielding after it was closed.
 */
export class DoerError extends HioError {}
