/**
 * UDP transport: `Peer` (a socket as two bounded datagram queues), `PeerDoer`
 * (runs it, with a generator handler), the `readDatagram`/`writeDatagram`
 * helpers, and memos (`Memoer`): messages larger than one datagram, cut into
 * numbered segments and put back together per sender. `UdpDriver` is the seam
 * a simulated network plugs into. See docs/udp.md.
 *
 * @module
 */
export {
  UdpError,
  UdpOpenError,
  UdpStateError,
  UdpDatagramSizeError,
  UdpSendError,
  UdpSocketError,
  UdpMulticastError,
  UdpTimeoutError,
  UdpHandlerError,
  UxdAddonError,
  MemoTooLargeError,
} from "./errors.js";
export { formatUdpAddress, type UdpAddress, type UdpType } from "./address.js";
export {
  nodeUdpDriver,
  type UdpDriver,
  type DatagramSocket,
  type UdpSocketOptions,
  type UdpSocketAddress,
  type UdpRemoteInfo,
} from "./driver.js";
export { Peer } from "./peer.js";
export { unixDatagramDriver, UXD_ADDON } from "./unix-driver.js";
export {
  UDP4_MAX_DATAGRAM_SIZE,
  UDP6_MAX_DATAGRAM_SIZE,
  type PeerOptions,
  type PeerState,
  type PeerCounters,
  type PeerWireLog,
  type Datagram,
} from "./peer-options.js";
export { readDatagram, writeDatagram, type DatagramWaitOptions, type Waiting } from "./datagram-io.js";
export { PeerDoer, type PeerDoerOptions, type PeerHandler } from "./peer-doer.js";
export {
  encodeMemo,
  decodeMemoSegment,
  memoSegmentCount,
  MEMO_VERSION,
  MEMO_HEADER_SIZE,
  MEMO_MAX_SEGMENTS,
  type MemoSegment,
} from "./memo-format.js";
export {
  encodeMemoGrams,
  parseMemoGram,
  memoGramCount,
  memoGramOverhead,
  memoIdOf,
  memoVidOf,
  memoVidKey,
  MEMO_GRAM_CODES,
  MEMO_GRAM_HEAD_SIZE,
  MEMO_ID_SIZE,
  MEMO_VID_SIZE,
  MEMO_SIG_SIZE,
  MEMO_MAX_GRAMS,
  MEMO_UDP_GRAM_SIZE,
  type MemoGram,
  type MemoSigner,
  type MemoVidKey,
} from "./memo-gram.js";
export { MemoKey, verifyMemoSignature } from "./memo-auth.js";
export {
  MemoReassembler,
  type Memo,
  type MemoCounters,
  type MemoFormat,
  type MemoRejectReason,
  type MemoReject,
  type MemoReassemblerOptions,
} from "./memo-reassembler.js";
export { Memoer, readMemo, writeMemo, type MemoerOptions, type MemoerCounters } from "./memoer.js";
