/**
 * SimClock: the event loop under a SimNet. It keeps the agenda of network
 * events, fires the due ones each time the Doist runs it, and sleeps until
 * the next. Internal to src/sim; its public members show on SimNet.
 *
 * @module
 */
import { Doer, WAIT, type DoerOptions } from "../core/index.js";
import { SimError } from "./errors.js";
import { EventQueue, type SimEvent } from "./event-queue.js";
import type { SimHost } from "./host.js";
import type { SimKernel, SimStats, StreamSettings, WireRecorder } from "./kernel.js";
import type { SimPath } from "./path.js";
import { checkSeed, SimRandom } from "./random.js";

/** Options of the clock, shared by {@link SimNet}. */
export interface SimClockOptions extends Pick<DoerOptions, "tymth"> {
  /** Seed of every random draw. Default 0. */
  seed?: number;
  /** A name for messages. Default "simnet". */
  name?: string;
  /** Stream settings (see {@link StreamSettings}); defaults: mss 1460, buffers 65 536, retransmit 0.2 s, 15 retransmits, connect timeout 20 s. */
  streams?: Partial<StreamSettings>;
  /** Records every payload that crosses the net (tx when sent, rx when delivered). `WireLog` fits. */
  wirelog?: WireRecorder;
  /** Keep a text trace of every network event in `traceLines`. Default false. */
  trace?: boolean;
}

/** Runs a scripted action. */
class Action implements SimEvent {
  at = 0;
  seq = 0;
  constructor(
    readonly clock: SimClock,
    readonly action: (net: SimClock) => void,
    readonly label: string,
  ) {}
  fire(): void {
    if (this.clock.tracing) this.clock.trace("script", this.label);
    this.action(this.clock);
  }
}

/**
 * The event loop of a {@link SimNet}: a Doer that fires every event due by
 * the tyme it runs at, in (tyme, scheduling order) order, then sleeps until
 * the next event; a send that schedules an earlier event wakes it.
 */
export abstract class SimClock extends Doer implements SimKernel {
  /** A name for messages. */
  readonly name: string;
  /** Seed of every random draw. */
  readonly seed: number;
  /** The net's root random stream (paths and lines derive their own from the seed). */
  readonly random: SimRandom;
  /** Stream settings. */
  readonly settings: StreamSettings;
  /** Counters of everything the net did. */
  readonly stats: SimStats = {
    segmentsSent: 0,
    segmentsRetransmitted: 0,
    streamBytesDelivered: 0,
    datagramsSent: 0,
    datagramsDelivered: 0,
    datagramsLost: 0,
    datagramsDuplicated: 0,
    datagramsDropped: 0,
    datagramBytesDelivered: 0,
    serialBytesDelivered: 0,
    serialBitErrors: 0,
    serialBytesDropped: 0,
    connections: 0,
    resets: 0,
  };
  /** Trace lines (`tyme kind detail`), when made with `trace: true`. */
  readonly traceLines: string[] = [];
  /** Whether trace lines are kept. */
  readonly tracing: boolean;
  readonly #queue = new EventQueue();
  readonly #wirelog: WireRecorder | undefined;
  readonly #early: (() => void)[] = [];
  #clock: number | undefined;
  #planned = Number.POSITIVE_INFINITY;

  /**
   * @param options `seed`, `name`, `streams`, `wirelog`, `trace`, `tymth`
   * @throws TypeError/RangeError naming a bad option
   */
  constructor(options: SimClockOptions = {}) {
    super({ tymth: options.tymth });
    this.seed = checkSeed(options.seed ?? 0);
    this.name = options.name ?? "simnet";
    this.random = new SimRandom(this.seed);
    this.settings = checkSettings(options.streams ?? {});
    this.#wirelog = options.wirelog;
    this.tracing = options.trace ?? false;
  }

  /**
   * Returns the directed path between two hosts. See {@link SimNet.path}.
   * @param from sending host
   * @param to receiving host
   */
  abstract path(from: SimHost, to: SimHost): SimPath;

  /**
   * Resolves an address as seen from a host. See {@link SimNet.resolve}.
   * @param address an address or host name
   * @param from the asking host
   */
  abstract resolve(address: string, from: SimHost): SimHost | undefined;

  /** Events not yet fired. */
  get pendingEvents(): number {
    return this.#queue.size;
  }

  /** Tyme of the next event (`Infinity` when none). */
  get nextEventTyme(): number {
    return this.#queue.nextAt;
  }

