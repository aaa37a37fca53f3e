/**
 * Deterministic simulation (in progress).
 *
 * @module
 */
export {};
