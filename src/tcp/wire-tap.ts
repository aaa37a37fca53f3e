/**
 * WireTap: what a handle records crossed the wire into.
 *
 * @module
 */

/**
 * Where a handle reports what crossed the wire: `WireLog` from the io layer
 * fits. The bytes passed are only valid during the call: copy to keep them.
 */
export interface WireTap {
  /** Records bytes received from `peer` (`host:port`). */
  rx(bytes: Uint8Array, peer: string): void;
  /** Records bytes sent to `peer` (`host:port`). */
  tx(bytes: Uint8Array, peer: string): void;
}
