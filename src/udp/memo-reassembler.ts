/**
 * MemoReassembler: puts memo grams back together per sender, with bounded
 * memory, a timeout in tyme and O(1) work per datagram. Pure bookkeeping, no
 * I/O, so the same code runs over real sockets, a simulation, or a test that
 * feeds it bytes.
 *
 * The model is Linux IP fragment reassembly (`ipfrag_high_thresh`,
 * `ipfrag_time`): memory is counted as grams arrive (a first gram reserves
 * only itself, never the length it claims), incomplete memos sit in one list
 * ordered by their last progress, and when the total passes `maxBytes` the
 * least recently progressed memos are evicted; a full sender table evicts the
 * least recently heard sender. Expiry looks only at the front of that list.
 *
 * @module
 */
import { checkTimeout, checkWhole, formatUdpAddress, type UdpAddress } from "./address.js";
import { verifyMemoSignature } from "./memo-auth.js";
import { decodeMemoSegment } from "./memo-format.js";
import { parseMemoGram } from "./memo-gram.js";

/** Wire formats of memos: hio's (the default), or hio-ts 0.1's own 16-byte binary header. */
export type MemoFormat = "hio" | "hio-ts-v1";

/** A reassembled message and who sent it. */
export interface Memo {
  /** The whole message. */
  readonly data: Uint8Array;
  /** The sender. */
  readonly from: UdpAddress;
  /** The sender's id of the message: hio's 24-character mid, or the decimal id of the hio-ts-v1 format. */
  readonly messageId: string;
  /** The verifier id that signed every gram, when signed; else undefined. */
  readonly vid: string | undefined;
}

/** Options of {@link MemoReassembler} (and of Memoer). */
export interface MemoReassemblerOptions {
  /** Wire format. Default "hio". */
  format?: MemoFormat;
  /** Accept only signed grams (hio's `authic`); unsigned ones are counted in `unsigned`. Default false. Signed grams are always verified. */
  authenticated?: boolean;
  /** Raw Ed25519 public keys by verifier id, for vids that do not carry their key ("D"/"E" codes). */
  keep?: ReadonlyMap<string, Uint8Array>;
  /** Seconds of tyme without a new gram after which an incomplete memo is dropped. Default 5. */
  timeout?: number;
  /** Largest message accepted, in bytes. Default 1 MiB. */
  maxMemoSize?: number;
  /** Bytes of incomplete memos one sender may hold. Default 4 MiB. */
  maxBytesPerSender?: number;
  /** Bytes of incomplete memos all senders together may hold (the high threshold). Default 16 MiB. */
  maxBytes?: number;
  /** Incomplete memos one sender may have at once. Default 64. */
  maxPendingPerSender?: number;
  /** Senders tracked at once; a new one evicts the least recently heard. Default 1024. */
  maxSenders?: number;
  /** Completed message ids remembered per sender (for `timeout`), so late duplicates are dropped. Default 256. */
  maxRememberedPerSender?: number;
}

/**
 * What happened to the grams a reassembler was given. Every gram counts once in
 * `segments` and once in one of accepted, duplicates, malformed, overLimit,
 * unsigned, badSignature, unknownVerifier.
 */
export interface MemoCounters {
  /** Grams stored (a new part of a memo). */
  accepted: number;
  /** Grams already seen, or of a memo already completed or rejected (for `timeout`). */
  duplicates: number;
  /** Datagrams that are not valid grams, or disagree with earlier grams of their memo. */
  malformed: number;
  /** Grams dropped because a limit (memo size, sender bytes) would be passed. */
  overLimit: number;
  /** Unsigned grams dropped because signatures are required. */
  unsigned: number;
  /** Signed grams whose signature did not verify. */
  badSignature: number;
  /** Signed grams whose verifier id has no known key. */
  unknownVerifier: number;
  /** Datagrams given to `push`. */
  segments: number;
  /** Memos completed. */
  completed: number;
  /** Incomplete memos dropped after `timeout` without progress. */
  expired: number;
  /** Incomplete memos dropped to make room (sender or total bounds, or their sender evicted). */
  evicted: number;
  /** Their bytes. */
  evictedBytes: number;
  /** Incomplete memos dropped because one of their grams was rejected (bad signature, over maxMemoSize). */
  rejected: number;
  /** Senders forgotten to make room for a new one while they still had state. */
  sendersEvicted: number;
  /** Entries (memos, senders) examined by expiry and eviction: stays O(1) per datagram. */
  visited: number;
}

