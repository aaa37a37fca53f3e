/**
 * Cycle time: the tyme base that every doer in a tree shares.
 *
 * @module
 */
import { checkFinite, checkSeconds } from "./validate.js";

/** A function that returns the current tyme of the Tymist that made it. */
export type Tymth = () => number;

/** Options of {@link Tymist}. */
export interface TymistOptions {
  /** Initial cycle time in seconds. Default 0. */
  tyme?: number;
  /** Seconds that one `tick()` adds. Default {@link Tymist.Tock} (1/32 s). */
  tock?: number;
}

/**
 * Keeps cycle time, `tyme`, in seconds and advances it in `tock` steps.
 *
 * Tyme is artificial: it moves only when `tick()` is called. A real-time
 * {@link Doist} keeps it in step with the wall clock; a test keeps it wherever
 * it likes. Others read it through the read-only {@link Tymth} from `tymen()`.
 *
 * @example
 * ```ts
 * const tymist = new Tymist({ tock: 0.25 });
 * const tymth = tymist.tymen();
 * tymist.tick();
 * tymth(); // 0.25
 * ```
 */
export class Tymist {
  /** Default tock: 1/32 of a second, as in hio. */
  static readonly Tock = 0.03125;

  // Numbers from the start (not `undefined`), so V8 keeps them unboxed-in-place
  // and a tick allocates nothing.
  #tyme = 0;
  #tock = 0;

  /**
   * Creates a tyme base.
   * @param options `tyme` and `tock`
   * @throws TypeError/RangeError for a tyme that is not a finite number or a tock that is negative or not finite
   */
  constructor(options: TymistOptions = {}) {
    this.#tyme = checkFinite("tyme", options.tyme ?? 0);
    this.#tock = checkSeconds("tock", options.tock ?? Tymist.Tock);
  }

  /** Current cycle time in seconds. */
  get tyme(): number {
    return this.#tyme;
  }

  /** Sets the cycle time (a finite number of seconds). */
  set tyme(tyme: number) {
    this.#tyme = checkFinite("tyme", tyme);
  }

  /** Seconds that one `tick()` adds to `tyme`. */
  get tock(): number {
    return this.#tock;
  }

  /** Sets the seconds per tick (finite, >= 0). */
  set tock(tock: number) {
    this.#tock = checkSeconds("tock", tock);
  }

  /**
   * Advances `tyme` by one tock.
   * @param tock seconds to add instead of `this.tock`
   * @returns the new tyme
   */
  tick(tock?: number): number {
    this.#tyme += tock === undefined ? this.#tock : checkFinite("tock", tock);
    return this.#tyme;
  }

  /**
   * Makes a read-only view of this tyme base.
   * @returns a function that returns the current `tyme` whenever called
   */
  tymen(): Tymth {
    return () => this.#tyme;
  }
}
