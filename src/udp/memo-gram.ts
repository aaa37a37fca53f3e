/**
 * hio's memogram wire format (`hio.core.memo`), the default memo format of
 * hio-ts: a memo is cut into grams, each a datagram that starts with a header
 * in Base64 text or in the same header's binary (Base2) form. Pure functions,
 * no I/O; docs/udp.md has the tables and a hex example.
 *
 * ```
 * text header (bytes)   zeroth gram            other grams
 *   code                4  "bAAA" / "bAAC"      4  "bAAB" / "bAAD"
 *   neck                4  gram count (B64 int) 4  gram number (B64 int)
 *   memo id (mid)      24  "0A" + 22 B64 chars 24  same mid
 *   verifier id (vid)  44  signed only ("B"...) -
 *   body               ...                     ...
 *   signature          88  signed only ("0B"...) 88 signed only
 * ```
 * The binary form has the same fields at 3/4 of the size (3, 3, 18, 33, 66
 * bytes; the neck is a 24-bit big-endian integer). The first byte tells them
 * apart: its top six bits are 0o30 for text ("b") and 0o33 for binary. A
 * signature is Ed25519 over the gram as sent, everything before the signature.
 *
 * @module
 */
import { checkWhole } from "./address.js";

/** Base64 (URL-safe) alphabet of hio's CESR codes. */
const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const B64_INDEX = new Int8Array(128).fill(-1);
for (let index = 0; index < 64; index++) B64_INDEX[B64.charCodeAt(index)] = index;

/** hio's gram codes that hio-ts reads and writes (the acknowledged "sure" codes bAAE..bAAJ are not implemented by hio either). */
export const MEMO_GRAM_CODES = {
  /** Zeroth gram, unsigned. */
  zero: "bAAA",
  /** Other grams, unsigned. */
  other: "bAAB",
  /** Zeroth gram, signed (carries the verifier id). */
  authZero: "bAAC",
  /** Other grams, signed. */
  auth: "bAAD",
} as const;

/** Text header bytes of an unsigned gram (code 4 + neck 4 + mid 24). */
export const MEMO_GRAM_HEAD_SIZE = 32;
/** Bytes of a memo id in text (a CESR "0A" salt of 128 bits). */
export const MEMO_ID_SIZE = 24;
/** Bytes of a verifier id in text (a CESR "B" Ed25519 non-transferable key). */
export const MEMO_VID_SIZE = 44;
/** Bytes of a signature in text (a CESR "0B" Ed25519 signature). */
export const MEMO_SIG_SIZE = 88;
/** Most grams one memo can have (the neck is 24 bits). */
export const MEMO_MAX_GRAMS = 0xff_ffff;
/** hio's UDP gram size (`UDP_IPv6_MAX_SAFE_PAYLOAD`), the default for UDP peers. */
export const MEMO_UDP_GRAM_SIZE = 1240;

/** Something that signs grams: its verifier id and an Ed25519 signature over bytes. */
export interface MemoSigner {
  /** The signer's verifier id, 44 Base64 characters ("B" + public key). */
  readonly vid: string;
  /**
   * Signs bytes.
   * @param data the bytes to sign
   * @returns the 64-byte Ed25519 signature
   */
  sign(data: Uint8Array): Uint8Array;
}

/** A parsed gram; `body`, `signed` and `signature` are views into the datagram. */
export interface MemoGram {
  /** True for the binary header form. */
  binary: boolean;
  /** True for a zeroth gram (it carries the count). */
  zeroth: boolean;
  /** True for a signed gram. */
  authenticated: boolean;
  /** Gram number (0 for the zeroth gram). */
  number: number;
  /** Gram count (zeroth gram only; 0 on other grams). */
  count: number;
  /** The memo id in text, 24 characters. */
  mid: string;
  /** The verifier id in text (signed zeroth gram only), else undefined. */
  vid: string | undefined;
  /** The gram's part of the memo. */
  body: Uint8Array;
  /** The signed bytes (everything before the signature), signed grams only. */
  signed: Uint8Array | undefined;
  /** The raw 64-byte signature, signed grams only. */
  signature: Uint8Array | undefined;
}

