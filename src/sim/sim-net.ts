/**
 * SimNet: a seeded, deterministic network and serial bench that runs on the
 * Doist's tyme.
 *
 * @module
 */
import { Doer, WAIT, type DoerOptions } from "../core/index.js";
import { DEFAULT_CONDITIONS, mergeConditions, type LinkConditions } from "./conditions.js";
import type { SimEvent } from "./event-queue.js";
import { EventQueue } from "./event-queue.js";
import { SimError } from "./errors.js";
import { SimHost } from "./host.js";
import type { SimKernel, SimStats, StreamSettings, WireRecorder } from "./kernel.js";
import { SimPath } from "./path.js";
import { checkSeed, SimRandom } from "./random.js";
import { createSerialBinding, type SimSerialBinding } from "./serial-binding.js";
import { SimSerialLink, type SimSerialLinkOptions } from "./serial-link.js";
import type { TcpDriver } from "../tcp/index.js";
import type { UdpDriver } from "../udp/index.js";
import { createTcpDriver } from "./tcp-driver.js";
import { createUdpDriver } from "./udp-driver.js";

/** Options of {@link SimNet}. */
export interface SimNetOptions extends Pick<DoerOptions, "tymth"> {
  /** Seed of every random draw. Default 0. */
  seed?: number;
  /** A name for messages. Default "simnet". */
  name?: string;
  /** Conditions of every link not configured otherwise. */
  conditions?: Partial<LinkConditions>;
  /** Stream settings (see {@link StreamSettings}); defaults: mss 1460, buffers 65 536, retransmit 0.2 s, 15 retransmits, connect timeout 20 s. */
  streams?: Partial<StreamSettings>;
  /** Records every payload that crosses the net (tx when sent, rx when delivered). `WireLog` fits. */
  wirelog?: WireRecorder;
  /** Keep a text trace of every network event in `trace`. Default false. */
  trace?: boolean;
}

/** A host, or its name or address. */
export type HostRef = SimHost | string;

/** Runs a scripted action. */
class Action implements SimEvent {
  at = 0;
  seq = 0;
  constructor(
    readonly net: SimNet,
    readonly action: (net: SimNet) => void,
    readonly label: string,
  ) {}
  fire(): void {
    if (this.net.tracing) this.net.trace("script", this.label);
    this.action(this.net);
  }
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "::1", "0.0.0.0", "::", ""]);

/**
 * A simulated network: hosts with addresses, directed paths between them
 * with latency, jitter, bandwidth, loss, duplication and reordering,
 * partitions and holds, serial links, and scripted faults, all drawn from one
 * seed and driven only by the Doist's tyme.
 *
 * A SimNet is a Doer: put it **first** in the Doist's doers. Each time it runs
 * it fires every event due by then, in (tyme, order) order, so a whole run is
 * a pure function of the seed and the program. It sleeps until its next event
 * and wakes when a send schedules an earlier one.
 *
 * Events happen at their exact tyme inside the net (a SYN-ACK answers a SYN at
 * the SYN's arrival tyme), and applications see them at the first tick at or
 * after it: a smaller Doist tock gives finer timing.
 *
 * @example
 * ```ts
 * const net = new SimNet({ seed: 7, conditions: { latency: 0.02, loss: 0.05 } });
 * const server = net.addHost("server");
 * const client = net.addHost("client");
 * net.link(client, server, { jitter: 0.01 });
 * net.at(3, (n) => n.partition([client], [server]));
 * net.at(5, (n) => n.heal());
 * await new Doist({ doers: [net, ...appDoers], limit: 10 }).do();
 * ```
 */
export class SimNet extends Doer implements SimKernel {
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
  readonly #hosts = new Map<string, SimHost>();
  readonly #byAddress = new Map<string, SimHost>();
  readonly #paths = new Map<SimHost, Map<SimHost, SimPath>>();
  readonly #links = new Map<string, SimSerialLink>();
  readonly #wirelog: WireRecorder | undefined;
  #defaults: Readonly<LinkConditions>;
  #clock: number | undefined;
  #planned = Number.POSITIVE_INFINITY;
  #binding: SimSerialBinding | undefined;
  readonly #early: (() => void)[] = [];
  readonly #tcpDrivers = new Map<SimHost, TcpDriver>();
  readonly #udpDrivers = new Map<SimHost, UdpDriver>();

