/**
 * MemoReassembler: puts memo segments back together per sender, with bounded
 * memory and a timeout in tyme. Pure bookkeeping, no I/O, so the same code
 * runs over real sockets, a simulation, or a test that feeds it bytes.
 *
 * @module
 */
import { checkTimeout, checkWhole, formatUdpAddress, type UdpAddress } from "./address.js";
import { decodeMemoSegment } from "./memo-format.js";

/** A reassembled message and who sent it. */
export interface Memo {
  /** The whole message. */
  readonly data: Uint8Array;
  /** The sender. */
  readonly from: UdpAddress;
  /** The sender's id of the message. */
  readonly messageId: number;
}

/** Options of {@link MemoReassembler} (and of Memoer). */
export interface MemoReassemblerOptions {
  /** Seconds of tyme without a new segment after which an incomplete memo is dropped. Default 5. */
  timeout?: number;
  /** Largest message accepted, in bytes. Default 1 MiB. */
  maxMemoSize?: number;
  /** Bytes of incomplete memos one sender may hold. Default 4 MiB. */
  maxBytesPerSender?: number;
  /** Bytes of incomplete memos all senders together may hold. Default 16 MiB. */
  maxBytes?: number;
  /** Incomplete memos one sender may have at once. Default 64. */
  maxPendingPerSender?: number;
  /** Senders tracked at once. Default 1024. */
  maxSenders?: number;
  /** Completed message ids remembered per sender (for `timeout`), so late duplicates are dropped. Default 256. */
  maxRememberedPerSender?: number;
}

/** What happened to the segments a reassembler was given; `segments` is the sum of the first four. */
export interface MemoCounters {
  /** Segments stored (a new part of a memo). */
  accepted: number;
  /** Segments already seen, or of a memo already completed. */
  duplicates: number;
  /** Datagrams that are not valid segments, or disagree with earlier segments of their memo. */
  malformed: number;
  /** Segments dropped because a limit (size, bytes, senders) would be passed. */
  overLimit: number;
  /** Segments given to `push`. */
  segments: number;
  /** Memos completed. */
  completed: number;
  /** Incomplete memos dropped after `timeout` without progress. */
  expired: number;
  /** Incomplete memos dropped to make room for newer ones of the same sender. */
  evicted: number;
}

interface Pending {
  readonly messageId: number;
  readonly count: number;
  readonly stride: number;
  readonly data: Uint8Array;
  readonly have: Uint8Array;
  received: number;
  deadline: number;
}

interface Sender {
  readonly from: UdpAddress;
  readonly pending: Map<number, Pending>;
  /** Completed message id → tyme until which late duplicates are dropped. */
  readonly completed: Map<number, number>;
  bytes: number;
}

/**
 * Reassembles memos from segments (see `encodeMemo` for the format). Segments
 * may come in any order and more than once; a datagram that is not a valid
 * segment is dropped and counted, never thrown. Memory is bounded: an
 * incomplete memo reserves its whole length against `maxBytesPerSender` and
 * `maxBytes`; a sender over its own bounds loses its oldest incomplete memos
 * (`evicted`), and a segment that would pass the total bound is dropped
 * (`overLimit`). An incomplete memo without a new segment for `timeout`
 * seconds of tyme is dropped by `expire` (`expired`).
 *
 * @example
 * ```ts
 * const reassembler = new MemoReassembler({ timeout: 2 });
 * for (const segment of encodeMemo(message, 1, 1200)) {
 *   const memo = reassembler.push(segment, { host: "127.0.0.1", port: 7000 }, tyme);
 *   if (memo) console.log(memo.data.length);
 * }
 * ```
 */
