/**
 * run and runIn: the bridge from async code into a doer tree. Await one
 * operation's result while the doers it needs (a ClientDoer, a ServerDoer)
 * run beside it.
 *
 * @module
 */
import { AbortError, TimeoutError } from "./errors.js";
import { doify } from "./doify.js";
import type { Doable, DoFunction } from "./doable.js";
import { Doist } from "./doist.js";
import type { Operation } from "./operation.js";
import { checkAbortSignal } from "./abort.js";

/** Options of {@link run}. */
export interface RunOptions {
  /** Doers that run beside the operation (closed when it returns). */
  doers?: readonly Doable[];
  /** A name for the Doist and the operation's doer. Default "run". */
  name?: string;
  /** Keep tyme in step with the wall clock. Default true. */
  real?: boolean;
  /** Seconds per tick. Default 1/32. */
  tock?: number;
  /** Seconds of tyme after which `run` gives up (TimeoutError). Default: none. */
  limit?: number;
  /** Stops the run: every exit runs, then `run` rejects with an AbortError. */
  signal?: AbortSignal;
  /** Handle SIGINT/SIGTERM as `Doist.do()` does. Default true. */
  signals?: boolean;
}

/**
 * Runs `body` as the first doer of a new {@link Doist}, with `doers` beside
 * it, and resolves with what `body` returns. When it returns, the other
 * doers are closed (their exits run) and the Doist ends; when it throws,
 * everything is closed and the promise rejects with that error.
 *
 * @param body makes the operation, e.g. a generator function
 * @param options `doers`, `name`, `real` (default true), `tock`, `limit`, `signal`, `signals`
 * @returns the operation's value
 * @throws what `body` throws; TimeoutError when `limit` passes first;
 *   AbortError when `signal` aborts
 * @example
 * ```ts
 * const client = new Client({ port: 6379 });
 * const reply = await run(function* () {
 *   yield* client.waitConnected({ timeout: 5 });
 *   yield* writeAll(client.txbs, encodeUtf8("PING\r\n"));
 *   return decodeUtf8(yield* readLine(client.rxbs));
 * }, { doers: [new ClientDoer({ client })] });
 * ```
 */
export async function run<T>(body: () => Operation<T>, options: RunOptions = {}): Promise<T> {
  if (typeof body !== "function") throw new TypeError(`body must be a function that returns a generator, got ${typeof body}`);
  const signal = checkAbortSignal("signal", options.signal);
  const name = options.name ?? "run";
  const others = [...(options.doers ?? [])];
  let result: { value: T } | undefined;
  const doist = new Doist({
    name,
    real: options.real ?? true,
    ...(options.tock === undefined ? {} : { tock: options.tock }),
    ...(options.signals === undefined ? {} : { signals: options.signals }),
  });
  const main = doify(
    function* runMain() {
      const value = yield* body();
      result = { value };
      // Done within its own enter: the helpers enter after it, so close them at the first pass.
      if (!doist.deeds.some((deed) => deed.doer === main)) yield;
      doist.remove(others); // the tree's work is done: close the helpers
      return true;
    },
    { name },
  );
  await doist.do({ doers: [main, ...others], ...(options.limit === undefined ? {} : { limit: options.limit }), ...(signal === undefined ? {} : { signal }) });
  if (result === undefined) {
    throw new TimeoutError(`run ${name}: did not finish within its limit of ${options.limit} s of tyme`, options.limit ?? 0);
  }
  return result.value;
}

/**
 * Adds `body` as a doer to a Doist (or DoDoer) that is running or about to
 * run, and resolves with what it returns. An error `body` throws rejects the
 * promise and ends only that doer; the scheduler goes on.
 *
 * @param scheduler where to run it: anything with `extend`
 * @param body makes the operation
 * @param name the doer's name. Default "runIn"
 * @returns the operation's value
 * @throws what `body` throws; AbortError when the scheduler closes the doer
 *   before it returned
 * @example
 * ```ts
 * const doist = new Doist({ real: true, doers: [new ServerDoer({ server })] });
 * const running = doist.do();
 * const count = await runIn(doist, function* () {
 *   yield 1; // one second of tyme
 *   return server.remoters.size;
 * });
 * ```
 */
export function runIn<T>(scheduler: { extend(doers: readonly Doable[]): void }, body: () => Operation<T>, name = "runIn"): Promise<T> {
  if (typeof body !== "function") throw new TypeError(`body must be a function that returns a generator, got ${typeof body}`);
  return new Promise<T>((resolve, reject) => {
    const doer: DoFunction = doify(
      function* runInBody() {
        let settled = false;
        try {
          const value = yield* body();
          settled = true;
          resolve(value);
        } catch (error) {
          settled = true;
          reject(error);
        } finally {
          if (!settled) reject(new AbortError(`${name}: closed by its scheduler before it finished`));
        }
        return true;
      },
      { name },
    );
    scheduler.extend([doer]);
  });
}
