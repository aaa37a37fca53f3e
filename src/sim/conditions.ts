/**
 * What a link does to the traffic crossing it, in one direction.
 *
 * @module
 */

/**
 * The conditions of one direction of a link. Every field is optional where
 * it is accepted; missing fields keep their current value (or the default).
 */
export interface LinkConditions {
  /** Seconds of tyme from sending to arrival, before jitter. Default 0.001. */
  latency: number;
  /** Extra delay drawn uniformly from [0, jitter) seconds per packet. Default 0. */
  jitter: number;
  /** Bytes per second the direction carries; `Infinity` (default): no limit. */
  bandwidth: number;
  /**
   * Probability that a packet is lost. A lost datagram is gone; a lost stream
   * segment is retransmitted after the retransmit timeout (so streams stay
   * reliable and in order, only later). Default 0.
   */
  loss: number;
  /** Probability that a datagram arrives twice. Default 0. */
  duplicate: number;
  /** Probability that a datagram is held back by up to `reorderDelay`, so later ones overtake it. Default 0. */
  reorder: number;
  /** Most extra seconds a reordered datagram waits. Default 0.05. */
  reorderDelay: number;
}

/** The defaults of every link direction not configured otherwise. */
export const DEFAULT_CONDITIONS: Readonly<LinkConditions> = Object.freeze({
  latency: 0.001,
  jitter: 0,
  bandwidth: Number.POSITIVE_INFINITY,
  loss: 0,
  duplicate: 0,
  reorder: 0,
  reorderDelay: 0.05,
});

/** The defaults of a host talking to itself (loopback): no delay. */
export const LOOPBACK_CONDITIONS: Readonly<LinkConditions> = Object.freeze({ ...DEFAULT_CONDITIONS, latency: 0 });

const PROBABILITIES = ["loss", "duplicate", "reorder"] as const;
const SECONDS = ["latency", "jitter", "reorderDelay"] as const;

/**
 * Merges `changes` onto `base` after checking them.
 * @param base the current conditions
 * @param changes the fields to change
 * @returns a new, frozen conditions object
 * @throws TypeError/RangeError naming the field that is wrong
 */
export function mergeConditions(base: Readonly<LinkConditions>, changes: Partial<LinkConditions> = {}): Readonly<LinkConditions> {
  if (typeof changes !== "object" || changes === null) throw new TypeError(`conditions must be an object, got ${typeof changes}`);
  for (const key of Object.keys(changes)) {
    if (!(key in DEFAULT_CONDITIONS)) throw new TypeError(`conditions.${key} is not a link condition (known: ${Object.keys(DEFAULT_CONDITIONS).join(", ")})`);
  }
  for (const key of SECONDS) {
    const value = changes[key];
    if (value === undefined) continue;
    if (typeof value !== "number") throw new TypeError(`${key} must be a number of seconds, got ${typeof value}`);
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`${key} must be a finite number of seconds >= 0, got ${value}`);
  }
  for (const key of PROBABILITIES) {
    const value = changes[key];
    if (value === undefined) continue;
    if (typeof value !== "number") throw new TypeError(`${key} must be a probability, got ${typeof value}`);
    if (!(value >= 0 && value <= 1)) throw new RangeError(`${key} must be a probability from 0 to 1, got ${value}`);
  }
  const bandwidth = changes.bandwidth;
  if (bandwidth !== undefined) {
    if (typeof bandwidth !== "number") throw new TypeError(`bandwidth must be a number of bytes per second, got ${typeof bandwidth}`);
    if (!(bandwidth > 0)) throw new RangeError(`bandwidth must be a number of bytes per second > 0 (Infinity for no limit), got ${bandwidth}`);
  }
  return Object.freeze({ ...base, ...changes });
}
