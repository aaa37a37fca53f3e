/**
 * Memoer: messages larger than one datagram over a Peer (hio's memos). It
 * cuts each message into segments on the way out and puts them back together
 * per sender on the way in.
 *
 * @module
 */
import { currentTyme, type Operation, Signal } from "../core/index.js";
import { checkDestination, checkTimeout, checkWhole, formatUdpAddress, type UdpAddress } from "./address.js";
import { deadlineOf, remaining } from "./datagram-io.js";
import { DatagramQueue } from "./datagram-queue.js";
import { MemoTooLargeError, UdpTimeoutError } from "./errors.js";
import { randomFillSync } from "node:crypto";
import { encodeMemo, MEMO_HEADER_SIZE, MEMO_MAX_SEGMENTS, memoSegmentCount } from "./memo-format.js";
import { encodeMemoGrams, memoGramCount, memoGramOverhead, memoIdOf, MEMO_MAX_GRAMS, MEMO_UDP_GRAM_SIZE, type MemoSigner } from "./memo-gram.js";
import { MemoReassembler, type Memo, type MemoReassemblerOptions } from "./memo-reassembler.js";
import type { Peer } from "./peer.js";

/** Options of {@link Memoer}. */
export interface MemoerOptions extends MemoReassemblerOptions {
  /** The peer that carries the segments. */
  peer: Peer;
  /**
   * Datagram bytes per gram, header included. Default: hio's 1240 for the
   * "hio" format (`UDP_IPv6_MAX_SAFE_PAYLOAD`); for "hio-ts-v1" 1472 for udp4,
   * 1452 for udp6 (one Ethernet frame); capped by the peer's `maxDatagramSize`.
   */
  segmentSize?: number;
  /** Write the binary (Base2) gram header instead of hio's default text one (hio's `curt`). Received grams may be either. Default false. */
  binary?: boolean;
  /** Sign every gram sent with this key (hio's AuthMemoer), e.g. a {@link MemoKey}. "hio" format only. */
  signer?: MemoSigner;
  /** Completed memos waiting to be read, at most. Default 64. */
  maxReceiveCount?: number;
  /** Their bytes at most. Default 16 MiB. */
  maxReceiveBytes?: number;
  /**
   * Pacing: bytes per second of tyme each destination may be sent, so a memo
   * does not overflow a receiver's socket buffer in one burst. Default 16 MiB/s;
   * Infinity sends as fast as the peer takes grams.
   */
  sendRate?: number;
  /** Pacing: bytes a destination may be sent at once after a pause. Default 32 KiB (fits a default 208 KiB Linux socket buffer with room). */
  sendBurst?: number;
  /** Bytes of grams waiting for their pacing turn, all destinations. Default 8 MiB. */
  maxQueuedBytes?: number;
  /** hio-ts-v1 format only: id of the first message sent (then +1 each). Default: random, so a restarted sender is not taken for a duplicate. */
  firstMessageId?: number;
}

/** Grams of memos waiting for their pacing turn, per destination. */
interface Outbound {
  readonly to: UdpAddress;
  /** Memos (their grams), oldest first from `head`. */
  readonly memos: Uint8Array[][];
  head: number;
  /** Next gram of the head memo. */
  gram: number;
  tokens: number;
  last: number;
}

const EMPTY: Uint8Array[] = [];

/** The Memoer over each peer, so a PeerDoer services it even when not given it (pacing and expiry need a driver). */
const memoers = new WeakMap<Peer, Memoer>();

/**
 * The Memoer made over a peer, if any.
 * @param peer the peer
 * @returns the latest Memoer constructed over it, or undefined
 */
export function memoerOf(peer: Peer): Memoer | undefined {
  return memoers.get(peer);
}

/** Running totals of a Memoer; the reassembler's own are in `memoer.reassembler.counters`. */
export interface MemoerCounters {
  /** Memos accepted for sending (all their grams queued). */
  sent: number;
  /** Memos whose every gram was handed to the peer. */
  handed: number;
  /** Memos given up before every gram was handed to the peer (the peer closed). */
  unsent: number;
  /** Grams of memos given up. */
  unsentGrams: number;
  /** Completed memos put in the receive queue. */
  received: number;
  /** Completed memos dropped because the receive queue was full. */
  dropped: number;
  /** Their bytes. */
  droppedBytes: number;
}

/**
 * Sends and receives memos over a {@link Peer}. Use it instead of the peer's
 * own `send`/`receive` (every datagram it reads must be a segment; others are
 * counted as malformed). A memo is all-or-nothing: `send` queues every
 * segment or none, and a memo is received only when every segment arrived.
 * There are no retransmissions: a memo that loses a segment expires.
 *
 * Give it to a {@link PeerDoer} (`memoer` option) to have incomplete memos
 * expire on time even when nobody reads; `receive()` also drains the peer.
 *
 * @example
 * ```ts
 * const peer = new Peer({ host: "127.0.0.1" });
 * const memoer = new Memoer({ peer, timeout: 2 });
 * const doer = new PeerDoer({ peer, memoer, handler: function* () {
 *   const memo = yield* readMemo(memoer);
 *   yield* writeMemo(memoer, memo.data, memo.from); // echo it back
 *   return true;
 * } });
 * ```
 */
