/**
 * serial transport (in progress).
 *
 * @module
 */
export {};
