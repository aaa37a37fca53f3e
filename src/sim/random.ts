/**
 * The simulation's only source of randomness: a small, fast, seeded PRNG.
 *
 * @module
 */

/**
 * xoshiro128** (Blackman and Vigna, 2018): 128 bits of state, period
 * 2^128 - 1, good statistical quality, and four 32-bit words that JavaScript
 * handles without BigInt. The state is filled from the seed by splitmix32, so
 * nearby seeds (1, 2, 3...) give unrelated streams.
 *
 * A {@link SimNet} keeps one generator per link direction and per serial line,
 * each derived from the net's seed and the link's name, so the faults drawn
 * on one link do not shift when traffic on another link changes.
 *
 * @example
 * ```ts
 * const random = new SimRandom(42);
 * random.next();        // a float in [0, 1)
 * random.chance(0.1);   // true about one time in ten
 * new SimRandom(42).next() === new SimRandom(42).next(); // true: same seed, same stream
 * ```
 */
export class SimRandom {
  /** The seed it was made from. */
  readonly seed: number;
  /** The stream label it was derived for ("" for the root stream). */
  readonly stream: string;
  #s0: number;
  #s1: number;
  #s2: number;
  #s3: number;

  /**
   * Creates a generator.
   * @param seed a whole number from 0 to 2^53 - 1
   * @param stream a label that selects an independent stream for the same seed
   * @throws TypeError/RangeError for a seed that is not a safe whole number >= 0
   */
  constructor(seed: number, stream = "") {
    this.seed = checkSeed(seed);
    this.stream = stream;
    // Fold the seed's high bits and the stream label into the splitmix input.
    let mix = (seed >>> 0) ^ Math.imul(Math.floor(seed / 0x1_0000_0000) >>> 0, 0x85ebca6b);
    mix = (mix ^ hashLabel(stream)) >>> 0;
    const next = () => ((mix = (mix + 0x9e3779b9) >>> 0), splitmix32(mix));
    this.#s0 = next();
    this.#s1 = next();
    this.#s2 = next();
    this.#s3 = next();
    if ((this.#s0 | this.#s1 | this.#s2 | this.#s3) === 0) this.#s0 = 1; // the all-zero state never leaves zero
  }

  /**
   * Makes an independent generator for `stream` from the same seed.
   * @param stream a label, e.g. `path 10.0.0.1>10.0.0.2`
   * @returns a new generator; the same (seed, stream) always gives the same sequence
   */
  derive(stream: string): SimRandom {
    return new SimRandom(this.seed, this.stream === "" ? stream : `${this.stream}/${stream}`);
  }

  /**
   * Draws 32 random bits.
   * @returns a whole number in [0, 2^32)
   */
  nextUint32(): number {
    const s1 = this.#s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.#s2 ^= this.#s0;
    this.#s3 ^= s1;
    this.#s1 ^= this.#s2;
    this.#s0 ^= this.#s3;
    this.#s2 ^= t;
    this.#s3 = rotl(this.#s3, 11);
    return result;
  }

  /**
   * Draws a float.
   * @returns a number in [0, 1) with 32 bits of resolution
   */
  next(): number {
    return this.nextUint32() / 0x1_0000_0000;
  }

  /**
   * Draws whether an event with probability `p` happens. A probability of 0
   * or less draws nothing, so fault-free links consume no randomness.
   * @param p probability from 0 to 1
   * @returns true with probability `p`
   */
  chance(p: number): boolean {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return this.next() < p;
  }

  /**
   * Draws a float in `[low, high)`. Draws nothing when `high <= low`.
   * @param low lower bound
   * @param high upper bound
   * @returns the draw, or `low` when the range is empty
   */
  between(low: number, high: number): number {
    if (high <= low) return low;
    return low + this.next() * (high - low);
  }

  /**
   * Draws a whole number in `[0, n)`.
   * @param n how many values (>= 1)
   * @returns the draw
   */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/**
 * Checks a seed.
 * @param seed what the caller passed
 * @returns the seed
 * @throws TypeError/RangeError naming `seed`
 */
export function checkSeed(seed: unknown): number {
  if (typeof seed !== "number") throw new TypeError(`seed must be a whole number, got ${typeof seed}`);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a whole number from 0 to 2^53 - 1, got ${seed}`);
  return seed;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

function splitmix32(state: number): number {
  let z = state;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

/** FNV-1a over the label's UTF-16 code units. */
function hashLabel(label: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) hash = Math.imul(hash ^ label.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}
