/**
 * Exit codes of the `hio` command, one per kind of failure, so scripts can
 * tell a typo from a peer that is not there.
 *
 * @module
 */

/** The exit codes of `hio`. */
export const ExitCode = {
  /** Done: the peer closed, the count was reached, or the user quit (Ctrl-] in a monitor). */
  ok: 0,
  /** A failure while running: a connection reset, an I/O error. */
  failure: 1,
  /** Bad arguments: unknown command or option, a malformed address, port or number. */
  usage: 2,
  /** The connection could not be made: refused, unreachable, unknown host, timed out. */
  connect: 3,
  /** Could not listen or bind: address in use, permission denied. */
  listen: 4,
  /** The serial device is missing, busy or not permitted. */
  device: 5,
  /** Stopped by Ctrl-C (SIGINT), after closing everything: 128 + 2. */
  interrupted: 130,
  /** Stopped by SIGTERM (kill, a service manager), after closing everything: 128 + 15. */
  terminated: 143,
} as const;

/** One of the values of {@link ExitCode}. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** Bad command-line arguments; the message says which and how to fix it. */
export class UsageError extends Error {
  override readonly name = "UsageError";

  /**
   * @param message what is wrong, naming the option first
   * @param command the (sub)command, for the usage hint
   */
  constructor(
    message: string,
    readonly command: string,
  ) {
    super(message);
  }
}
