/**
 * tcp transport (in progress).
 *
 * @module
 */
export {};
