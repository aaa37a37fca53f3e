/**
 * Errors of the I/O primitives. Each names what it concerns and carries the
 * bytes involved, so a caller can log or resynchronise without losing data.
 *
 * @module
 */
import { HioError } from "../core/index.js";

/** Thrown by `write` on a ring after `end()`: nothing more may be added. */
export class RingEndedError extends HioError {}
