/**
 * SimNet: a seeded, deterministic network and serial bench that runs on the
 * Doist's tyme.
 *
 * @module
 */
import { DEFAULT_CONDITIONS, mergeConditions, type LinkConditions } from "./conditions.js";
import { SimError } from "./errors.js";
import { SimHost } from "./host.js";
import { SimPath } from "./path.js";
import { SimClock, type SimClockOptions } from "./sim-clock.js";
import { createSerialBinding, type SimSerialBinding } from "./serial-binding.js";
import { SimSerialLink, type SimSerialLinkOptions } from "./serial-link.js";
import type { TcpDriver } from "../tcp/index.js";
import type { UdpDriver } from "../udp/index.js";
import { createTcpDriver } from "./tcp-driver.js";
import { createUdpDriver } from "./udp-driver.js";

/** Options of {@link SimNet}. */
export interface SimNetOptions extends SimClockOptions {
  /** Conditions of every link not configured otherwise. */
  conditions?: Partial<LinkConditions>;
}

/** A host, or its name or address. */
export type HostRef = SimHost | string;

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
export class SimNet extends SimClock {
  readonly #hosts = new Map<string, SimHost>();
  readonly #byAddress = new Map<string, SimHost>();
  readonly #paths = new Map<SimHost, Map<SimHost, SimPath>>();
  readonly #links = new Map<string, SimSerialLink>();
  #defaults: Readonly<LinkConditions>;
  #binding: SimSerialBinding | undefined;
  readonly #tcpDrivers = new Map<SimHost, TcpDriver>();
  readonly #udpDrivers = new Map<SimHost, UdpDriver>();

  /**
   * Creates a net with no hosts.
   * @param options `seed`, `name`, `conditions`, `streams`, `wirelog`, `trace`, `tymth`
   * @throws TypeError/RangeError naming a bad option
   */
  constructor(options: SimNetOptions = {}) {
    super(options);
    this.#defaults = options.conditions === undefined ? DEFAULT_CONDITIONS : mergeConditions(DEFAULT_CONDITIONS, options.conditions);
  }

  /** The hosts, in the order they were added. */
  get hosts(): SimHost[] {
    return [...this.#hosts.values()];
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
  override path(from: HostRef, to: HostRef): SimPath {
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
   * Resolves an address as seen from a host. Internal.
   * @param address an address or host name; loopback names give `from`
   * @param from the asking host
   * @returns the host, if any
   */
  override resolve(address: string, from: SimHost): SimHost | undefined {
    if (LOOPBACK.has(address)) return from;
    return this.#byAddress.get(address) ?? this.#hosts.get(address);
  }

  *#pairs(group: readonly HostRef[], other: readonly HostRef[] | undefined): Generator<[SimHost, SimHost]> {
    const left = group.map((ref) => this.host(ref));
    const right = other === undefined ? this.hosts.filter((host) => !left.includes(host)) : other.map((ref) => this.host(ref));
    for (const a of left) for (const b of right) if (a !== b) yield [a, b];
  }
}
