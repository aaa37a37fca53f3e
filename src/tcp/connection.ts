/**
 * The types every TCP connection handle (Client, Remoter) shares. The
 * pumping itself is a `StreamPump` each handle holds.
 *
 * @module
 */
import type { WireTap } from "./wire-tap.js";

/**
 * A connection's lifecycle: `"closed"` (not opened, failed to connect, or
 * closed by us), `"opening"` (connect or handshake in progress), `"open"`
 * (bytes flow), `"cutoff"` (the peer closed its side, the connection broke
 * or the peer went away: `rxbs` ends after the bytes received before; while
 * the socket is still `alive` — half-open after the peer's FIN — sending
 * goes on).
 */
export type ConnectionState = "closed" | "opening" | "open" | "cutoff";

/** Options every connection takes. */
export interface ConnectionOptions {
  /** Capacity of `rxbs` and of `txbs` in bytes. Default 65 536. */
  bufferSize?: number;
  /** Disable Nagle's algorithm, so small writes go out at once. Default true. */
  noDelay?: boolean;
  /** Send TCP keepalive probes after this many seconds of silence; 0 (default): off. */
  keepAlive?: number;
  /** Record every chunk received and sent. */
  wirelog?: WireTap | undefined;
}
