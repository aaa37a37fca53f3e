/**
 * Errors of the simulation. Network errors carry the `code` that Node's own
 * socket errors carry (`ECONNREFUSED`, `ECONNRESET`, ...), so transport code
 * that looks at `error.code` behaves the same on a simulated network.
 *
 * @module
 */
import { HioError } from "../core/index.js";

/** Base class of every error the simulation raises on purpose. */
export class SimError extends HioError {}

/**
 * A simulated network or device failure, with the errno-style `code` a real
 * socket or port would report.
 */
export class SimNetworkError extends SimError {
  /** The errno-style code, as on Node's system errors. */
  readonly code: string;

  /**
   * Creates a network error.
   * @param code errno-style code, e.g. `ECONNREFUSED`
   * @param message what happened, naming the address
   */
  constructor(code: string, message: string) {
    super(`${code}: ${message}`);
    this.code = code;
  }
}

/** A connect reached a host that has no listener on the port (`ECONNREFUSED`). */
export class SimConnectionRefusedError extends SimNetworkError {
  /** @param address `host:port` that refused */
  constructor(address: string) {
    super("ECONNREFUSED", `connection refused by ${address}`);
  }
}

/** The peer reset the connection (`ECONNRESET`). */
export class SimConnectionResetError extends SimNetworkError {
  /** @param address `local->remote` of the connection */
  constructor(address: string) {
    super("ECONNRESET", `connection ${address} reset by peer`);
  }
}

/** A connect or a retransmission gave up (`ETIMEDOUT`). */
export class SimTimeoutError extends SimNetworkError {
  /**
   * @param address the remote `host:port`
   * @param what what timed out, e.g. `connect`
   */
  constructor(address: string, what: string) {
    super("ETIMEDOUT", `${what} to ${address} timed out`);
  }
}

/** No simulated host has the address (`EHOSTUNREACH`). */
export class SimHostUnreachableError extends SimNetworkError {
  /** @param address the address nobody has */
  constructor(address: string) {
    super("EHOSTUNREACH", `no simulated host has address ${address}`);
  }
}

/** The port is taken on that host (`EADDRINUSE`). */
export class SimAddressInUseError extends SimNetworkError {
  /** @param address `host:port` that is taken */
  constructor(address: string) {
    super("EADDRINUSE", `address ${address} is already in use`);
  }
}

/** A simulated serial path is unplugged or was never created (`ENOENT`). */
export class SimNoDeviceError extends SimNetworkError {
  /** @param path the serial path */
  constructor(path: string) {
    super("ENOENT", `no simulated serial device at ${path} (unplugged or never created)`);
  }
}

/** A simulated serial device went away while open (`EIO`, as a real unplug gives). */
export class SimDeviceLostError extends SimNetworkError {
  /** @param path the serial path */
  constructor(path: string) {
    super("EIO", `simulated serial device ${path} was unplugged`);
  }
}

/**
 * An invariant check failed. The message names the check, the seed and the
 * tyme, so the run can be replayed exactly with the same seed.
 */
export class InvariantError extends SimError {
  /** Name of the broken invariant. */
  readonly invariant: string;
  /** Seed of the run. */
  readonly seed: number;
  /** Tyme at which it broke. */
  readonly tyme: number;

  /**
   * @param invariant the check's name
   * @param seed the run's seed
   * @param tyme tyme of the failure
   * @param detail what the check reported
   */
  constructor(invariant: string, seed: number, tyme: number, detail: string) {
    super(`invariant "${invariant}" broken at tyme ${tyme} (seed ${seed}): ${detail}`);
    this.invariant = invariant;
    this.seed = seed;
    this.tyme = tyme;
  }
}

/**
 * A simulated run failed. The message gives the seed, the tyme and the tree
 * of doers that were live when it failed; `cause` is the original error.
 */
export class SimulationError extends SimError {
  /** Seed of the run: rerun with it to reproduce the failure. */
  readonly seed: number;
  /** Tyme at which it failed. */
  readonly tyme: number;
  /** The live doers at the failure, one per line, indented by depth. */
  readonly doerTree: string;

  /**
   * @param name the scenario's name
   * @param seed the run's seed
   * @param tyme tyme of the failure
   * @param doerTree the live doers, as {@link describeDoers} prints them
   * @param cause the original error
   */
  constructor(name: string, seed: number, tyme: number, doerTree: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `simulation ${name} failed at tyme ${tyme} with seed ${seed}: ${reason}\n` +
        `rerun: rerunSimulation(scenario, { seed: ${seed}, until: ${tyme} })\n` +
        `live doers:\n${doerTree}`,
      { cause },
    );
    this.seed = seed;
    this.tyme = tyme;
    this.doerTree = doerTree;
  }
}
