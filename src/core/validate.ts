/**
 * Argument checks shared by the core constructors. Each throws a `TypeError`
 * for a value of the wrong type and a `RangeError` for a number out of range,
 * naming the option first.
 *
 * @module
 */

/**
 * Checks that `value` is a finite number of seconds that is zero or more.
 * @param name the option's name, as the caller spells it
 * @param value what the caller passed
 * @returns the value, typed as a number
 * @throws TypeError when it is not a number; RangeError when negative, NaN or infinite
 */
export function checkSeconds(name: string, value: unknown): number {
  if (typeof value !== "number") {
    throw new TypeError(`${name} must be a number of seconds, got ${describe(value)}`);
  }
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name} must be a finite number of seconds >= 0, got ${value}`);
  }
  return value;
}

/**
 * Checks that `value` is a finite number (any sign).
 * @param name the option's name
 * @param value what the caller passed
 * @returns the value, typed as a number
 * @throws TypeError when it is not a number; RangeError when NaN or infinite
 */
export function checkFinite(name: string, value: unknown): number {
  if (typeof value !== "number") {
    throw new TypeError(`${name} must be a number, got ${describe(value)}`);
  }
  if (!Number.isFinite(value)) {
    throw new RangeError(`${name} must be a finite number, got ${value}`);
  }
  return value;
}

/**
 * Describes a value for an error message without dumping large objects.
 * @param value anything
 * @returns a short description such as `string "x"` or `object Array`
 */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "string") return `string ${JSON.stringify(value.slice(0, 40))}`;
  if (typeof value === "function") return `function ${value.name || "(anonymous)"}`;
  if (typeof value === "object") return `object ${value.constructor?.name ?? "Object"}`;
  return `${typeof value} ${String(value)}`;
}