/**
 * Header bytes a gram costs (head, plus vid and signature when signed).
 * @param zeroth the zeroth gram
 * @param authenticated signed grams
 * @param binary the binary header form
 * @returns the overhead in bytes
 */
export function memoGramOverhead(zeroth: boolean, authenticated: boolean, binary: boolean): number {
  const text = MEMO_GRAM_HEAD_SIZE + (authenticated ? MEMO_SIG_SIZE + (zeroth ? MEMO_VID_SIZE : 0) : 0);
  return binary ? (text * 3) / 4 : text;
}

/**
 * Counts the grams of a memo, as hio does (an empty memo takes one gram here; hio sends none).
 * @param length memo bytes
 * @param size gram size, header included
 * @param authenticated signed grams
 * @param binary the binary header form
 * @returns the gram count
 */
export function memoGramCount(length: number, size: number, authenticated = false, binary = false): number {
  const zeroBody = size - memoGramOverhead(true, authenticated, binary);
  const otherBody = size - memoGramOverhead(false, authenticated, binary);
  if (length <= zeroBody) return 1;
  return 1 + Math.ceil((length - zeroBody) / otherBody);
}

/**
 * Makes a memo id: "0A" and 22 Base64 characters of 16 bytes (hio uses a UUID; any 128 bits do).
 * @param raw 16 bytes
 * @returns the 24-character mid
 */
export function memoIdOf(raw: Uint8Array): string {
  if (raw.length !== 16) throw new RangeError(`memo id must be 16 bytes, got ${raw.length}`);
  return "0A" + qualify(raw, 2);
}

/**
 * Makes a verifier id from an Ed25519 public key: "B" and 43 Base64 characters.
 * @param publicKey the 32-byte raw public key
 * @returns the 44-character vid
 */
export function memoVidOf(publicKey: Uint8Array): string {
  if (publicKey.length !== 32) throw new RangeError(`publicKey must be 32 bytes, got ${publicKey.length}`);
  return "B" + qualify(publicKey, 1);
}

/** A verifier id taken apart: {@link memoVidKey}. */
export interface MemoVidKey {
  /** Its CESR code: "B" (Ed25519 non-transferable: the key is the public key), "D" or "E" (looked up in a keep). */
  code: string;
  /** The 32 raw bytes after the code. */
  key: Uint8Array;
}

/**
 * Reads the raw key of a verifier id.
 * @param vid a 44-character vid
 * @returns `{ code, key }` (code "B", "D" or "E"), or undefined when it is not one
 */
export function memoVidKey(vid: string): MemoVidKey | undefined {
  const code = vid[0]!;
  if (vid.length !== MEMO_VID_SIZE || (code !== "B" && code !== "D" && code !== "E")) return undefined;
  const raw = unqualify(vid, 1);
  return raw === undefined ? undefined : { code, key: raw };
}

/**
 * Cuts a memo into hio grams.
 * @param message the memo bytes
 * @param mid the memo id (24 characters, from {@link memoIdOf})
 * @param size gram size in bytes, header included (at least the zeroth gram's overhead + 1)
 * @param binary write the binary header form (hio's `curt`)
 * @param signer sign every gram (hio's AuthMemoer), or undefined
 * @returns the grams, in order (views into one new buffer)
 * @throws RangeError for a bad size or a memo that needs more than MEMO_MAX_GRAMS grams
 * @example
 * ```ts
 * const grams = encodeMemoGrams(bytes, memoIdOf(randomBytes(16)), 1240, false, undefined);
 * ```
 */
