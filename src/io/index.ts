/**
 * I/O primitives: the byte rings between handles and protocol code, the
 * generator readers and framers that parse them, and WireLog. Knows nothing
 * of sockets; every transport is built on it.
 *
 * @module
 */
export {
  RingEndedError,
  FrameError,
  FrameTooLongError,
  EndOfStreamError,
  ReadTimeoutError,
  WriteTimeoutError,
} from "./errors.js";
export { RingBuffer, type RingBufferOptions, type Regions } from "./ring-buffer.js";
export {
  readExactly,
  readUntil,
  readLine,
  readAvailable,
  skipUntil,
  type Reader,
  type ReadOptions,
  type ReadUntilOptions,
  type ReadLineOptions,
  type ReadAvailableOptions,
} from "./readers.js";
export { writeAll } from "./write-all.js";
export { decodeUtf8, encodeUtf8, readLineText, writeText } from "./text.js";
export {
  WireLog,
  WireLogFormatError,
  formatWireLogEntry,
  parseWireLog,
  type WireLogEntry,
  type WireLogOptions,
  type WireDirection,
} from "./wire-log.js";
