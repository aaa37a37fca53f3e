/**
 * Addresses as the tcp layer prints them and keys connections by.
 *
 * @module
 */

/**
 * Formats `host:port`, with brackets around an IPv6 address.
 * @param host host name or address
 * @param port port
 * @returns e.g. `127.0.0.1:7000` or `[::1]:7000`
 */
export function formatAddress(host: string | undefined, port: number | undefined): string {
  const name = host ?? "?";
  return `${name.includes(":") ? `[${name}]` : name}:${port ?? "?"}`;
}

/**
 * Longest Unix socket path in bytes: `sun_path` holds 108 bytes on Linux
 * and 104 on macOS and the BSDs, one of them the ending NUL. Node does not
 * check it: a longer path is cut short silently, and the socket lands on a
 * different name.
 */
export const MAX_SOCKET_PATH = process.platform === "linux" ? 107 : 103;

/**
 * Checks a Unix stream socket path option (a file system path, or on Linux
 * an abstract name starting with `\0`).
 * @param value the option's value
 * @returns the path
 * @throws TypeError when it is not a non-empty string or holds a NUL byte
 *   past the first; RangeError when it is longer than {@link MAX_SOCKET_PATH} bytes
 */
export function checkSocketPath(value: unknown): string {
  if (typeof value !== "string" || value.length === 0) throw new TypeError(`path must be a non-empty string, got ${typeof value === "string" ? "an empty string" : typeof value}`);
  if (value.indexOf("\0", 1) !== -1) throw new TypeError(`path must not contain a NUL byte, got ${JSON.stringify(value)}`);
  const length = Buffer.byteLength(value);
  if (length > MAX_SOCKET_PATH) throw new RangeError(`path must be at most ${MAX_SOCKET_PATH} bytes (the OS socket address limit), got ${length}: ${value}`);
  return value;
}

/**
 * Checks that a handle's options give exactly one kind of address: `host`
 * and `port`, or a Unix socket `path`.
 * @param options the handle's options
 * @returns the checked path, or undefined for host and port
 * @throws TypeError naming the clashing option (`host` or `port` given with `path`); see {@link checkSocketPath}
 */
export function socketPathOption(options: { host?: unknown; port?: unknown; path?: unknown }): string | undefined {
  if (options.path === undefined) return undefined;
  for (const name of ["host", "port"] as const) {
    if (options[name] !== undefined) throw new TypeError(`${name} must not be given with path: give either host and port, or a Unix socket path`);
  }
  return checkSocketPath(options.path);
}
