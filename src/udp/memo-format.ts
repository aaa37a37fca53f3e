/**
 * The memo segment wire format: how a message larger than one datagram is cut
 * into numbered segments (hio calls them memograms). Pure functions, no I/O;
 * docs/udp.md has the same table.
 *
 * ```
 * offset size field           rule
 *  0     1    version         MEMO_VERSION (1)
 *  1     1    flags           0 (reserved)
 *  2     4    message id      u32, sender's choice, new per message
 *  6     2    segment index   u16, 0 .. count-1
 *  8     2    segment count   u16, >= 1
 * 10     2    stride          u16, body bytes of every segment but the last
 * 12     4    message length  u32, bytes of the whole message
 * 16     ...  body            bytes [index*stride, index*stride + body length)
 * ```
 * All integers are big-endian. A segment is valid only if its numbers agree:
 * `(count-1)*stride < length <= count*stride` (or `length = stride = 0` and
 * `count = 1` for an empty message), and its body length is `stride`, or
 * `length - (count-1)*stride` for the last segment. So every segment can be
 * checked alone, and no two valid segments of one message overlap.
 *
 * @module
 */
import { checkWhole } from "./address.js";

/** Version byte of the segments this code writes and reads. */
export const MEMO_VERSION = 1;
/** Bytes of the segment header. */
export const MEMO_HEADER_SIZE = 16;
/** Most segments one message can have (the count is a u16). */
export const MEMO_MAX_SEGMENTS = 0xffff;

/** A decoded segment; `body` is a view into the datagram, not a copy. */
export interface MemoSegment {
  /** Sender's id of the message. */
  readonly messageId: number;
  /** Index of this segment, 0-based. */
  readonly index: number;
  /** Segments in the message. */
  readonly count: number;
  /** Body bytes of every segment but the last. */
  readonly stride: number;
  /** Bytes of the whole message. */
  readonly length: number;
  /** This segment's part of the message. */
  readonly body: Uint8Array;
}

/**
 * Counts the segments a message of `length` bytes needs at `segmentSize` bytes per datagram.
 * @param length message bytes
 * @param segmentSize datagram bytes per segment, header included (> MEMO_HEADER_SIZE)
 * @returns the segment count (1 for an empty message)
 */
export function memoSegmentCount(length: number, segmentSize: number): number {
  return length === 0 ? 1 : Math.ceil(length / (segmentSize - MEMO_HEADER_SIZE));
}

/**
 * Cuts a message into segments, each a datagram of at most `segmentSize`
 * bytes. All segments are views into one new buffer (one allocation).
 * @param message the bytes to send
 * @param messageId the message's id (u32); use a new one per message
 * @param segmentSize datagram bytes per segment, header included: MEMO_HEADER_SIZE+1 .. 65 551
 * @returns the segments, in order
 * @throws RangeError when the message needs more than MEMO_MAX_SEGMENTS segments or is 2^32 bytes or more, or for a bad segmentSize
 * @example
 * ```ts
 * const segments = encodeMemo(new Uint8Array(3000), 7, 1472); // 3 datagrams
 * ```
 */
export function encodeMemo(message: Uint8Array, messageId: number, segmentSize: number): Uint8Array[] {
  checkWhole("messageId", messageId, 0, 0xffff_ffff);
  checkWhole("segmentSize", segmentSize, MEMO_HEADER_SIZE + 1, MEMO_HEADER_SIZE + 0xffff);
  const length = message.length;
  if (length > 0xffff_ffff) throw new RangeError(`message of ${length} bytes is over the memo limit of 4 GiB`);
  const stride = length === 0 ? 0 : Math.min(segmentSize - MEMO_HEADER_SIZE, length);
  const count = memoSegmentCount(length, segmentSize);
  if (count > MEMO_MAX_SEGMENTS) {
    throw new RangeError(`message of ${length} bytes needs ${count} segments of ${segmentSize} bytes, over ${MEMO_MAX_SEGMENTS}`);
  }
  const wire = new Uint8Array(count * MEMO_HEADER_SIZE + length);
  const view = new DataView(wire.buffer);
  const segments = new Array<Uint8Array>(count);
  let at = 0;
  for (let index = 0; index < count; index++) {
    const start = index * stride;
    const bodyLength = index === count - 1 ? length - start : stride;
    wire[at] = MEMO_VERSION;
    wire[at + 1] = 0;
    view.setUint32(at + 2, messageId);
    view.setUint16(at + 6, index);
    view.setUint16(at + 8, count);
    view.setUint16(at + 10, stride);
    view.setUint32(at + 12, length);
    wire.set(message.subarray(start, start + bodyLength), at + MEMO_HEADER_SIZE);
    segments[index] = wire.subarray(at, at + MEMO_HEADER_SIZE + bodyLength);
    at += MEMO_HEADER_SIZE + bodyLength;
  }
  return segments;
}

/**
 * Reads a segment header and checks that its numbers agree.
 * @param datagram one received datagram
 * @returns the segment, or undefined when the datagram is not a valid segment
 *   of this version (too short, other version, flags set, numbers that disagree)
 */
export function decodeMemoSegment(datagram: Uint8Array): MemoSegment | undefined {
  if (datagram.length < MEMO_HEADER_SIZE) return undefined;
  if (datagram[0] !== MEMO_VERSION || datagram[1] !== 0) return undefined;
  // Byte arithmetic instead of a DataView: no allocation per datagram.
  const messageId = u32(datagram, 2);
  const index = u16(datagram, 6);
  const count = u16(datagram, 8);
  const stride = u16(datagram, 10);
  const length = u32(datagram, 12);
  const bodyLength = datagram.length - MEMO_HEADER_SIZE;
  if (count === 0 || index >= count) return undefined;
  if (length === 0) {
    if (count !== 1 || stride !== 0 || bodyLength !== 0) return undefined;
  } else {
    if (stride === 0) return undefined;
    if ((count - 1) * stride >= length || length > count * stride) return undefined;
    const expected = index === count - 1 ? length - (count - 1) * stride : stride;
    if (bodyLength !== expected) return undefined;
  }
  return { messageId, index, count, stride, length, body: datagram.subarray(MEMO_HEADER_SIZE) };
}

function u16(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 8) | bytes[at + 1]!;
}

function u32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}
