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
  WireLogFormatError,
  WireLogError,
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
  formatWireLogEntry,
  parseWireLog,
  type WireLogEntry,
  type WireLogOptions,
  type WireDirection,
} from "./wire-log.js";
export { BufferedFramer, type Framer, type FramerOptions } from "./framer.js";
export type { FrameEvent } from "./frame-events.js";
export {
  DelimiterFramer,
  LineFramer,
  type DelimiterFramerOptions,
  type LineFramerOptions,
} from "./delimiter-framer.js";
export { FixedLengthFramer, type FixedLengthFramerOptions } from "./fixed-length-framer.js";
export { LengthPrefixedFramer, type LengthPrefixedFramerOptions } from "./length-prefixed-framer.js";
export { InterByteTimeoutFramer, type InterByteTimeoutFramerOptions } from "./inter-byte-timeout-framer.js";
export { RegexFramer, type RegexFramerOptions } from "./regex-framer.js";
export { ReadyFramer, type ReadyFramerOptions } from "./ready-framer.js";
export {
  SlipFramer,
  slipEncode,
  SLIP_END,
  SLIP_ESC,
  SLIP_ESC_END,
  SLIP_ESC_ESC,
  type SlipEncodeOptions,
} from "./slip.js";
export { crc16Modbus } from "./crc16.js";
export { readFrame } from "./read-frame.js";
export { tockUntil, type Handle, type HandleState, type OpenOptions, type WireTap } from "./handle.js";
export { Intake, type IntakeSource, type IntakeOptions } from "./intake.js";
export { lendRegions, regionsLength, pipe, type LendOptions, type PipeOptions } from "./lend.js";
export {
  ringReadable,
  ringWritable,
  toDuplex,
  type RingReadableOptions,
  type RingWritableOptions,
  type RingHandle,
  type ToDuplexOptions,
} from "./ring-streams.js";
export { FramerTransform, frames, type FramerTransformOptions } from "./framer-stream.js";