/** Why a gram was not accepted (a key of {@link MemoCounters}). */
export type MemoRejectReason = "duplicates" | "malformed" | "overLimit" | "unsigned" | "badSignature" | "unknownVerifier";

/** Why a gram was refused: see {@link MemoReassembler.lastReject}. */
export interface MemoReject {
  /** The counter it went to. */
  reason: MemoRejectReason;
  /** What was wrong, naming the memo id, gram and verifier id where known. */
  detail: string;
  /** Who sent it. */
  from: UdpAddress;
}

interface Part {
  readonly body: Uint8Array;
  /** Signed bytes and signature of a signed gram that came before its zeroth gram (so before its vid). */
  signed: Uint8Array | undefined;
  signature: Uint8Array | undefined;
  readonly cost: number;
}

interface Entry {
  readonly key: string;
  readonly id: string;
  readonly sender: Sender;
  /** Gram count, 0 until known. */
  count: number;
  /** hio-ts-v1: the claimed length and stride (checked on every segment). */
  length: number;
  stride: number;
  /** undefined until the first gram says. */
  authenticated: boolean | undefined;
  vid: string | undefined;
  readonly parts: Map<number, Part>;
  bytes: number;
  deadline: number;
}

interface Sender {
  readonly key: string;
  readonly from: UdpAddress;
  readonly entries: Set<Entry>;
  /** Completed message id → tyme until which late duplicates are dropped. */
  readonly completed: Map<string, number>;
  bytes: number;
  /** Tyme until which this sender's completed ids matter. */
  until: number;
}

/**
 * Reassembles memos from grams (hio's format by default, see `encodeMemoGrams`;
 * or hio-ts-v1, see `encodeMemo`). Grams may come in any order and more than
 * once; a datagram that is not a valid gram is dropped and counted, never
 * thrown. Memory is bounded and counted as grams arrive: past
 * `maxBytesPerSender` the sender's oldest incomplete memos make way, past
 * `maxBytes` the least recently progressed memos of anyone do (`evicted`), a
 * memo past `maxMemoSize` is dropped (`rejected`), and a new sender past
 * `maxSenders` evicts the least recently heard one (`sendersEvicted`). An
 * incomplete memo without a new gram for `timeout` seconds of tyme is dropped
 * by `expire` (`expired`). Signed grams are verified (Ed25519); a memo is
 * delivered only when every gram verified against the vid of its zeroth gram.
 *
 * @example
 * ```ts
 * const reassembler = new MemoReassembler({ timeout: 2 });
 * for (const gram of encodeMemoGrams(message, memoIdOf(randomBytes(16)), 1240, false, undefined)) {
 *   const memo = reassembler.push(gram, { host: "127.0.0.1", port: 7000 }, tyme);
 *   if (memo) console.log(memo.data.length);
 * }
 * ```
 */
export class MemoReassembler {
  /** Wire format read. */
  readonly format: MemoFormat;
  /** Only signed grams are accepted. */
  readonly authenticated: boolean;
  /** Seconds of tyme an incomplete memo may wait for its next gram. */
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
  /** What happened to the grams given so far. */
  readonly counters: MemoCounters = {
    accepted: 0,
    duplicates: 0,
    malformed: 0,
    overLimit: 0,
    unsigned: 0,
    badSignature: 0,
    unknownVerifier: 0,
    segments: 0,
    completed: 0,
    expired: 0,
    evicted: 0,
    evictedBytes: 0,
    rejected: 0,
    sendersEvicted: 0,
    visited: 0,
  };
  /** Why the last gram that was not accepted was refused, with a detail; undefined until one was. */
  lastReject: MemoReject | undefined;
  readonly #keep: ReadonlyMap<string, Uint8Array> | undefined;
  /** Incomplete memos, least recently progressed first. */
  readonly #entries = new Map<string, Entry>();
  /** Senders, least recently heard first. */
  readonly #senders = new Map<string, Sender>();
  #bytes = 0;
  #now = 0;