export class MemoReassembler {
  /** Seconds of tyme an incomplete memo may wait for its next segment. */
  readonly timeout: number;
  /** Largest message accepted. */
  readonly maxMemoSize: number;
  /** Bytes of incomplete memos per sender. */
  readonly maxBytesPerSender: number;
  /** Bytes of incomplete memos in total. */
  readonly maxBytes: number;
  /** Incomplete memos per sender. */
  readonly maxPendingPerSender: number;
  /** Senders tracked at once. */
  readonly maxSenders: number;
  /** Completed ids remembered per sender. */
  readonly maxRememberedPerSender: number;
  /** What happened to the segments given so far. */
  readonly counters: MemoCounters = {
    accepted: 0,
    duplicates: 0,
    malformed: 0,
    overLimit: 0,
    segments: 0,
    completed: 0,
    expired: 0,
    evicted: 0,
  };
  readonly #senders = new Map<string, Sender>();
  #bytes = 0;
  #pendingCount = 0;
  #nextDeadline = Number.POSITIVE_INFINITY;

  /**
   * @param options timeout and memory limits
   * @throws TypeError/RangeError naming the option that is wrong
   */
  constructor(options: MemoReassemblerOptions = {}) {
    this.timeout = checkTimeout("timeout", options.timeout ?? 5)!;
    this.maxMemoSize = checkWhole("maxMemoSize", options.maxMemoSize ?? 1 << 20, 0, 0xffff_ffff);
    this.maxBytesPerSender = checkWhole("maxBytesPerSender", options.maxBytesPerSender ?? 4 << 20, 0);
    this.maxBytes = checkWhole("maxBytes", options.maxBytes ?? 16 << 20, 0);
    this.maxPendingPerSender = checkWhole("maxPendingPerSender", options.maxPendingPerSender ?? 64, 1);
    this.maxSenders = checkWhole("maxSenders", options.maxSenders ?? 1024, 1);
    this.maxRememberedPerSender = checkWhole("maxRememberedPerSender", options.maxRememberedPerSender ?? 256, 0);
  }

  /** Bytes reserved by incomplete memos. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Incomplete memos held. */
  get pending(): number {
    return this.#pendingCount;
  }

  /** Senders tracked. */
  get senders(): number {
    return this.#senders.size;
  }

  /** Earliest tyme at which `expire` may drop something (a lower bound); Infinity when nothing is pending. */
  get nextDeadline(): number {
    return this.#nextDeadline;
  }