export class Memoer {
  /** The peer that carries the segments. */
  readonly peer: Peer;
  /** Datagram bytes per gram, header included. */
  readonly segmentSize: number;
  /** The wire format written and read. */
  readonly format: "hio" | "hio-ts-v1";
  /** Grams are written with the binary header. */
  readonly binary: boolean;
  /** Signs the grams sent, or undefined. */
  readonly signer: MemoSigner | undefined;
  /** Puts incoming grams back together. */
  readonly reassembler: MemoReassembler;
  /** Notified when a completed memo is queued. */
  readonly receiveSignal = new Signal();
  /** Running totals. */
  readonly counters: MemoerCounters = { sent: 0, handed: 0, unsent: 0, unsentGrams: 0, received: 0, dropped: 0, droppedBytes: 0 };
  /** Notified when queued memos were handed to the peer (room for more). */
  readonly sendSignal = new Signal();
  /** Pacing rate, bytes per second of tyme per destination. */
  readonly sendRate: number;
  /** Pacing burst, bytes per destination. */
  readonly sendBurst: number;
  /** Bytes of grams that may wait for their pacing turn. */
  readonly maxQueuedBytes: number;
  readonly #outbound = new Map<string, Outbound>();
  #queuedBytes = 0;
  #nextSendAt = Number.POSITIVE_INFINITY;
  readonly #memos: DatagramQueue<Memo>;
  readonly #mid = new Uint8Array(16);
  #messageId: number;
  #tyme = 0;