export function encodeMemoGrams(message: Uint8Array, mid: string, size: number, binary: boolean, signer: MemoSigner | undefined): Uint8Array[] {
  const authenticated = signer !== undefined;
  const zeroHead = memoGramOverhead(true, authenticated, binary);
  const otherHead = memoGramOverhead(false, authenticated, binary);
  checkWhole("size", size, zeroHead + 1, 0xffff);
  if (mid.length !== MEMO_ID_SIZE) throw new RangeError(`mid must be ${MEMO_ID_SIZE} characters, got ${mid.length}`);
  const length = message.length;
  const count = memoGramCount(length, size, authenticated, binary);
  if (count > MEMO_MAX_GRAMS) throw new RangeError(`memo of ${length} bytes needs ${count} grams of ${size} bytes, over ${MEMO_MAX_GRAMS}`);
  const zeroBody = size - zeroHead;
  const otherBody = size - otherHead;
  const wire = new Uint8Array(length + zeroHead + (count - 1) * otherHead);
  const grams = new Array<Uint8Array>(count);
  const zeroCode: string = authenticated ? MEMO_GRAM_CODES.authZero : MEMO_GRAM_CODES.zero;
  const otherCode: string = authenticated ? MEMO_GRAM_CODES.auth : MEMO_GRAM_CODES.other;
  const midBytes = binary ? base64Bytes(mid) : asciiBytes(mid);
  const vidBytes = signer === undefined ? undefined : binary ? base64Bytes(signer.vid) : asciiBytes(signer.vid);
  let at = 0;
  let taken = 0;
  for (let number = 0; number < count; number++) {
    const start = at;
    const zeroth = number === 0;
    const code = zeroth ? zeroCode : otherCode;
    const neck = zeroth ? count : number;
    if (binary) {
      const code24 = b64Int(code);
      wire[at++] = code24 >>> 16;
      wire[at++] = (code24 >>> 8) & 0xff;
      wire[at++] = code24 & 0xff;
      wire[at++] = neck >>> 16;
      wire[at++] = (neck >>> 8) & 0xff;
      wire[at++] = neck & 0xff;
    } else {
      for (let index = 0; index < 4; index++) wire[at++] = code.charCodeAt(index);
      for (let shift = 18; shift >= 0; shift -= 6) wire[at++] = B64.charCodeAt((neck >>> shift) & 63);
    }
    wire.set(midBytes, at);
    at += midBytes.length;
    if (zeroth && vidBytes !== undefined) {
      wire.set(vidBytes, at);
      at += vidBytes.length;
    }
    const take = Math.min(zeroth ? zeroBody : otherBody, length - taken);
    wire.set(message.subarray(taken, taken + take), at);
    at += take;
    taken += take;
    if (signer !== undefined) {
      const signature = signer.sign(wire.subarray(start, at));
      const sig = binary ? base64Bytes("0B" + qualify(signature, 2)) : asciiBytes("0B" + qualify(signature, 2));
      wire.set(sig, at);
      at += sig.length;
    }
    grams[number] = wire.subarray(start, at);
  }
  return grams;
}

/**
 * Parses one gram's header, without verifying a signature.
 * @param datagram one received datagram
 * @returns the gram, or a short reason why it is not one
 */