  /**
   * @param options format, authentication, timeout and memory limits
   * @throws TypeError/RangeError naming the option that is wrong
   */
  constructor(options: MemoReassemblerOptions = {}) {
    const format = options.format ?? "hio";
    if (format !== "hio" && format !== "hio-ts-v1") throw new RangeError(`format must be "hio" or "hio-ts-v1", got ${String(format)}`);
    this.format = format;
    this.authenticated = options.authenticated === true;
    if (options.keep !== undefined && !(options.keep instanceof Map)) throw new TypeError("keep must be a Map of vid to public key");
    this.#keep = options.keep;
    this.timeout = checkTimeout("timeout", options.timeout ?? 5)!;
    this.maxMemoSize = checkWhole("maxMemoSize", options.maxMemoSize ?? 1 << 20, 0, 0xffff_ffff);
    this.maxBytesPerSender = checkWhole("maxBytesPerSender", options.maxBytesPerSender ?? 4 << 20, 0);
    this.maxBytes = checkWhole("maxBytes", options.maxBytes ?? 16 << 20, 0);
    this.maxPendingPerSender = checkWhole("maxPendingPerSender", options.maxPendingPerSender ?? 64, 1);
    this.maxSenders = checkWhole("maxSenders", options.maxSenders ?? 1024, 1);
    this.maxRememberedPerSender = checkWhole("maxRememberedPerSender", options.maxRememberedPerSender ?? 256, 0);
  }

  /** Bytes held by incomplete memos. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Incomplete memos held. */
  get pending(): number {
    return this.#entries.size;
  }

  /** Senders tracked. */
  get senders(): number {
    return this.#senders.size;
  }

