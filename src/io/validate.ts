/**
 * Argument checks of the I/O primitives (internal). Each throws a `TypeError`
 * for the wrong type and a `RangeError` for a value out of range, naming the
 * option first.
 *
 * @module
 */

/**
 * Checks a whole number of bytes.
 * @param name the option's name
 * @param value what the caller passed
 * @param min the smallest allowed value
 * @returns the value
 * @throws TypeError/RangeError naming the option
 */
export function checkCount(name: string, value: unknown, min = 0): number {
  if (typeof value !== "number") throw new TypeError(`${name} must be a number of bytes, got ${typeof value}`);
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${name} must be a whole number of bytes >= ${min}, got ${value}`);
  }
  return value;
}

/**
 * Checks an optional timeout in seconds of tyme.
 * @param value what the caller passed
 * @param name the option's name
 * @returns the value (undefined: no timeout)
 * @throws TypeError/RangeError naming the option
 */
export function checkTimeout(value: unknown, name = "timeout"): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number") throw new TypeError(`${name} must be a number of seconds, got ${typeof value}`);
  if (Number.isNaN(value) || value < 0) throw new RangeError(`${name} must be a number of seconds >= 0, got ${value}`);
  return value === Number.POSITIVE_INFINITY ? undefined : value;
}

/**
 * Checks a delimiter: a byte value or a non-empty byte sequence.
 * @param value what the caller passed
 * @param name the option's name
 * @returns the delimiter as bytes
 * @throws TypeError/RangeError naming the option
 */
export function checkDelimiter(value: unknown, name = "delimiter"): Uint8Array {
  if (typeof value === "number") {
    if (!Number.isInteger(value) || value < 0 || value > 255) {
      throw new RangeError(`${name} must be a byte value 0..255, got ${value}`);
    }
    return Uint8Array.of(value);
  }
  if (typeof value === "string") {
    if (value.length === 0) throw new RangeError(`${name} must not be empty`);
    return new TextEncoder().encode(value);
  }
  if (!(value instanceof Uint8Array)) {
    throw new TypeError(`${name} must be a byte value, a string or a Uint8Array, got ${typeof value}`);
  }
  if (value.length === 0) throw new RangeError(`${name} must not be empty`);
  return value.slice();
}