export function parseMemoGram(datagram: Uint8Array): MemoGram | string {
  if (datagram.length === 0) return "empty datagram";
  const sextet = datagram[0]! >> 2;
  let binary: boolean;
  if (sextet === 0o30) binary = false;
  else if (sextet === 0o33) binary = true;
  else return `not a gram (first sextet 0o${sextet.toString(8)})`;
  const scale = binary ? 3 : 4;
  if (datagram.length < (MEMO_GRAM_HEAD_SIZE * scale) / 4) return "shorter than a gram header";
  let codeNumber: number;
  let neck: number;
  if (binary) {
    codeNumber = (datagram[0]! << 16) | (datagram[1]! << 8) | datagram[2]!;
    neck = (datagram[3]! << 16) | (datagram[4]! << 8) | datagram[5]!;
  } else {
    codeNumber = textInt(datagram, 0);
    neck = textInt(datagram, 4);
    if (codeNumber < 0 || neck < 0) return "bad Base64 in the gram header";
  }
  // "bAAA" .. "bAAD" are 0x6c0000 .. 0x6c0003.
  const kind = codeNumber - 0x6c_0000;
  if (kind < 0 || kind > 9) return "unknown gram code";
  if (kind > 3) return `unsupported gram code bAA${B64[kind]} (acknowledged grams)`;
  const zeroth = (kind & 1) === 0;
  const authenticated = kind >= 2;
  const midAt = (8 * scale) / 4;
  const midEnd = midAt + (MEMO_ID_SIZE * scale) / 4;
  const mid = binary ? base64Text(datagram.subarray(midAt, midEnd)) : latin1(datagram, midAt, midEnd);
  let bodyAt = midEnd;
  let vid: string | undefined;
  let end = datagram.length;
  let signed: Uint8Array | undefined;
  let signature: Uint8Array | undefined;
  if (authenticated) {
    const vidEnd = zeroth ? bodyAt + (MEMO_VID_SIZE * scale) / 4 : bodyAt;
    const sigSize = (MEMO_SIG_SIZE * scale) / 4;
    if (datagram.length < vidEnd + sigSize) return "shorter than a signed gram header";
    if (zeroth) {
      vid = binary ? base64Text(datagram.subarray(bodyAt, vidEnd)) : latin1(datagram, bodyAt, vidEnd);
      bodyAt = vidEnd;
    }
    end = datagram.length - sigSize;
    const sigText = binary ? base64Text(datagram.subarray(end)) : latin1(datagram, end, datagram.length);
    if (!sigText.startsWith("0B")) return "not an Ed25519 signature";
    signature = unqualify(sigText, 2);
    if (signature === undefined) return "bad signature encoding";
    signed = datagram.subarray(0, end);
  }
  return {
    binary,
    zeroth,
    authenticated,
    number: zeroth ? 0 : neck,
    count: zeroth ? neck : 0,
    mid,
    vid,
    body: datagram.subarray(bodyAt, end),
    signed,
    signature,
  };
}

/** CESR "qualified" Base64 of raw bytes without the code: pad in front with `pad` zero bytes, encode, drop `pad` characters. */
function qualify(raw: Uint8Array, pad: number): string {
  const padded = new Uint8Array(pad + raw.length);
  padded.set(raw, pad);
  return Buffer.from(padded.buffer, padded.byteOffset, padded.length).toString("base64url").slice(pad);
}

/** Inverse of {@link qualify}: the raw bytes of a qualified text whose code is `codeLength` characters, or undefined. */
function unqualify(text: string, codeLength: number): Uint8Array | undefined {
  const body = "A".repeat(codeLength) + text.slice(codeLength);
  if (!/^[A-Za-z0-9_-]*$/.test(body) || body.length % 4 !== 0) return undefined;
  const padded = Buffer.from(body, "base64url");
  for (let index = 0; index < codeLength; index++) if (padded[index] !== 0) return undefined;
  return new Uint8Array(padded.buffer, padded.byteOffset + codeLength, padded.length - codeLength);
}

function b64Int(text: string): number {
  let value = 0;
  for (let index = 0; index < text.length; index++) value = value * 64 + B64_INDEX[text.charCodeAt(index)]!;
  return value;
}

/** Four Base64 characters at `at` as a 24-bit integer, or -1. */
function textInt(bytes: Uint8Array, at: number): number {
  let value = 0;
  for (let index = at; index < at + 4; index++) {
    const char = bytes[index]!;
    const digit = char < 128 ? B64_INDEX[char]! : -1;
    if (digit < 0) return -1;
    value = (value << 6) | digit;
  }
  return value;
}

function asciiBytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let index = 0; index < text.length; index++) bytes[index] = text.charCodeAt(index);
  return bytes;
}

function base64Bytes(text: string): Uint8Array {
  const buffer = Buffer.from(text, "base64url");
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
}

function base64Text(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("base64url");
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString("latin1");
}