  /**
   * Creates a net with no hosts.
   * @param options `seed`, `name`, `conditions`, `streams`, `wirelog`, `trace`, `tymth`
   * @throws TypeError/RangeError naming a bad option
   */
  constructor(options: SimNetOptions = {}) {
    super({ tymth: options.tymth });
    this.seed = checkSeed(options.seed ?? 0);
    this.name = options.name ?? "simnet";
    this.random = new SimRandom(this.seed);
    this.#defaults = mergeConditions(DEFAULT_CONDITIONS, options.conditions);
    if (options.conditions === undefined) this.#defaults = DEFAULT_CONDITIONS;
    this.settings = checkSettings(options.streams ?? {});
    this.#wirelog = options.wirelog;
    this.tracing = options.trace ?? false;
  }

  /** The hosts, in the order they were added. */
  get hosts(): SimHost[] {
    return [...this.#hosts.values()];
  }

  /** Events not yet fired. */
  get pendingEvents(): number {
    return this.#queue.size;
  }

  /** Tyme of the next event (`Infinity` when none). */
  get nextEventTyme(): number {
    return this.#queue.nextAt;
  }

  /**
   * Adds a host.
   * @param name a unique name, also usable as an address
   * @param options `address` (default: the next of 10.0.0.1, 10.0.0.2, ...)
   * @returns the host
   * @throws SimError when the name or address is taken
   */
  addHost(name: string, options: { address?: string } = {}): SimHost {
    if (typeof name !== "string" || name === "") throw new TypeError(`name must be a non-empty string, got ${typeof name}`);
    const number = this.#hosts.size + 1;
    const address = options.address ?? `10.${(number >> 16) & 255}.${(number >> 8) & 255}.${number & 255}`;
    if (this.#hosts.has(name) || this.#byAddress.has(name)) throw new SimError(`${this.name}: a host named ${name} already exists`);
    if (this.#byAddress.has(address) || this.#hosts.has(address) || LOOPBACK.has(address)) {
      throw new SimError(`${this.name}: address ${address} is taken`);
    }
    const host = new SimHost(this, name, address, () => this.#hosts.values());
    this.#hosts.set(name, host);
    this.#byAddress.set(address, host);
    return host;
  }

  /**
   * Finds a host by name or address.
   * @param ref a host, name or address
   * @returns the host
   * @throws SimError when there is none
   */
  host(ref: HostRef): SimHost {
    if (ref instanceof SimHost) return ref;
    const host = this.#hosts.get(ref) ?? this.#byAddress.get(ref);
    if (host === undefined) throw new SimError(`${this.name}: no host named or addressed ${ref}`);
    return host;
  }

  /**
   * Returns the directed path `from` → `to`, made with the default conditions on first use.
   * @param from sending host
   * @param to receiving host
   * @returns the path
   */
  path(from: HostRef, to: HostRef): SimPath {
    const source = this.host(from);
    const target = this.host(to);
    let row = this.#paths.get(source);
    if (row === undefined) this.#paths.set(source, (row = new Map()));
    let path = row.get(target);
    if (path === undefined) {
      path = new SimPath(this, source, target, this.#defaults, this.random.derive(`path ${source.address}>${target.address}`));
      row.set(target, path);
    }
    return path;
  }

  /**
   * Sets conditions on both directions between two hosts.
   * @param a one host
   * @param b the other
   * @param conditions the fields to change
   * @param back conditions of b → a when they differ (default: the same)
   */
  link(a: HostRef, b: HostRef, conditions: Partial<LinkConditions>, back: Partial<LinkConditions> = conditions): void {
    this.path(a, b).configure(conditions);
    this.path(b, a).configure(back);
  }

  /**
   * Changes the defaults for paths made from now on, and for existing paths too.
   * @param conditions the fields to change
   */
  configure(conditions: Partial<LinkConditions>): void {
    this.#defaults = mergeConditions(this.#defaults, conditions);
    for (const row of this.#paths.values()) for (const path of row.values()) if (path.from !== path.to) path.configure(conditions);
  }

  /**
   * Partitions the net: no traffic between a host in `group` and a host in
   * `other` (default: every host not in `group`), either way, until healed.
   * @param group one side
   * @param other the other side
   */
  partition(group: readonly HostRef[], other?: readonly HostRef[]): void {
    for (const [a, b] of this.#pairs(group, other)) {
      this.path(a, b).partition();
      this.path(b, a).partition();
    }
  }

  /**
   * Cuts one direction only: nothing goes from `from` to `to` until healed.
   * @param from sending host
   * @param to receiving host
   */
  cut(from: HostRef, to: HostRef): void {
    this.path(from, to).partition();
  }

  /**
   * Heals partitions: between `group` and `other` when given, else everywhere.
   * Stalled streams resend what they were carrying.
   * @param group one side
   * @param other the other side
   */
  heal(group?: readonly HostRef[], other?: readonly HostRef[]): void {
    if (group === undefined) {
      for (const row of this.#paths.values()) for (const path of row.values()) path.heal();
      return;
    }
    for (const [a, b] of this.#pairs(group, other)) {
      this.path(a, b).heal();
      this.path(b, a).heal();
    }
  }

  /**
   * Holds traffic between two hosts (both ways): it waits until `release`.
   * @param a one host
   * @param b the other
   */
  hold(a: HostRef, b: HostRef): void {
    this.path(a, b).hold();
    this.path(b, a).hold();
  }

  /**
   * Releases held traffic between two hosts, or everywhere when none are given.
   * @param a one host
   * @param b the other
   */
  release(a?: HostRef, b?: HostRef): void {
    if (a === undefined || b === undefined) {
      for (const row of this.#paths.values()) for (const path of row.values()) path.release();
      return;
    }
    this.path(a, b).release();
    this.path(b, a).release();
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
  at(tyme: number, action: (net: SimNet) => void, label = action.name || "action"): void {
    if (typeof tyme !== "number" || !Number.isFinite(tyme)) throw new RangeError(`tyme must be a finite number, got ${tyme}`);
    if (typeof action !== "function") throw new TypeError(`action must be a function, got ${typeof action}`);
    this.#queue.push(new Action(this, action, label), tyme);
    this.#hurry(tyme);
  }

  /**
   * Adds a simulated serial link whose port end opens at `path`.
   * @param path the port path, e.g. `/dev/ttySIM0`
   * @param options conditions (`baudRate`, gaps, `bitErrorRate`), sizes, `plugged`
   * @returns the link; its `device` has the device's `rxbs` and `txbs`
   * @throws SimError when the path exists
   */
  serialLink(path: string, options: SimSerialLinkOptions = {}): SimSerialLink {
    if (this.#links.has(path)) throw new SimError(`${this.name}: serial path ${path} already exists`);
    const link = new SimSerialLink(this, path, this.random.derive(`serial ${path}`), options);
    this.#links.set(path, link);
    return link;
  }

  /**
   * Returns the serialport binding over this net's serial links (always the
   * same object). Pass it where serial code takes a `binding`.
   * @returns the binding
   */
  serialBinding(): SimSerialBinding {
    return (this.#binding ??= createSerialBinding(() => this.#links));
  }

  /**
   * Returns the TCP driver of a host (always the same object per host): pass
   * it as `driver` to hio-ts/tcp's `Client`, `Server` or their TLS variants
   * (TLS is not encrypted in the simulation; the handshake events still come).
   * @param host the host, its name or address
   * @returns the driver
   * @example
   * ```ts
   * const server = new Server({ driver: net.tcpDriver("server"), port: 7 });
   * const client = new Client({ driver: net.tcpDriver("client"), host: "server", port: 7 });
   * ```
   */
  tcpDriver(host: HostRef): TcpDriver {
    const target = this.host(host);
    let driver = this.#tcpDrivers.get(target);
    if (driver === undefined) this.#tcpDrivers.set(target, (driver = createTcpDriver(target)));
    return driver;
  }

  /**
   * Returns the UDP driver of a host (always the same object per host): pass
   * it as `driver` to hio-ts/udp's `Peer`. Multicast is not simulated.
   * @param host the host, its name or address
   * @returns the driver
   * @example
   * ```ts
   * const peer = new Peer({ driver: net.udpDriver("sensor"), host: "0.0.0.0", port: 5000 });
   * ```
   */
  udpDriver(host: HostRef): UdpDriver {
    const target = this.host(host);
    let driver = this.#udpDrivers.get(target);
    if (driver === undefined) this.#udpDrivers.set(target, (driver = createUdpDriver(target)));
    return driver;
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
   */
  schedule(event: SimEvent, at: number): void {
    this.#queue.push(event, at);
    this.#hurry(at);
  }

  /**
   * Resolves an address as seen from a host. Internal.
   * @param address an address or host name; loopback names give `from`
   * @param from the asking host
   * @returns the host, if any
   */
  resolve(address: string, from: SimHost): SimHost | undefined {
    if (LOOPBACK.has(address)) return from;
    return this.#byAddress.get(address) ?? this.#hosts.get(address);
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

  *#pairs(group: readonly HostRef[], other: readonly HostRef[] | undefined): Generator<[SimHost, SimHost]> {
    const left = group.map((ref) => this.host(ref));
    const right = other === undefined ? this.hosts.filter((host) => !left.includes(host)) : other.map((ref) => this.host(ref));
    for (const a of left) for (const b of right) if (a !== b) yield [a, b];
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
