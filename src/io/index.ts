/**
 * I/O primitives: the byte rings between handles and protocol code, the
 * generator readers and framers that parse them, and WireLog. Knows nothing
 * of sockets; every transport is built on it.
 *
 * @module
 */
export { RingEndedError } from "./errors.js";
export { RingBuffer, type RingBufferOptions, type Regions } from "./ring-buffer.js";
