/**
 * One direction of a link between two simulated hosts: its conditions,
 * its bandwidth clock, and the cut and hold switches.
 *
 * @module
 */
import { DEFAULT_CONDITIONS, LOOPBACK_CONDITIONS, mergeConditions, type LinkConditions } from "./conditions.js";
import type { SimHost } from "./host.js";
import type { SimKernel } from "./kernel.js";
import type { SimRandom } from "./random.js";

/** A packet in flight on a path: a stream segment or a datagram. */
export interface Parcel {
  /** Delivers it at tyme `at` (the path is neither cut nor held). */
  arrive(at: number): void;
  /** It reached a cut path at tyme `at`: drop it, or stall it until heal. */
  cutOff(at: number): void;
}

/** Something that waits for a cut path to heal (a stream channel). */
export interface HealWaiter {
  /** The path healed at tyme `at`. */
  healed(at: number): void;
}

/**
 * One direction of a link: `from` → `to`. Each has its own conditions and its
 * own random stream (derived from the net's seed and the two addresses).
 *
 * - **cut** (a partition): datagrams that reach it are dropped; stream
 *   segments stall and are sent again when it heals, as TCP retransmits.
 * - **held**: everything that reaches it waits, in order, until `release`.
 */
export class SimPath {
  /** Sending host. */
  readonly from: SimHost;
  /** Receiving host. */
  readonly to: SimHost;
  /** The path's own random stream. */
  readonly random: SimRandom;
  /** `from>to` addresses, for messages. */
  readonly label: string;
  #conditions: Readonly<LinkConditions>;
  #cut = false;
  #held = false;
  #nextFree = 0;
  readonly #kernel: SimKernel;
  readonly #parked: Parcel[] = [];
  readonly #waiters = new Set<HealWaiter>();

  /**
   * Made by the net; use `net.path(from, to)`.
   * @param kernel the net
   * @param from sending host
   * @param to receiving host
   * @param base conditions to start from
   * @param random the path's random stream
   * @internal
   */
  constructor(kernel: SimKernel, from: SimHost, to: SimHost, base: Readonly<LinkConditions>, random: SimRandom) {
    this.#kernel = kernel;
    this.from = from;
    this.to = to;
    this.random = random;
    this.label = `${from.address}>${to.address}`;
    this.#conditions = from === to && base === DEFAULT_CONDITIONS ? LOOPBACK_CONDITIONS : base;
  }

  /** The current conditions. */
  get conditions(): Readonly<LinkConditions> {
    return this.#conditions;
  }

  /** Partitioned: nothing gets through until `heal`. */
  get cut(): boolean {
    return this.#cut;
  }

  /** Held: traffic waits at the far end until `release`. */
  get held(): boolean {
    return this.#held;
  }

  /** Packets waiting on a hold. */
  get parked(): number {
    return this.#parked.length;
  }

  /**
   * Changes some conditions.
   * @param changes fields to change
   * @throws TypeError/RangeError naming a bad field
   */
  configure(changes: Partial<LinkConditions>): void {
    this.#conditions = mergeConditions(this.#conditions, changes);
  }

  /**
   * Computes when a packet of `size` bytes sent now arrives, before loss:
   * it waits for the bandwidth already used, takes `size / bandwidth` to send,
   * then `latency` plus a jitter draw.
   * @param size payload bytes
   * @returns the arrival tyme
   */
  arrival(size: number): number {
    const now = this.#kernel.now();
    const conditions = this.#conditions;
    let sent = now;
    if (conditions.bandwidth !== Number.POSITIVE_INFINITY) {
      sent = Math.max(now, this.#nextFree) + size / conditions.bandwidth;
      this.#nextFree = sent;
    }
    return sent + conditions.latency + (conditions.jitter > 0 ? this.random.next() * conditions.jitter : 0);
  }

  /**
   * Hands a parcel that reached the far end at `at` on: delivered, cut off,
   * or parked on a hold.
   * @param parcel the packet
   * @param at its arrival tyme
   * @internal
   */
  land(parcel: Parcel, at: number): void {
    if (this.#cut) parcel.cutOff(at);
    else if (this.#held) this.#parked.push(parcel);
    else parcel.arrive(at);
  }

  /**
   * Registers a stream channel to be told when the cut heals.
   * @param waiter the channel
   * @internal
   */
  waitForHeal(waiter: HealWaiter): void {
    this.#waiters.add(waiter);
  }

  /** Cuts the path (a partition in this direction). */
  partition(): void {
    if (this.#cut) return;
    this.#cut = true;
    if (this.#kernel.tracing) this.#kernel.trace("cut", this.label);
  }

  /** Heals a cut; stalled streams resume. */
  heal(): void {
    if (!this.#cut) return;
    this.#cut = false;
    const at = this.#kernel.now();
    if (this.#kernel.tracing) this.#kernel.trace("heal", this.label);
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const waiter of waiters) waiter.healed(at);
  }

  /** Holds traffic: it waits, in order, until `release`. */
  hold(): void {
    if (this.#held) return;
    this.#held = true;
    if (this.#kernel.tracing) this.#kernel.trace("hold", this.label);
  }

  /** Releases held traffic: everything parked lands now, in the order it arrived. */
  release(): void {
    if (!this.#held) return;
    this.#held = false;
    const at = this.#kernel.now();
    if (this.#kernel.tracing) this.#kernel.trace("release", `${this.label} ${this.#parked.length} packets`);
    const parked = this.#parked.splice(0);
    for (const parcel of parked) this.land(parcel, at);
  }
}
