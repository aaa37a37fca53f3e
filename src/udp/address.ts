/**
 * Datagram endpoints: the `{ host, port }` shape that `receive` returns as
 * `from` and `send` takes as `to`, so a reply is `peer.send(reply, from)`.
 *
 * @module
 */
import { isIPv6 } from "node:net";

/** One end of a datagram: an IP address (or host name) and a port. */
export interface UdpAddress {
  /** IPv4 or IPv6 address, e.g. `127.0.0.1` or `::1` (a host name is resolved per send). */
  readonly host: string;
  /** UDP port, 0..65535 (0 only as a bind address: any free port). */
  readonly port: number;
}

/** Address families a peer's socket can have. */
export type UdpType = "udp4" | "udp6";

/**
 * Formats an address for messages and logs: `127.0.0.1:7000`, `[::1]:7000`.
 * @param address the endpoint
 * @returns `host:port`, with brackets around an IPv6 host
 * @example
 * ```ts
 * formatUdpAddress({ host: "::1", port: 53 }); // "[::1]:53"
 * ```
 */
export function formatUdpAddress(address: UdpAddress): string {
  if (address.host.startsWith("/")) return address.host; // a Unix datagram socket path
  return address.host.includes(":") ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/**
 * Picks the socket type for a bind host: `udp6` for an IPv6 literal, else `udp4`.
 * @param host the bind host
 * @returns the socket type
 */
export function udpTypeOf(host: string): UdpType {
  return isIPv6(host) ? "udp6" : "udp4";
}

/**
 * Checks a destination given to `send`.
 * @param name how the caller names it, e.g. `to`
 * @param address what the caller passed
 * @throws TypeError when it is not `{ host: string, port: number }`; RangeError for a port outside 1..65535
 */
export function checkDestination(name: string, address: unknown): asserts address is UdpAddress {
  if (typeof address !== "object" || address === null) {
    throw new TypeError(`${name} must be an address { host, port }, got ${address === null ? "null" : typeof address}`);
  }
  const { host, port } = address as { host?: unknown; port?: unknown };
  if (typeof host !== "string" || host.length === 0) {
    throw new TypeError(`${name}.host must be a non-empty string, got ${typeof host === "string" ? '""' : typeof host}`);
  }
  if (typeof port !== "number") throw new TypeError(`${name}.port must be a number, got ${typeof port}`);
  if (host.startsWith("/")) {
    // A Unix datagram socket path (see unixDatagramDriver): no port.
    if (port !== 0) throw new RangeError(`${name}.port must be 0 for the Unix socket path ${host}, got ${port}`);
    return;
  }
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new RangeError(`${name}.port must be a whole number in 1..65535, got ${port}`);
  }
}

/**
 * Checks a whole-number option.
 * @param name the option's name
 * @param value what the caller passed
 * @param min smallest allowed value
 * @param max largest allowed value
 * @returns the value, typed
 * @throws TypeError when not a number; RangeError when not whole or out of range
 */
export function checkWhole(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== "number") throw new TypeError(`${name} must be a number, got ${typeof value}`);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be a whole number in ${min}..${max}, got ${value}`);
  }
  return value;
}

/**
 * Checks a timeout in seconds of tyme (undefined: none).
 * @param name the option's name
 * @param value what the caller passed
 * @returns the value, typed
 * @throws TypeError when not a number; RangeError when negative or NaN
 */
export function checkTimeout(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number") throw new TypeError(`${name} must be a number of seconds, got ${typeof value}`);
  if (Number.isNaN(value) || value < 0) throw new RangeError(`${name} must be a number of seconds >= 0, got ${value}`);
  return value;
}