  /**
   * @param options the peer, format, signer, gram size, reassembly limits, receive queue bounds
   * @throws TypeError/RangeError naming the option that is wrong
   */
  constructor(options: MemoerOptions) {
    if (typeof options !== "object" || options === null || typeof (options.peer as Peer | undefined)?.send !== "function") {
      throw new TypeError("peer must be a Peer");
    }
    this.peer = options.peer;
    this.reassembler = new MemoReassembler(options);
    this.format = this.reassembler.format;
    this.binary = options.binary === true;
    const signer = options.signer;
    if (signer !== undefined && (typeof signer !== "object" || typeof signer.sign !== "function" || typeof signer.vid !== "string")) {
      throw new TypeError("signer must be a MemoSigner (e.g. a MemoKey)");
    }
    if (signer !== undefined && this.format !== "hio") throw new RangeError('signer needs the "hio" format');
    this.signer = signer;
    const hio = this.format === "hio";
    const frame = hio ? MEMO_UDP_GRAM_SIZE : this.peer.type === "udp6" ? 1452 : 1472;
    const head = hio ? memoGramOverhead(true, signer !== undefined, this.binary) : MEMO_HEADER_SIZE;
    const largest = Math.min(this.peer.maxDatagramSize, this.peer.maxSendBytes, hio ? 0xffff : MEMO_HEADER_SIZE + 0xffff);
    this.segmentSize = checkWhole("segmentSize", options.segmentSize ?? Math.min(frame, largest), head + 1, largest);
    this.#memos = new DatagramQueue(checkWhole("maxReceiveCount", options.maxReceiveCount ?? 64, 1), checkWhole("maxReceiveBytes", options.maxReceiveBytes ?? 16 << 20, 0));
    this.#messageId = checkWhole("firstMessageId", options.firstMessageId ?? Math.floor(Math.random() * 0x1_0000_0000), 0, 0xffff_ffff);
    randomFillSync(this.#mid);
    memoers.set(this.peer, this);
    const rate = options.sendRate ?? 16 << 20;
    if (typeof rate !== "number" || !(rate > 0)) throw new RangeError(`sendRate must be a positive number of bytes per second, got ${String(rate)}`);
    this.sendRate = rate;
    this.sendBurst = checkWhole("sendBurst", options.sendBurst ?? 32 << 10, 1);
    this.maxQueuedBytes = checkWhole("maxQueuedBytes", options.maxQueuedBytes ?? 8 << 20, 1);
  }

  /** Bytes of grams waiting for their pacing turn. */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /** Memos not yet wholly handed to the peer. */
  get queuedMemos(): number {
    let count = 0;
    for (const outbound of this.#outbound.values()) count += outbound.memos.length - outbound.head;
    return count;
  }

  /** Completed memos waiting to be read. */
  get receiveQueueLength(): number {
    return this.#memos.length;
  }

  /** Earliest tyme at which this Memoer has work: an incomplete memo may expire, or paced grams may go; Infinity when none. */
  get nextDeadline(): number {
    return Math.min(this.reassembler.nextDeadline, this.#nextSendAt);
  }

  /**
   * Counts the datagrams a message of `length` bytes takes.
   * @param length message bytes
   * @returns segments at this Memoer's `segmentSize`
   */
  segmentsFor(length: number): number {
    return this.format === "hio" ? memoGramCount(length, this.segmentSize, this.signer !== undefined, this.binary) : memoSegmentCount(length, this.segmentSize);
  }

  /**
   * Queues every gram of a message on the peer, or none.
   * @param message the bytes (copied into the grams)
   * @param to the destination
   * @returns true when queued; false when the peer's send queue lacks room for all grams now
   * @throws MemoTooLargeError over `maxMemoSize`, or when the peer's send queue could never hold it;
   *   UdpStateError when the peer is closed; TypeError for bad arguments
   */
  send(message: Uint8Array, to: UdpAddress): boolean {
    if (!(message instanceof Uint8Array)) throw new TypeError(`message must be a Uint8Array, got ${message === null ? "null" : typeof message}`);
    checkDestination("to", to);
    const peer = this.peer;
    if (peer.closed) throw peer.closedError(`send a memo to ${formatUdpAddress(to)}`);
    const length = message.length;
    const hio = this.format === "hio";
    const count = this.segmentsFor(length);
    const overhead = hio ? memoGramOverhead(false, this.signer !== undefined, this.binary) : MEMO_HEADER_SIZE;
    const bytes = length + count * overhead + (hio ? memoGramOverhead(true, this.signer !== undefined, this.binary) - overhead : 0);
    if (length > this.reassembler.maxMemoSize || count > (hio ? MEMO_MAX_GRAMS : MEMO_MAX_SEGMENTS) || bytes > this.maxQueuedBytes) {
      throw new MemoTooLargeError(
        `${peer.toString()}: memo of ${length} bytes to ${formatUdpAddress(to)} is too large: ` +
          `${count} grams, ${bytes} bytes on the wire (maxMemoSize ${this.reassembler.maxMemoSize}, maxQueuedBytes ${this.maxQueuedBytes})`,
        length,
      );
    }
    if (this.#queuedBytes + bytes > this.maxQueuedBytes) return false;
    let grams: Uint8Array[];
    if (hio) {
      // A per-Memoer random 128 bits with a counter in its last 4 bytes: unique per memo, no allocation of randomness per memo.
      const mid = this.#mid;
      const id = this.#messageId;
      mid[12] = id >>> 24;
      mid[13] = (id >>> 16) & 0xff;
      mid[14] = (id >>> 8) & 0xff;
      mid[15] = id & 0xff;
      grams = encodeMemoGrams(message, memoIdOf(mid), this.segmentSize, this.binary, this.signer);
    } else {
      grams = encodeMemo(message, this.#messageId, this.segmentSize);
    }
    this.#messageId = (this.#messageId + 1) >>> 0;
    const now = currentTyme() ?? this.#tyme;
    const key = formatUdpAddress(to);
    let outbound = this.#outbound.get(key);
    if (outbound === undefined) {
      outbound = { to: { host: to.host, port: to.port }, memos: [], head: 0, gram: 0, tokens: Math.max(this.sendBurst, this.segmentSize), last: now };
      this.#outbound.set(key, outbound);
    }
    outbound.memos.push(grams);
    this.#queuedBytes += bytes;
    this.counters.sent++;
    this.#pump(now);
    return true;
  }

  /**
   * Hands paced grams to the peer: each destination gets `sendRate` bytes per
   * second of tyme, at most `sendBurst` at once, and only what the peer's send
   * queue takes. Memos of a closed peer are given up and counted (`unsent`).
   */
  #pump(now: number): void {
    const peer = this.peer;
    let next = Number.POSITIVE_INFINITY;
    let handed = false;
    for (const [key, outbound] of this.#outbound) {
      if (peer.closed) {
        for (let index = outbound.head; index < outbound.memos.length; index++) {
          const grams = outbound.memos[index]!;
          this.counters.unsent++;
          this.counters.unsentGrams += grams.length - (index === outbound.head ? outbound.gram : 0);
          for (let gram = index === outbound.head ? outbound.gram : 0; gram < grams.length; gram++) this.#queuedBytes -= grams[gram]!.length;
        }
        this.#outbound.delete(key);
        continue;
      }
      if (now > outbound.last) {
        outbound.tokens = Math.min(Math.max(this.sendBurst, this.segmentSize), outbound.tokens + (now - outbound.last) * this.sendRate);
        outbound.last = now;
      }
      while (outbound.head < outbound.memos.length) {
        const grams = outbound.memos[outbound.head]!;
        const gram = grams[outbound.gram]!;
        if (outbound.tokens < gram.length || !peer.canSend(1, gram.length)) break;
        peer.send(gram, outbound.to);
        outbound.tokens -= gram.length;
        this.#queuedBytes -= gram.length;
        if (++outbound.gram === grams.length) {
          outbound.memos[outbound.head++] = EMPTY;
          outbound.gram = 0;
          this.counters.handed++;
          handed = true;
        }
      }
      if (outbound.head === outbound.memos.length) {
        this.#outbound.delete(key);
        continue;
      }
      if (outbound.head > 64 && outbound.head * 2 > outbound.memos.length) {
        outbound.memos.splice(0, outbound.head);
        outbound.head = 0;
      }
      const need = outbound.memos[outbound.head]![outbound.gram]!.length - outbound.tokens;
      // Waiting on the peer's queue (not on tokens) is woken by the peer's sendSignal, not a deadline.
      const at = need > 0 ? now + need / this.sendRate : now;
      if (at < next) next = at;
    }
    this.#nextSendAt = next;
    if (handed) this.sendSignal.notify();
  }

  /**
   * Takes the oldest completed memo, draining the peer first.
   * @returns `{ data, from, messageId }`, or undefined when none is complete
   */
  receive(): Memo | undefined {
    if (this.peer.canReceive) this.service();
    return this.#memos.shift();
  }

  /**
   * Moves every received datagram through the reassembler and expires stale
   * incomplete memos. Cheap when there is nothing to do.
   * @param tyme the current tyme; default: the running scheduler's, else the last one given
   */
  service(tyme: number | undefined = currentTyme()): void {
    if (tyme !== undefined) this.#tyme = tyme;
    const now = this.#tyme;
    const peer = this.peer;
    const reassembler = this.reassembler;
    let queued = false;
    for (;;) {
      const datagram = peer.receive();
      if (datagram === undefined) break;
      const memo = reassembler.push(datagram.data, datagram.from, now);
      if (memo === undefined) continue;
      if (this.#memos.push(memo)) {
        this.counters.received++;
        queued = true;
      } else {
        this.counters.dropped++;
        this.counters.droppedBytes += memo.data.length;
      }
    }
    reassembler.expire(now);
    if (this.#outbound.size > 0) this.#pump(now);
    if (queued) this.receiveSignal.notify();
  }
}

/**
 * Waits for the next complete memo and takes it.
 * @param memoer the Memoer to read from
 * @param options `timeout` in seconds of tyme
 * @returns the memo `{ data, from, messageId }`
 * @throws UdpTimeoutError when the timeout runs out; UdpStateError when the peer is closed and no memo is left
 */
export function* readMemo(memoer: Memoer, options: { timeout?: number } = {}): Operation<Memo> {
  const timeout = checkTimeout("timeout", options.timeout);
  let deadline = deadlineOf(timeout);
  const peer = memoer.peer;
  let expired = false;
  for (;;) {
    const memo = memoer.receive();
    if (memo !== undefined) return memo;
    if (peer.closed) throw peer.closedError("receive a memo");
    if (expired) throw new UdpTimeoutError(`${peer.toString()}: no memo within ${timeout} s`);
    // A memo completes when a datagram arrives (we drain) or when another doer drains.
    const waiting = peer.receiveSignal.subscribe() && memoer.receiveSignal.subscribe();
    const tyme = yield waiting ? remaining(deadline, timeout) : 0;
    peer.receiveSignal.unsubscribe();
    memoer.receiveSignal.unsubscribe();
    deadline ??= timeout === undefined ? undefined : tyme + timeout;
    expired = deadline !== undefined && tyme >= deadline;
  }
}

/**
 * Queues a memo, waiting for room in the peer's send queue instead of failing.
 * @param memoer the Memoer to send with
 * @param message the bytes
 * @param to the destination
 * @param options `timeout` in seconds of tyme
 * @throws UdpTimeoutError when no room freed in time; MemoTooLargeError; UdpStateError when closed
 */
export function* writeMemo(memoer: Memoer, message: Uint8Array, to: UdpAddress, options: { timeout?: number } = {}): Operation<void> {
  const timeout = checkTimeout("timeout", options.timeout);
  let deadline = deadlineOf(timeout);
  const peer = memoer.peer;
  let expired = false;
  for (;;) {
    if (memoer.send(message, to)) return;
    if (expired) throw new UdpTimeoutError(`${peer.toString()}: no room for a memo to ${formatUdpAddress(to)} within ${timeout} s`);
    const waiting = memoer.sendSignal.subscribe();
    const tyme = yield waiting ? remaining(deadline, timeout) : 0;
    memoer.sendSignal.unsubscribe();
    deadline ??= timeout === undefined ? undefined : tyme + timeout;
    expired = deadline !== undefined && tyme >= deadline;
  }
}
