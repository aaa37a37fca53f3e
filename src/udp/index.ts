/**
 * udp transport (in progress).
 *
 * @module
 */
export {};