  /** Earliest tyme at which `expire` may drop something; Infinity when nothing is pending or remembered. */
  get nextDeadline(): number {
    let next = Number.POSITIVE_INFINITY;
    const entry = first(this.#entries);
    if (entry !== undefined) next = entry.deadline;
    const sender = first(this.#senders);
    if (sender !== undefined && sender.entries.size === 0 && sender.until < next) next = sender.until;
    return next;
  }

  /**
   * Takes one datagram.
   * @param datagram the received bytes (kept, not copied, until the memo completes)
   * @param from the sender
   * @param tyme the current tyme (for the timeout)
   * @returns the memo this gram completed, or undefined
   */
  push(datagram: Uint8Array, from: UdpAddress, tyme: number): Memo | undefined {
    this.counters.segments++;
    this.#now = tyme;
    return this.format === "hio" ? this.#pushHio(datagram, from, tyme) : this.#pushV1(datagram, from, tyme);
  }

  /**
   * Drops incomplete memos that had no new gram for `timeout` seconds, and
   * forgets idle senders whose completed ids no longer matter. Looks only at
   * the front of the lists: cheap until `nextDeadline`.
   * @param tyme the current tyme
   * @returns how many incomplete memos were dropped
   */
  expire(tyme: number): number {
    let expired = 0;
    for (let entry = first(this.#entries); entry !== undefined && entry.deadline <= tyme; entry = first(this.#entries)) {
      this.counters.visited++;
      this.#drop(entry);
      expired++;
    }
    this.counters.expired += expired;
    for (let sender = first(this.#senders); sender !== undefined; sender = first(this.#senders)) {
      this.counters.visited++;
      // A sender with memos in progress was heard within `timeout`; the ones behind it later still.
      if (sender.entries.size > 0 || sender.until > tyme) break;
      this.#senders.delete(sender.key);
    }
    return expired;
  }

  /** Forgets everything (counters stay). */
  clear(): void {
    this.#entries.clear();
    this.#senders.clear();
    this.#bytes = 0;
  }

  #pushHio(datagram: Uint8Array, from: UdpAddress, tyme: number): Memo | undefined {
    const gram = parseMemoGram(datagram);
    if (typeof gram === "string") return this.#reject("malformed", gram, from);
    if (!gram.authenticated && this.authenticated) return this.#reject("unsigned", "unsigned gram where signatures are required", from);
    // hio 0.7.20 with binary headers sizes grams after the text header, so a memo of at most 8 bytes
    // says it has 0 grams (and hio itself then delivers it empty): take 0 as the 1 gram it is.
    if (gram.zeroth && gram.count === 0) gram.count = 1;
    if (gram.zeroth && gram.count - 1 >= this.maxMemoSize && gram.count > 1) return this.#reject("overLimit", `memo of ${gram.count} grams is over maxMemoSize`, from);
    if (gram.zeroth && gram.authenticated) {
      const verdict = verifyMemoSignature(gram.vid!, gram.signed!, gram.signature!, this.#keep);
      if (verdict !== "ok") return this.#reject(verdict, `zeroth gram of memo ${gram.mid} signed by ${gram.vid}`, from);
    }
    const sender = this.#sender(from, tyme);
    if (this.#isCompleted(sender, gram.mid, tyme)) return this.#reject("duplicates", `memo ${gram.mid} is complete`, from);
    let entry = this.#entries.get(sender.key + " " + gram.mid);
    if (entry === undefined) {
      if (gram.zeroth && gram.count === 1) {
        this.counters.accepted++;
        return this.#complete(sender, gram.mid, gram.body, gram.vid, tyme);
      }
      entry = this.#start(sender, gram.mid, tyme);
    } else if (entry.authenticated !== gram.authenticated) {
      return this.#reject("malformed", `signed and unsigned grams in memo ${gram.mid}`, from);
    } else if (gram.zeroth && entry.count !== 0) {
      return this.#reject("duplicates", `zeroth gram of memo ${gram.mid} again`, from);
    }
    entry.authenticated = gram.authenticated;
    if (entry.parts.has(gram.number)) return this.#reject("duplicates", `gram ${gram.number} of memo ${gram.mid} again`, from);
    if (entry.count !== 0 && gram.number >= entry.count) return this.#reject("malformed", `gram ${gram.number} of a memo of ${entry.count}`, from);
    let signed: Uint8Array | undefined;
    let signature: Uint8Array | undefined;
    if (gram.authenticated && !gram.zeroth) {
      if (entry.vid === undefined) {
        signed = gram.signed; // verified when the zeroth gram brings the vid
        signature = gram.signature;
      } else {
        const verdict = verifyMemoSignature(entry.vid, gram.signed!, gram.signature!, this.#keep);
        if (verdict !== "ok") return this.#rejectEntry(entry, verdict, `gram ${gram.number} of memo ${gram.mid} signed by ${entry.vid}`, from);
      }
    }
    if (!this.#add(entry, gram.number, { body: gram.body, signed, signature, cost: signed === undefined ? gram.body.length : datagram.length }, tyme)) {
      return undefined;
    }
    if (gram.zeroth) {
      entry.count = gram.count;
      entry.vid = gram.vid;
      for (const [number, part] of entry.parts) {
        if (number >= entry.count) return this.#rejectEntry(entry, "malformed", `gram ${number} of a memo of ${entry.count}`, from, true);
        if (part.signed === undefined) continue;
        const verdict = verifyMemoSignature(entry.vid!, part.signed, part.signature!, this.#keep);
        if (verdict !== "ok") return this.#rejectEntry(entry, verdict, `gram ${number} of memo ${gram.mid} signed by ${entry.vid}`, from, true);
        part.signed = undefined;
        part.signature = undefined;
      }
    }
    return this.#completeIfWhole(entry, tyme);
  }

  #pushV1(datagram: Uint8Array, from: UdpAddress, tyme: number): Memo | undefined {
    if (this.authenticated) return this.#reject("unsigned", "the hio-ts-v1 format has no signatures", from);
    const segment = decodeMemoSegment(datagram);
    if (segment === undefined) return this.#reject("malformed", "not a hio-ts-v1 memo segment", from);
    const { index, count, stride, length } = segment;
    if (length > this.maxMemoSize) return this.#reject("overLimit", `memo of ${length} bytes is over maxMemoSize`, from);
    const id = String(segment.messageId);
    const sender = this.#sender(from, tyme);
    if (this.#isCompleted(sender, id, tyme)) return this.#reject("duplicates", `memo ${id} is complete`, from);
    let entry = this.#entries.get(sender.key + " " + id);
    if (entry === undefined) {
      if (count === 1) {
        this.counters.accepted++;
        return this.#complete(sender, id, segment.body, undefined, tyme);
      }
      entry = this.#start(sender, id, tyme);
      entry.count = count;
      entry.stride = stride;
      entry.length = length;
      entry.authenticated = false;
    } else if (entry.count !== count || entry.stride !== stride || entry.length !== length) {
      return this.#reject("malformed", `segment disagrees with earlier segments of memo ${id}`, from);
    }
    if (entry.parts.has(index)) return this.#reject("duplicates", `segment ${index} of memo ${id} again`, from);
    if (!this.#add(entry, index, { body: segment.body, signed: undefined, signature: undefined, cost: segment.body.length }, tyme)) return undefined;
    return this.#completeIfWhole(entry, tyme);
  }

  #reject(reason: MemoRejectReason, detail: string, from: UdpAddress): undefined {
    this.counters[reason]++;
    this.lastReject = { reason, detail, from };
    return undefined;
  }

  /** Rejects a gram and drops its whole memo (it cannot complete honestly). `counted`: the gram is already in `accepted`. */
  #rejectEntry(entry: Entry, reason: MemoRejectReason, detail: string, from: UdpAddress, counted = false): undefined {
    if (counted) this.counters.accepted--;
    this.counters.rejected++;
    this.#drop(entry);
    this.#remember(entry.sender, entry.id, this.#now); // its other grams are dropped, not started afresh
    return this.#reject(reason, detail, from);
  }

  #sender(from: UdpAddress, tyme: number): Sender {
    const key = formatUdpAddress(from);
    const senders = this.#senders;
    let sender = senders.get(key);
    if (sender === undefined) {
      if (senders.size >= this.maxSenders) {
        // Evict the least recently heard sender: O(its memos), never a scan of the table.
        const oldest = first(senders)!;
        this.counters.visited++;
        if (oldest.entries.size > 0 || oldest.until > tyme) this.counters.sendersEvicted++;
        for (const entry of oldest.entries) this.#evict(entry);
        senders.delete(oldest.key);
      }
      sender = { key, from, entries: new Set(), completed: new Map(), bytes: 0, until: tyme };
    } else {
      senders.delete(key); // move to the back: most recently heard
    }
    senders.set(key, sender);
    return sender;
  }

  #isCompleted(sender: Sender, id: string, tyme: number): boolean {
    const until = sender.completed.get(id);
    if (until === undefined) return false;
    if (until > tyme) return true;
    sender.completed.delete(id);
    return false;
  }

  #start(sender: Sender, id: string, tyme: number): Entry {
    while (sender.entries.size >= this.maxPendingPerSender) this.#evict(first(sender.entries)!);
    const entry: Entry = {
      key: sender.key + " " + id,
      id,
      sender,
      count: 0,
      length: -1,
      stride: -1,
      authenticated: undefined,
      vid: undefined,
      parts: new Map(),
      bytes: 0,
      deadline: tyme + this.timeout,
    };
    sender.entries.add(entry);
    this.#entries.set(entry.key, entry);
    return entry;
  }

  /** Stores a part, charging its bytes; evicts what must make way. False when the gram was refused. */
  #add(entry: Entry, number: number, part: Part, tyme: number): boolean {
    const sender = entry.sender;
    if (entry.bytes + part.body.length > this.maxMemoSize || part.cost > this.maxBytesPerSender || part.cost > this.maxBytes) {
      if (entry.parts.size === 0) {
        this.#drop(entry);
        this.#reject("overLimit", `memo ${entry.id}: a gram over the byte limits`, sender.from);
      } else {
        this.#rejectEntry(entry, "overLimit", `memo ${entry.id} grew past maxMemoSize`, sender.from);
      }
      return false;
    }
    // The sender's own bound: its least recently started memos make way.
    for (let oldest = first(sender.entries); sender.bytes + part.cost > this.maxBytesPerSender && oldest !== undefined && oldest !== entry; oldest = first(sender.entries)) {
      this.#evict(oldest);
    }
    // The total bound: the least recently progressed memos of anyone make way.
    this.#entries.delete(entry.key);
    this.#entries.set(entry.key, entry);
    for (let oldest = first(this.#entries); this.#bytes + part.cost > this.maxBytes && oldest !== undefined && oldest !== entry; oldest = first(this.#entries)) {
      this.#evict(oldest);
    }
    if (sender.bytes + part.cost > this.maxBytesPerSender || this.#bytes + part.cost > this.maxBytes) {
      // Only this memo is left and it alone is too big: give it up.
      this.#rejectEntry(entry, "overLimit", `memo ${entry.id} passes the byte limits alone`, sender.from);
      return false;
    }
    entry.parts.set(number, part);
    entry.bytes += part.cost;
    sender.bytes += part.cost;
    this.#bytes += part.cost;
    entry.deadline = tyme + this.timeout;
    this.counters.accepted++;
    return true;
  }

  #completeIfWhole(entry: Entry, tyme: number): Memo | undefined {
    const count = entry.count;
    if (count === 0 || entry.parts.size < count) return undefined;
    let length = 0;
    for (let number = 0; number < count; number++) length += entry.parts.get(number)!.body.length;
    if (entry.length >= 0 && length !== entry.length) {
      return this.#rejectEntry(entry, "malformed", `memo ${entry.id} has ${length} bytes, not ${entry.length}`, entry.sender.from, true);
    }
    const data = new Uint8Array(length);
    let at = 0;
    for (let number = 0; number < count; number++) {
      const body = entry.parts.get(number)!.body;
      data.set(body, at);
      at += body.length;
    }
    this.#drop(entry);
    return this.#complete(entry.sender, entry.id, data, entry.vid, tyme);
  }

  #complete(sender: Sender, id: string, data: Uint8Array, vid: string | undefined, tyme: number): Memo {
    this.counters.completed++;
    this.#remember(sender, id, tyme);
    return { data, from: sender.from, messageId: id, vid };
  }

  /** Remembers a finished (completed or rejected) memo id for `timeout`, so its late grams are dropped as duplicates. */
  #remember(sender: Sender, id: string, tyme: number): void {
    if (this.maxRememberedPerSender === 0) return;
    const completed = sender.completed;
    if (completed.size >= this.maxRememberedPerSender) completed.delete(completed.keys().next().value as string);
    completed.set(id, tyme + this.timeout);
    sender.until = tyme + this.timeout;
  }

  #evict(entry: Entry): void {
    this.counters.visited++;
    this.counters.evicted++;
    this.counters.evictedBytes += entry.bytes;
    this.#drop(entry);
  }

  #drop(entry: Entry): void {
    if (!this.#entries.delete(entry.key)) return;
    const sender = entry.sender;
    sender.entries.delete(entry);
    sender.bytes -= entry.bytes;
    this.#bytes -= entry.bytes;
  }
}

function first<T>(map: Map<string, T> | Set<T>): T | undefined {
  return map.values().next().value as T | undefined;
}
