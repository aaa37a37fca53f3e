/**
 * Errors of the TCP layer. Each message names the handle (client, server or
 * remoter) and the address it concerns, and keeps the Node error that caused
 * it as `cause` with its `code` copied, so callers can branch on it.
 *
 * @module
 */
import { HioError } from "../core/index.js";

/** Base class of every TCP error; `code` is the system or TLS code when there is one. */
export class TcpError extends HioError {
  /** The Node / OpenSSL error code (`ECONNREFUSED`, `CERT_HAS_EXPIRED`, …), when known. */
  readonly code: string | undefined;

  /**
   * Creates an error.
   * @param message what went wrong, naming the handle and its address
   * @param cause the Node error behind it, if any
   */
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    const code = (cause as { code?: unknown } | undefined)?.code;
    this.code = typeof code === "string" ? code : undefined;
  }
}

/** A connect attempt failed (refused, unreachable, unknown host, timed out). */
export class ConnectError extends TcpError {}

/** The connection was reset by the peer (or broke) while open; bytes received before stay in `rxbs`. */
export class ConnectionResetError extends TcpError {}

/** A server could not listen (address in use, permission denied, bad address). */
export class ListenError extends TcpError {}

/**
 * The TLS handshake failed: the peer's certificate did not verify (wrong CA,
 * wrong host name, expired), our certificate was rejected, or the protocols
 * did not match. `code` holds OpenSSL's reason, e.g.
 * `UNABLE_TO_VERIFY_LEAF_SIGNATURE` or `ERR_TLS_CERT_ALTNAME_INVALID`.
 */
export class TlsError extends TcpError {}

/** A connection was closed because it sent and received nothing for the server's `idleTimeout`. */
export class IdleTimeoutError extends TcpError {}

/** A connection sent no first byte within the server's `firstByteTimeout` (a slow or half-open peer). */
export class FirstByteTimeoutError extends TcpError {}

/** A connection handler threw; `cause` is what it threw, `remoter` says which connection. */
export class HandlerError extends TcpError {
  /** `host:port` of the peer whose handler failed. */
  readonly remoteAddress: string;

  /**
   * Creates an error.
   * @param message names the server and the peer
   * @param remoteAddress `host:port` of the peer
   * @param cause what the handler threw
   */
  constructor(message: string, remoteAddress: string, cause: unknown) {
    super(message, cause);
    this.remoteAddress = remoteAddress;
  }
}

/**
 * Wraps a Node socket error as the typed error it means.
 * @param what names the handle and address, e.g. `client 127.0.0.1:7000`
 * @param error the Node error
 * @param connecting whether the socket had not connected yet
 * @returns the typed error
 */
export function socketError(what: string, error: unknown, connecting: boolean): TcpError {
  const code = (error as { code?: unknown } | undefined)?.code;
  const reason = error instanceof Error ? error.message : String(error);
  if (isTlsCode(code)) return new TlsError(`${what}: TLS handshake failed: ${reason}`, error);
  if (connecting) return new ConnectError(`${what}: connect failed: ${reason}`, error);
  if (code === "ECONNRESET" || code === "EPIPE") return new ConnectionResetError(`${what}: connection reset by peer (${String(code)})`, error);
  return new TcpError(`${what}: ${reason}`, error);
}

function isTlsCode(code: unknown): boolean {
  if (typeof code !== "string") return false;
  return code.startsWith("ERR_TLS") || code.startsWith("ERR_SSL") || code.includes("CERT") || code.includes("SELF_SIGNED") || code.includes("VERIFY") || code.includes("ISSUER");
}
