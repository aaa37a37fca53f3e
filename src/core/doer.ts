/**
 * Doer: the base class of every task, with hio's six lifecycle contexts.
 *
 * @module
 */
import { runningDeed, WAIT, type Deed, type Dog } from "./deed.js";
import { isGeneratorFunction, type DoOptions } from "./doable.js";
import type { Operation } from "./operation.js";
import { Tymee } from "./tymee.js";
import type { Tymth } from "./tymist.js";
import { checkSeconds } from "./validate.js";

/** Options of {@link Doer}. */
export interface DoerOptions {
  /** Tyme base; the scheduler winds it anyway when it runs the doer. */
  tymth?: Tymth | undefined;
  /** Seconds between runs; 0 (default): every tick. */
  tock?: number;
  /** Options injected into `do()` by the scheduler. */
  opts?: DoOptions;
}

/** The generator type of a `recur` written as a generator method. */
export type RecurDog = Operation<boolean | undefined>;

/**
 * A task that a Doist or DoDoer runs. Subclasses override the lifecycle
 * contexts; `do()` runs them in exactly these orders:
 *
 * - normal completion: enter, recur…, clean, exit
 * - forced close by the scheduler: enter, recur…, cease, exit
 * - an uncaught error: enter, recur…, abort, exit (the error propagates)
 * - an error in enter: enter, abort, exit
 *
 * `recur(tyme)` returns `true` when done. It may instead be a generator method
 * (`*recur()`); then `do` delegates to it with `yield*` and its return value
 * is the done state.
 *
 * @example
 * ```ts
 * class Counter extends Doer {
 *   count = 0;
 *   override recur(tyme: number): boolean {
 *     this.count += 1;
 *     return this.count >= 3;
 *   }
 * }
 * await new Doist({ doers: [new Counter({ tock: 0.1 })], limit: 1 }).do();
 * ```
 */
export class Doer extends Tymee {
  /** `undefined` before the first run, `false` from enter on, then the dog's return value. */
  done: boolean | undefined = undefined;
  /** Options injected into `do()`. */
  opts: DoOptions;
  #tock: number;
  #deed: Deed | undefined;
  #idle = false;

  /**
   * Creates a doer.
   * @param options `tymth`, `tock`, `opts`
   * @throws TypeError/RangeError for a tock that is not a finite number >= 0
   */
  constructor(options: DoerOptions = {}) {
    super({ tymth: options.tymth });
    this.#tock = checkSeconds("tock", options.tock ?? 0);
    this.opts = options.opts ?? {};
  }

  /** Seconds between runs that this doer asks for; 0: every tick. */
  get tock(): number {
    return this.#tock;
  }

  /** Sets the seconds between runs (finite, >= 0). */
  set tock(tock: number) {
    this.#tock = checkSeconds("tock", tock);
  }

  /**
   * Runs the doer: returns its dog, which the scheduler drives.
   * @param tymth tyme base to wind onto
   * @param tock tock to run with (default: its own)
   * @param opts injected options (default: its own)
   * @returns the dog
   */
  *do(tymth: Tymth, tock: number = this.#tock, opts: DoOptions = this.opts): Dog {
    let completed = false;
    let failed = false;
    try {
      this.#deed = runningDeed();
      this.wind(tymth);
      this.tock = tock;
      this.opts = opts;
      this.done = false;
      this.enter();
      if (isGeneratorFunction(this.recur)) {
        this.done = yield* (this.recur as () => RecurDog)();
      } else {
        while (this.recurring()) {
          const tyme = yield this.nextTock();
          this.done = (this.recur(tyme) as boolean | undefined) ? true : false;
        }
      }
      completed = true;
    } catch (error) {
      failed = true;
      this.abort(error);
      throw error;
    } finally {
      try {
        if (completed) this.clean();
        else if (!failed) this.cease();
      } finally {
        this.exit();
      }
    }
    return this.done;
  }

  /**
   * Asks to be run again as soon as possible: in the current pass if the
   * scheduler has not reached this doer yet, else the next (at once in real
   * time). Handles call it from their I/O callbacks.
   */
  wake(): void {
    this.#deed?.wake();
  }

  /**
   * From `recur`: skip the polling. The doer is not run again until woken
   * (by `wake()`, or by a `Signal` it subscribed to).
   */
  idle(): void {
    this.#idle = true;
  }

  /**
   * The tock to yield after a plain `recur`: `WAIT` once after `idle()`,
   * otherwise `tock`. DoDoer overrides it to sleep until a child is due.
   * @returns seconds until the next run, `WAIT`, or undefined for the next tick
   */
  protected nextTock(): number | undefined {
    if (this.#idle) {
      this.#idle = false;
      return WAIT;
    }
    return this.#tock;
  }

  /**
   * Whether the plain-recur loop goes on: until done. DoDoer overrides it for `always`.
   * @returns true to run recur again
   */
  protected recurring(): boolean {
    return !this.done;
  }

  /** Enter context: set up resources. Override in subclasses. */
  enter(): void {}

  /**
   * Recur context: one step of work per run. Override in subclasses, as a
   * method or a generator method.
   * @param tyme the current tyme
   * @returns true when done
   */
  recur(tyme: number): boolean | undefined | RecurDog {
    void tyme;
    return false;
  }

  /** Clean context: after a normal completion, before exit. Override in subclasses. */
  clean(): void {}

  /** Cease context: after a forced close by the scheduler, before exit. Override in subclasses. */
  cease(): void {}

  /**
   * Abort context: after an uncaught error, before exit; the error then propagates.
   * @param error what was thrown
   */
  abort(error: unknown): void {
    void error;
  }

  /** Exit context: on every path, last. Release resources here. */
  exit(): void {}
}
