/**
 * Bookkeeping for invariants: bytes sent versus bytes received, and requests
 * versus answers.
 *
 * @module
 */
import type { InvariantCheck } from "./invariants.js";

/**
 * Tracks, per flow, the bytes sent and checks that the bytes received are
 * exactly those, in order: nothing lost, duplicated, corrupted or reordered.
 *
 * @example
 * ```ts
 * const ledger = new ByteLedger();
 * ledger.sent("client 1", request);
 * // ... when the echo comes back:
 * ledger.received("client 1", reply);
 * checks.add("no byte lost", ledger.check);
 * checks.addFinal("everything echoed", ledger.settled);
 * ```
 */
export class ByteLedger {
  readonly #flows = new Map<string, { chunks: Uint8Array[]; offset: number; outstanding: number; received: number }>();
  #violation: string | undefined;

  /** The first mismatch seen, if any. */
  get violation(): string | undefined {
    return this.#violation;
  }

  /**
   * Notes bytes sent on a flow (copied).
   * @param flow the flow's name
   * @param bytes the bytes
   */
  sent(flow: string, bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const entry = this.#flow(flow);
    entry.chunks.push(bytes.slice());
    entry.outstanding += bytes.length;
  }

  /**
   * Notes bytes received on a flow and compares them with what was sent.
   * @param flow the flow's name
   * @param bytes the bytes
   * @returns false when they differ from what was sent (the first mismatch is kept in `violation`)
   */
  received(flow: string, bytes: Uint8Array): boolean {
    const entry = this.#flow(flow);
    for (let index = 0; index < bytes.length; index++) {
      const chunk = entry.chunks[0];
      if (chunk === undefined) {
        this.#violation ??= `${flow}: ${bytes.length - index} more bytes received than sent (after byte ${entry.received})`;
        return false;
      }
      if (chunk[entry.offset] !== bytes[index]) {
        this.#violation ??= `${flow}: byte ${entry.received} is ${bytes[index]}, sent ${chunk[entry.offset]}`;
        return false;
      }
      entry.received++;
      entry.outstanding--;
      if (++entry.offset === chunk.length) {
        entry.chunks.shift();
        entry.offset = 0;
      }
    }
    return true;
  }

  /**
   * Bytes sent and not yet received.
   * @param flow one flow; default: all flows
   * @returns the count
   */
  outstanding(flow?: string): number {
    if (flow !== undefined) return this.#flows.get(flow)?.outstanding ?? 0;
    let total = 0;
    for (const entry of this.#flows.values()) total += entry.outstanding;
    return total;
  }

  /** An every-tick check: true until a mismatch, then its description. */
  readonly check: InvariantCheck = () => this.#violation ?? true;

  /** A final check: true when every byte sent was received. */
  readonly settled: InvariantCheck = () => {
    if (this.#violation !== undefined) return this.#violation;
    for (const [flow, entry] of this.#flows) if (entry.outstanding > 0) return `${flow}: ${entry.outstanding} bytes sent were never received`;
    return true;
  };

  #flow(flow: string) {
    let entry = this.#flows.get(flow);
    if (entry === undefined) this.#flows.set(flow, (entry = { chunks: [], offset: 0, outstanding: 0, received: 0 }));
    return entry;
  }
}

/**
 * Tracks requests in flight and when they were sent, to check that each is
 * answered in time.
 *
 * @example
 * ```ts
 * const requests = new RequestTracker();
 * requests.open("poll 7", tyme);
 * requests.close("poll 7", tyme);
 * checks.add("answered within 2 s", requests.within(2));
 * ```
 */
export class RequestTracker {
  readonly #open = new Map<string | number, number>();
  #answered = 0;
  #slowest = 0;

  /** Requests answered. */
  get answered(): number {
    return this.#answered;
  }

  /** Requests still open. */
  get pending(): number {
    return this.#open.size;
  }

  /** Longest seconds of tyme between a request and its answer. */
  get slowest(): number {
    return this.#slowest;
  }

  /**
   * Notes a request sent.
   * @param id its id (unique among open requests)
   * @param tyme when it was sent
   */
  open(id: string | number, tyme: number): void {
    this.#open.set(id, tyme);
  }

  /**
   * Notes an answer.
   * @param id the request's id
   * @param tyme when the answer came
   * @returns seconds since the request, or undefined for an unknown id
   */
  close(id: string | number, tyme: number): number | undefined {
    const sent = this.#open.get(id);
    if (sent === undefined) return undefined;
    this.#open.delete(id);
    this.#answered++;
    const latency = tyme - sent;
    if (latency > this.#slowest) this.#slowest = latency;
    return latency;
  }

  /**
   * Makes an every-tick check that fails when a request has waited longer than `seconds`.
   * @param seconds the deadline
   * @returns the check
   */
  within(seconds: number): InvariantCheck {
    const check: InvariantCheck = (tyme) => {
      // The oldest open request comes first: Map keeps insertion order.
      for (const [id, sent] of this.#open) {
        return tyme - sent > seconds ? `request ${id} sent at tyme ${sent} unanswered after ${seconds} s` : true;
      }
      return true;
    };
    check.deadline = () => {
      for (const sent of this.#open.values()) return sent + seconds;
      return Number.POSITIVE_INFINITY;
    };
    return check;
  }
}
