/**
 * Options of {@link Serial}, and their checks.
 *
 * @module
 */
import type { Tymth } from "../core/index.js";
import type { BindingOpenOptions, BindingInterface } from "./binding.js";
import type { WireLog } from "../io/index.js";

/** Parity settings the bindings accept. */
export type Parity = "none" | "even" | "odd" | "mark" | "space";

/**
 * Identifies a USB device whatever path it gets: each given field must equal
 * the listed port's (hex ids compare case-insensitively).
 */
export interface PortMatch {
  /** USB vendor id, 4 hex digits, e.g. `"0403"`. */
  vendorId?: string;
  /** USB product id, 4 hex digits, e.g. `"6001"`. */
  productId?: string;
  /** Serial number of the device. */
  serialNumber?: string;
}

/** Options of {@link Serial}. */
export interface SerialOptions {
  /** Device path (`/dev/ttyUSB0`, `COM3`). Required unless `match` is given. */
  path?: string;
  /** Find the device by USB ids instead of (or when reopening, as well as) by path. */
  match?: PortMatch;
  /** Bits per second. Default 9600. */
  baudRate?: number;
  /** Bits per character. Default 8. */
  dataBits?: 5 | 6 | 7 | 8;
  /** Stop bits. Default 1. */
  stopBits?: 1 | 1.5 | 2;
  /** Parity. Default `"none"`. */
  parity?: Parity;
  /** Hardware (RTS/CTS) flow control. Default false. */
  rtscts?: boolean;
  /** Software flow control (XON). Default false. */
  xon?: boolean;
  /** Software flow control (XOFF). Default false. */
  xoff?: boolean;
  /** Any character restarts output after XOFF. Default false. */
  xany?: boolean;
  /** Drop DTR on close. Default true. */
  hupcl?: boolean;
  /** Lock the port against other processes. Default true. */
  lock?: boolean;
  /** Capacity in bytes of `rxbs` and of `txbs`. Default 65 536. */
  bufferSize?: number;
  /** Retry opening after a cutoff or a failed open. Default false. */
  reopenable?: boolean;
  /** Seconds of tyme between reopen attempts. Default 1. */
  tymeout?: number;
  /** Tyme base (its doer winds it anyway). */
  tymth?: Tymth;
  /** Binding to use: default serialport's native one; `MockBinding` in tests. */
  binding?: BindingInterface;
  /**
   * Records every chunk received and sent, with the path as peer: a
   * `WireLog`, or anything with its `rx` and `tx` (the bytes are views, valid
   * during the call only).
   */
  wirelog?: Pick<WireLog, "rx" | "tx">;
  /** A name for logs and errors. Default `serial <path>`. */
  name?: string;
}

/** The settings a Serial keeps, checked. */
export interface SerialSettings {
  path: string | undefined;
  match: PortMatch | undefined;
  open: Omit<Required<BindingOpenOptions>, "path">;
  bufferSize: number;
  reopenable: boolean;
  tymeout: number;
}

const PARITIES: readonly string[] = ["none", "even", "odd", "mark", "space"];

/**
 * Checks the options of a Serial and fills in the defaults.
 * @param options what the caller passed
 * @returns the settings
 * @throws TypeError/RangeError naming the option that is wrong
 */
export function checkSerialOptions(options: SerialOptions): SerialSettings {
  if (typeof options !== "object" || options === null) throw new TypeError("options must be an object");
  const { path, match } = options;
  if (path !== undefined && (typeof path !== "string" || path === "")) {
    throw new TypeError(`path must be a non-empty string, got ${typeof path === "string" ? '""' : typeof path}`);
  }
  if (match !== undefined) checkMatch(match);
  if (path === undefined && match === undefined) throw new TypeError("path is required (or match, to find the device by USB ids)");
  const baudRate = options.baudRate ?? 9600;
  if (typeof baudRate !== "number") throw new TypeError(`baudRate must be a number, got ${typeof baudRate}`);
  if (!Number.isInteger(baudRate) || baudRate <= 0) throw new RangeError(`baudRate must be a whole number > 0, got ${baudRate}`);
  const dataBits = options.dataBits ?? 8;
  if (![5, 6, 7, 8].includes(dataBits)) throw new RangeError(`dataBits must be 5, 6, 7 or 8, got ${String(dataBits)}`);
  const stopBits = options.stopBits ?? 1;
  if (![1, 1.5, 2].includes(stopBits)) throw new RangeError(`stopBits must be 1, 1.5 or 2, got ${String(stopBits)}`);
  const parity = options.parity ?? "none";
  if (!PARITIES.includes(parity)) throw new RangeError(`parity must be one of ${PARITIES.join(", ")}, got ${String(parity)}`);
  const bufferSize = options.bufferSize ?? 65_536;
  if (typeof bufferSize !== "number" || !Number.isInteger(bufferSize) || bufferSize < 1) {
    throw new RangeError(`bufferSize must be a whole number of bytes >= 1, got ${String(bufferSize)}`);
  }
  const tymeout = options.tymeout ?? 1;
  if (typeof tymeout !== "number") throw new TypeError(`tymeout must be a number of seconds, got ${typeof tymeout}`);
  if (!Number.isFinite(tymeout) || tymeout < 0) throw new RangeError(`tymeout must be a finite number of seconds >= 0, got ${tymeout}`);
  return {
    path,
    match,
    open: {
      baudRate,
      dataBits,
      stopBits,
      parity,
      rtscts: flag("rtscts", options.rtscts, false),
      xon: flag("xon", options.xon, false),
      xoff: flag("xoff", options.xoff, false),
      xany: flag("xany", options.xany, false),
      hupcl: flag("hupcl", options.hupcl, true),
      lock: flag("lock", options.lock, true),
    },
    bufferSize,
    reopenable: flag("reopenable", options.reopenable, false),
    tymeout,
  };
}

function flag(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw new TypeError(`${name} must be a boolean, got ${typeof value}`);
  return value;
}

function checkMatch(match: PortMatch): void {
  if (typeof match !== "object" || match === null) throw new TypeError("match must be an object with vendorId, productId or serialNumber");
  const keys = ["vendorId", "productId", "serialNumber"] as const;
  let given = 0;
  for (const key of keys) {
    const value = match[key];
    if (value === undefined) continue;
    if (typeof value !== "string" || value === "") throw new TypeError(`match.${key} must be a non-empty string`);
    given++;
  }
  if (given === 0) throw new TypeError("match must give at least one of vendorId, productId, serialNumber");
}

/**
 * Tells whether a listed port is the device `match` describes.
 * @param port what listing said
 * @param match the ids to compare
 * @returns true when every given id is equal
 */
export function matchesPort(port: { vendorId?: string | undefined; productId?: string | undefined; serialNumber?: string | undefined }, match: PortMatch): boolean {
  const same = (a: string | undefined, b: string | undefined) => b === undefined || (a !== undefined && a.toLowerCase() === b.toLowerCase());
  return same(port.vendorId, match.vendorId) && same(port.productId, match.productId) && same(port.serialNumber, match.serialNumber);
}

/**
 * Describes `match` for a handle name, e.g. `usb 0403:6001`.
 * @param match the ids
 * @returns a short label
 */
export function describeMatch(match: PortMatch): string {
  const ids = `${match.vendorId ?? "*"}:${match.productId ?? "*"}`;
  return match.serialNumber === undefined ? `usb ${ids}` : `usb ${ids} #${match.serialNumber}`;
}
