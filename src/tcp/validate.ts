/**
 * Option checks of the tcp layer: a `TypeError` or `RangeError` whose
 * message starts with the option's name.
 *
 * @module
 */

/**
 * Checks a whole number option.
 * @param name the option
 * @param value its value
 * @param min smallest allowed
 * @returns the value
 * @throws TypeError / RangeError naming the option
 */
export function checkCount(name: string, value: unknown, min: number): number {
  if (typeof value !== "number") throw new TypeError(`${name} must be a number, got ${typeof value}`);
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${name} must be a whole number >= ${min}, got ${value}`);
  return value;
}

/**
 * Checks a seconds option.
 * @param name the option
 * @param value its value
 * @returns the value
 * @throws TypeError / RangeError naming the option
 */
export function checkSeconds(name: string, value: unknown): number {
  if (typeof value !== "number") throw new TypeError(`${name} must be a number of seconds, got ${typeof value}`);
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a finite number of seconds >= 0, got ${value}`);
  return value;
}
