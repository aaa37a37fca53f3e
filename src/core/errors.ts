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

/**
 * Thrown when an `AbortSignal` stops an operation (a Doist's `do()`, a wait,
 * a reader, `until`). Its `cause` is the signal's `reason`; its `code` is
 * `ABORT_ERR` and its `name` `AbortError`, as Node's own abort errors, so
 * code that checks either keeps working.
 *
 * @example
 * ```ts
 * try { await doist.do({ signal: AbortSignal.timeout(200) }); }
 * catch (error) {
 *   if (error instanceof AbortError) console.log("stopped:", error.cause);
 * }
 * ```
 */
export class AbortError extends HioError {
  /** Node's code for an aborted operation. */
  readonly code = "ABORT_ERR";
}

/**
 * Thrown by `until` and `timeout` when their limit in seconds of tyme
 * passes first.
 */
export class TimeoutError extends HioError {
  /** The limit that passed, in seconds of tyme. */
  readonly timeout: number;

  /**
   * @param message what timed out
   * @param timeout the limit in seconds of tyme
   */
  constructor(message: string, timeout: number) {
    super(message);
    this.timeout = timeout;
  }
}

/**
 * Thrown by a {@link Channel}'s `put`/`push` after `close()`, and by `take`
 * once it is closed and drained (nothing more will come).
 */
export class ChannelClosedError extends HioError {}
