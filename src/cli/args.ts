/**
 * Argument parsing for `hio`: node:util's parseArgs with errors that name
 * the option and point at `--help`, and parsers for ports, addresses and
 * numbers.
 *
 * @module
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./exit-codes.js";

/** The options every command takes. */
export const COMMON_OPTIONS = {
  help: { type: "boolean", short: "h" },
  wirelog: { type: "string" },
  status: { type: "boolean" },
  "no-status": { type: "boolean" },
} as const;

/**
 * Parses `argv` for `command`, throwing UsageError instead of parseArgs' TypeError.
 * @param command the command, for messages
 * @param argv its arguments
 * @param options the options it takes (COMMON_OPTIONS are added)
 * @returns parseArgs' result
 * @throws UsageError for an unknown option or a missing value
 */
export function parseCommand<const O extends NonNullable<ParseArgsConfig["options"]>>(command: string, argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify a positional.*$/s, ""), command);
  }
}

/**
 * Parses a TCP or UDP port.
 * @param command the command, for messages
 * @param text the text given
 * @param allowZero whether 0 (any free port) is allowed
 * @returns the port
 * @throws UsageError naming `--port`
 */
export function parsePort(command: string, text: string | undefined, allowZero: boolean): number {
  if (text === undefined) throw new UsageError("--port is required", command);
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= (allowZero ? 0 : 1) && port <= 65535))
    throw new UsageError(`--port must be a whole number from ${allowZero ? 0 : 1} to 65535, got ${JSON.stringify(text)}`, command);
  return port;
}

/**
 * Formats an address for people: `host:port`, with an IPv6 host in brackets
 * (`[::1]:24032`), as URLs and netcat write it.
 * @param host the host (name, IPv4 or IPv6 literal)
 * @param port the port
 * @returns e.g. `127.0.0.1:7000` or `[::1]:7000`
 */
export function formatAddress(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Takes the destination from the positional arguments: `HOST:PORT`,
 * `[v6]:PORT`, a bare `PORT`, or `HOST PORT` as netcat takes it.
 * @param command the command, for messages
 * @param positionals the positional arguments
 * @returns host, port, and how many positionals the address used (1 or 2)
 * @throws UsageError when there is no address or it is malformed
 */
export function parseTarget(command: string, positionals: readonly string[]): { host: string; port: number; used: number } {
  const [first, second] = positionals;
  // HOST:PORT is one colon (or [v6]:PORT); a v6 literal alone has two or more.
  const hostOnly = first !== undefined && !/^\d{1,5}$/.test(first) && !/^(?:\[[^\]]*\]|[^:]*):\d{1,5}$/.test(first);
  if (hostOnly && second !== undefined && /^\d{1,5}$/.test(second)) {
    // nc style: HOST PORT (a bare v6 literal too: ::1 7000)
    const host = first!.startsWith("[") && first.endsWith("]") ? first.slice(1, -1) : first;
    const port = Number(second);
    if (host === "" || !(port >= 1 && port <= 65535)) throw new UsageError(`address must be HOST PORT (port 1-65535), got ${JSON.stringify(`${first!} ${second}`)}`, command);
    return { host, port, used: 2 };
  }
  return { ...parseAddress(command, first), used: 1 };
}

/**
 * Rewords a library message for people: "2s of tyme" (the scheduler's clock)
 * becomes "2 s".
 * @param message the message
 * @returns the message without internal jargon
 */
export function humanize(message: string): string {
  return message.replace(/(\d)\s?s of tyme\b/g, "$1 s").replace(/ of tyme\b/g, "");
}

/**
 * Parses `host:port`, `[v6]:port` or a bare `port` (host 127.0.0.1).
 * @param command the command, for messages
 * @param text the address
 * @returns host and port
 * @throws UsageError when it is not an address
 */
export function parseAddress(command: string, text: string | undefined): { host: string; port: number } {
  if (text === undefined || text === "") throw new UsageError("an address host:port is required", command);
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text) ?? /^()()(\d{1,5})$/.exec(text);
  const port = match === null ? Number.NaN : Number(match[3]);
  if (match === null || !(port >= 1 && port <= 65535)) throw new UsageError(`address must be HOST:PORT or HOST PORT (port 1-65535), got ${JSON.stringify(text)}`, command);
  const host = match[1] ?? match[2];
  return { host: host === undefined || host === "" ? "127.0.0.1" : host, port };
}

/**
 * Parses a positive number of seconds (or a whole count with `integer`).
 * @param command the command, for messages
 * @param option the option's name, e.g. `--timeout`
 * @param text the text given
 * @param integer whether it must be a whole number >= 1
 * @returns the number
 * @throws UsageError naming the option
 */
export function parsePositive(command: string, option: string, text: string, integer = false): number {
  const value = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  if (!(value > 0) || (integer && !Number.isInteger(value))) {
    throw new UsageError(`${option} must be ${integer ? "a whole number >= 1" : "a number > 0"}, got ${JSON.stringify(text)}`, command);
  }
  return value;
}

/**
 * Parses a number of seconds >= 0 (0 allowed, e.g. `-q 0`).
 * @param command the command, for messages
 * @param option the option's name, e.g. `-q`
 * @param text the text given
 * @returns the seconds
 * @throws UsageError naming the option
 */
export function parseSeconds(command: string, option: string, text: string): number {
  const value = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= 0)) throw new UsageError(`${option} must be a number of seconds >= 0, got ${JSON.stringify(text)}`, command);
  return value;
}

/**
 * Rejects positional arguments beyond `max`.
 * @param command the command, for messages
 * @param positionals what was given
 * @param max how many it takes
 * @throws UsageError naming the first extra one
 */
export function noExtra(command: string, positionals: readonly string[], max: number): void {
  if (positionals.length > max) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[max])}`, command);
}
