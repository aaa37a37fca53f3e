/**
 * A countdown in tyme.
 *
 * @module
 */
import { HioError } from "./errors.js";
import { Tymee, type TymeeOptions } from "./tymee.js";
import { checkFinite, checkSeconds } from "./validate.js";

/** Options of {@link Tymer}. */
export interface TymerOptions extends TymeeOptions {
  /** Seconds from start to stop. Default 0. */
  duration?: number;
  /** Tyme at which it starts. Default: the current tyme, or 0 when not wound. */
  start?: number;
}

/**
 * Measures a span of tyme: `elapsed`, `remaining`, and `expired` once
 * `tyme >= stop`. `restart()` is lossless: the new start is the old stop, so a
 * periodic Tymer does not drift however late it is checked.
 *
 * @example
 * ```ts
 * const tymist = new Tymist({ tock: 0.25 });
 * const tymer = new Tymer({ tymth: tymist.tymen(), duration: 0.5 });
 * tymist.tick(); tymer.expired; // false
 * tymist.tick(); tymer.expired; // true
 * tymer.restart();               // runs from 0.5 to 1.0
 * ```
 */
export class Tymer extends Tymee {
  #start: number;
  #stop: number;

  /**
   * Creates a Tymer and starts it.
   * @param options `tymth`, `duration`, `start`
   * @throws TypeError/RangeError for a negative duration or a start that is not finite
   */
  constructor(options: TymerOptions = {}) {
    super(options);
    const duration = checkSeconds("duration", options.duration ?? 0);
    const start = options.start === undefined ? (this.tyme ?? 0) : checkFinite("start", options.start);
    this.#start = start;
    this.#stop = start + duration;
  }

  /** Tyme at which it started. */
  get startTyme(): number {
    return this.#start;
  }

  /** Tyme at which it expires. */
  get stopTyme(): number {
    return this.#stop;
  }

  /** Seconds from start to stop. */
  get duration(): number {
    return this.#stop - this.#start;
  }

  /** Seconds of tyme since start. */
  get elapsed(): number {
    return this.#now() - this.#start;
  }

  /** Seconds of tyme until stop (negative once past it). */
  get remaining(): number {
    return this.#stop - this.#now();
  }

  /** Whether `tyme >= stop`. */
  get expired(): boolean {
    return this.#now() >= this.#stop;
  }

  /**
   * Starts it again.
   * @param options `duration` (default: the current one) and `start` (default: now)
   * @returns the start tyme
   */
  start(options: { duration?: number; start?: number } = {}): number {
    const duration = options.duration === undefined ? this.duration : checkSeconds("duration", options.duration);
    this.#start = options.start === undefined ? this.#now() : checkFinite("start", options.start);
    this.#stop = this.#start + duration;
    return this.#start;
  }

  /**
   * Starts it again at its old stop, so no tyme is lost between periods.
   * @param options `duration` (default: the current one)
   * @returns the new start tyme
   */
  restart(options: { duration?: number } = {}): number {
    const start = this.#stop;
    return options.duration === undefined ? this.start({ start }) : this.start({ start, duration: options.duration });
  }

  /** Moves it onto another tyme base and restarts it there at the current tyme. */
  override wind(tymth: () => number): void {
    super.wind(tymth);
    this.start();
  }

  #now(): number {
    const tyme = this.tyme;
    if (tyme === undefined) {
      throw new HioError("Tymer is not wound to a tyme base: pass tymth or call wind(tymth) first");
    }
    return tyme;
  }
}