  /**
   * Scripts an action (a fault, a heal, anything) at a tyme.
   * @param tyme when
   * @param action what; it gets the net
   * @param label how the trace names it
   * @example
   * ```ts
   * net.at(2, (n) => n.partition(["a"], ["b"]), "split a|b");
   * net.at(4, (n) => n.heal(), "heal");
   * ```
   */
  at(tyme: number, action: (net: this) => void, label = action.name || "action"): void {
    if (typeof tyme !== "number" || !Number.isFinite(tyme)) throw new RangeError(`tyme must be a finite number, got ${tyme}`);
    if (typeof action !== "function") throw new TypeError(`action must be a function, got ${typeof action}`);
    this.#queue.push(new Action(this, action as (net: SimClock) => void, label), tyme);
    this.#hurry(tyme);
  }

  /**
   * Runs `action` now if the net has a tyme base, else when it enters. Internal.
   * @param action what to run
   */
  whenRunning(action: () => void): void {
    if (this.tyme !== undefined) action();
    else this.#early.push(action);
  }

  /**
   * Returns the tyme inside the net: an event's own tyme while it fires, else the Doist's.
   * @returns the tyme
   * @throws SimError when the net has not been wound to a tyme base yet
   */
  now(): number {
    if (this.#clock !== undefined) return this.#clock;
    const tyme = this.tyme;
    if (tyme === undefined) throw new SimError(`${this.name} is not running: add it to the Doist's doers (first) before using sockets`);
    return tyme;
  }

  /**
   * Schedules an event. Internal: the net's parts call it.
   * @param event the event
   * @param at its tyme
   * @internal
   */
  schedule(event: SimEvent, at: number): void {
    this.#queue.push(event, at);
    this.#hurry(at);
  }

  /**
   * Records payload on the wire log. Internal.
   * @param direction rx or tx
   * @param bytes the payload
   * @param peer the flow's label
   */
  record(direction: "rx" | "tx", bytes: Uint8Array, peer: string): void {
    const wirelog = this.#wirelog;
    if (wirelog === undefined) return;
    if (direction === "rx") wirelog.rx(bytes, peer);
    else wirelog.tx(bytes, peer);
  }

  /**
   * Adds a trace line. Internal.
   * @param kind event kind
   * @param detail what
   */
  trace(kind: string, detail: string): void {
    this.traceLines.push(`${this.now().toFixed(6)} ${kind} ${detail}`);
  }

  /** Enter context: starts what was asked of the net before it had a tyme base. */
  override enter(): void {
    for (const action of this.#early.splice(0)) action();
  }

  /** Fires every event due by `tyme`, in order. */
  override recur(tyme: number): boolean {
    const queue = this.#queue;
    try {
      for (let event = queue.popDue(tyme); event !== undefined; event = queue.popDue(tyme)) {
        this.#clock = event.at;
        event.fire(event.at);
      }
    } finally {
      this.#clock = undefined;
    }
    return false;
  }

  /** Sleeps until the next event (or until woken by a send). */
  protected override nextTock(): number | undefined {
    const next = this.#queue.nextAt;
    this.#planned = next;
    if (next === Number.POSITIVE_INFINITY) return WAIT;
    const wait = next - (this.tyme ?? 0);
    return wait > 0 ? wait : undefined;
  }

  /** Forgets the wake plan on exit; pending events stay for a later run. */
  override exit(): void {
    this.#planned = Number.POSITIVE_INFINITY;
  }

  #hurry(at: number): void {
    if (at < this.#planned && this.#clock === undefined) {
      this.#planned = at;
      this.wake();
    }
  }
}

function checkSettings(settings: Partial<StreamSettings>): StreamSettings {
  const merged: StreamSettings = {
    mss: 1460,
    sendBufferSize: 65_536,
    receiveBufferSize: 65_536,
    retransmitTimeout: 0.2,
    maxRetransmits: 15,
    connectTimeout: 20,
    ...settings,
  };
  for (const key of ["mss", "sendBufferSize", "receiveBufferSize", "maxRetransmits"] as const) {
    const value = merged[key];
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`streams.${key} must be a whole number >= 1, got ${value}`);
  }
  for (const key of ["retransmitTimeout", "connectTimeout"] as const) {
    const value = merged[key];
    if (!(value > 0 && Number.isFinite(value))) throw new RangeError(`streams.${key} must be a finite number of seconds > 0, got ${value}`);
  }
  return Object.freeze(merged);
}