  /**
   * Takes one datagram.
   * @param datagram the received bytes (kept, not copied, for a one-segment memo)
   * @param from the sender
   * @param tyme the current tyme (for the timeout)
   * @returns the memo this segment completed, or undefined
   */
  push(datagram: Uint8Array, from: UdpAddress, tyme: number): Memo | undefined {
    const counters = this.counters;
    counters.segments++;
    const segment = decodeMemoSegment(datagram);
    if (segment === undefined) {
      counters.malformed++;
      return undefined;
    }
    const { messageId, index, count, stride, length } = segment;
    if (length > this.maxMemoSize) {
      counters.overLimit++;
      return undefined;
    }
    const key = formatUdpAddress(from);
    let sender = this.#senders.get(key);
    if (sender === undefined) {
      if (this.#senders.size >= this.maxSenders) this.#prune(tyme);
      if (this.#senders.size >= this.maxSenders) {
        counters.overLimit++;
        return undefined;
      }
      sender = { from, pending: new Map(), completed: new Map(), bytes: 0 };
      this.#senders.set(key, sender);
    }
    const until = sender.completed.get(messageId);
    if (until !== undefined) {
      if (until > tyme) {
        counters.duplicates++;
        return undefined;
      }
      sender.completed.delete(messageId);
    }
    let pending = sender.pending.get(messageId);
    if (pending === undefined) {
      if (count === 1) {
        counters.accepted++;
        const memo = this.#complete(sender, messageId, segment.body, tyme);
        this.#forgetIfIdle(key, sender);
        return memo;
      }
      pending = this.#start(key, sender, messageId, count, stride, length, tyme);
      if (pending === undefined) {
        counters.overLimit++;
        return undefined;
      }
    } else if (pending.count !== count || pending.stride !== stride || pending.data.length !== length) {
      counters.malformed++;
      return undefined;
    }
    if (pending.have[index] === 1) {
      counters.duplicates++;
      return undefined;
    }
    pending.data.set(segment.body, index * stride);
    pending.have[index] = 1;
    pending.received++;
    pending.deadline = tyme + this.timeout;
    counters.accepted++;
    if (pending.received < count) return undefined;
    this.#release(sender, pending);
    const memo = this.#complete(sender, messageId, pending.data, tyme);
    this.#forgetIfIdle(key, sender);
    return memo;
  }

  /**
   * Drops incomplete memos that had no new segment for `timeout` seconds, and
   * forgets completed ids and idle senders. Cheap until `nextDeadline`.
   * @param tyme the current tyme
   * @returns how many incomplete memos were dropped
   */
  expire(tyme: number): number {
    if (tyme < this.#nextDeadline) return 0;
    return this.#prune(tyme);
  }

  /** Forgets everything (counters stay). */
  clear(): void {
    this.#senders.clear();
    this.#bytes = 0;
    this.#pendingCount = 0;
    this.#nextDeadline = Number.POSITIVE_INFINITY;
  }

  #start(key: string, sender: Sender, messageId: number, count: number, stride: number, length: number, tyme: number): Pending | undefined {
    // The sender's own bounds: its oldest incomplete memos make way (likely lost anyway).
    while (sender.pending.size > 0 && (sender.pending.size >= this.maxPendingPerSender || sender.bytes + length > this.maxBytesPerSender)) {
      const oldest = sender.pending.values().next().value as Pending;
      this.#release(sender, oldest);
      this.counters.evicted++;
    }
    if (sender.bytes + length > this.maxBytesPerSender || this.#bytes + length > this.maxBytes) {
      this.#forgetIfIdle(key, sender);
      return undefined;
    }
    const pending: Pending = {
      messageId,
      count,
      stride,
      data: new Uint8Array(length),
      have: new Uint8Array(count),
      received: 0,
      deadline: tyme + this.timeout,
    };
    sender.pending.set(messageId, pending);
    sender.bytes += length;
    this.#bytes += length;
    this.#pendingCount++;
    if (pending.deadline < this.#nextDeadline) this.#nextDeadline = pending.deadline;
    return pending;
  }

  #release(sender: Sender, pending: Pending): void {
    sender.pending.delete(pending.messageId);
    sender.bytes -= pending.data.length;
    this.#bytes -= pending.data.length;
    this.#pendingCount--;
  }

  #complete(sender: Sender, messageId: number, data: Uint8Array, tyme: number): Memo {
    this.counters.completed++;
    if (this.maxRememberedPerSender > 0) {
      const completed = sender.completed;
      if (completed.size >= this.maxRememberedPerSender) completed.delete(completed.keys().next().value as number);
      completed.set(messageId, tyme + this.timeout);
    }
    return { data, from: sender.from, messageId };
  }

  #prune(tyme: number): number {
    let expired = 0;
    let next = Number.POSITIVE_INFINITY;
    for (const [key, sender] of this.#senders) {
      for (const pending of sender.pending.values()) {
        if (pending.deadline <= tyme) {
          this.#release(sender, pending);
          expired++;
        } else if (pending.deadline < next) {
          next = pending.deadline;
        }
      }
      for (const [messageId, until] of sender.completed) {
        if (until <= tyme) sender.completed.delete(messageId);
      }
      this.#forgetIfIdle(key, sender);
    }
    this.counters.expired += expired;
    this.#nextDeadline = next;
    return expired;
  }

  #forgetIfIdle(key: string, sender: Sender): void {
    if (sender.pending.size === 0 && sender.completed.size === 0) this.#senders.delete(key);
  }
}
