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
