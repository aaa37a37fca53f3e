/**
 * Something that reads tyme from an injected tyme base.
 *
 * @module
 */
import type { Tymth } from "./tymist.js";

/** Options of {@link Tymee}. */
export interface TymeeOptions {
  /** The tyme base to read; may be wound later with `wind()`. */
  tymth?: Tymth | undefined;
}

/**
 * Reads `tyme` from an injected {@link Tymth}, never from a global clock, so
 * the same object runs unchanged in real time, in a test stepped by hand and
 * in a simulation.
 *
 * @example
 * ```ts
 * const tymist = new Tymist();
 * const tymee = new Tymee();
 * tymee.tyme; // undefined: not wound yet
 * tymee.wind(tymist.tymen());
 * tymee.tyme; // 0
 * ```
 */
export class Tymee {
  #tymth: Tymth | undefined;

  /**
   * Creates a tymee, optionally already wound to a tyme base.
   * @param options `tymth`
   */
  constructor(options: TymeeOptions = {}) {
    this.#tymth = options.tymth;
  }

  /** Current tyme of the tyme base, or `undefined` before it is wound. */
  get tyme(): number | undefined {
    return this.#tymth === undefined ? undefined : this.#tymth();
  }

  /** The injected tyme base, to hand on to objects that share it. */
  get tymth(): Tymth | undefined {
    return this.#tymth;
  }

  /**
   * Moves this object onto another tyme base. Subclasses override it to
   * re-wind what depends on tyme (a Tymer restarts).
   * @param tymth the new tyme base
   */
  wind(tymth: Tymth): void {
    this.#tymth = tymth;
  }
}
