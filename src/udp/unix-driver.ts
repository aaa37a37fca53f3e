/**
 * Unix datagram sockets (hio's `uxd`) for a {@link Peer}, through the driver
 * seam. Node has no Unix datagram sockets, so this uses the optional native
 * addon `unix-dgram` (built with node-gyp on install), loaded on the first
 * socket, like serialport: a program that never opens one never loads it. A
 * datagram the receiver has no room for (EAGAIN) waits in order until the
 * socket is writable again, never dropped.
 *
 * Addresses are `{ host: "/path/to/socket", port: 0 }`.
 *
 * @module
 */
import { unlinkSync } from "node:fs";
import { createRequire } from "node:module";
import type { DatagramSocket, UdpDriver, UdpRemoteInfo, UdpSocketAddress, UdpSocketOptions } from "./driver.js";
import { UdpError, UxdAddonError } from "./errors.js";

/** The addon's socket, as far as this driver uses it. */
interface AddonSocket {
  on(event: "message", listener: (data: Buffer, info: { path?: string }) => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
  on(event: "writable", listener: () => void): unknown;
  bind(path: string): void;
  send(data: Buffer, offset: number, length: number, path: string, callback: (error?: Error & { code?: unknown }) => void): void;
  close(): void;
}

interface AddonModule {
  createSocket(type: "unix_dgram"): AddonSocket;
}

/** The package that provides Unix datagram sockets, and the version hio-ts is tested with. */
export const UXD_ADDON = "unix-dgram@2.0.7";

let addon: AddonModule | undefined;

function loadAddon(): AddonModule {
  addon ??= requireUxdAddon("unix-dgram") as AddonModule;
  return addon;
}

/**
 * Loads the Unix datagram addon by name, turning a failure into the typed error.
 * @param name the package to require
 * @returns the module
 * @throws UxdAddonError naming the package to install
 * @internal
 */
export function requireUxdAddon(name: string): unknown {
  try {
    return createRequire(import.meta.url)(name);
  } catch (error) {
    throw new UxdAddonError(`Unix datagram sockets need the optional package unix-dgram (a native addon): npm install ${UXD_ADDON}`, { cause: error });
  }
}

interface Pending {
  readonly data: Buffer;
  readonly path: string;
  readonly callback: (error: Error | null, bytes: number) => void;
}

class UnixDatagramSocket implements DatagramSocket {
  readonly #socket: AddonSocket;
  #onMessage: ((data: Uint8Array, from: UdpRemoteInfo) => void) | undefined;
  #onError: ((error: Error) => void) | undefined;
  #path: string | undefined;
  #closed = false;
  /** Datagrams the receiver had no room for yet (EAGAIN, "congestion"): sent in order on "writable". */
  readonly #congested: Pending[] = [];
  #retry: NodeJS.Timeout | undefined;

  constructor(_options: UdpSocketOptions) {
    this.#socket = loadAddon().createSocket("unix_dgram");
    this.#socket.on("message", (data, info) => this.#onMessage?.(new Uint8Array(data.buffer, data.byteOffset, data.length), { address: info.path ?? "", port: 0 }));
    this.#socket.on("error", (error) => this.#onError?.(error));
    this.#socket.on("writable", () => this.#drain());
  }

  on(event: "message", listener: (data: Uint8Array, from: UdpRemoteInfo) => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
  on(event: "message" | "error", listener: ((data: Uint8Array, from: UdpRemoteInfo) => void) | ((error: Error) => void)): unknown {
    if (event === "message") this.#onMessage = listener as (data: Uint8Array, from: UdpRemoteInfo) => void;
    else this.#onError = listener as (error: Error) => void;
    return this;
  }

  bind(_port: number, address: string, callback: () => void): unknown {
    if (!address.startsWith("/")) {
      setImmediate(() => this.#onError?.(new UdpError(`a Unix datagram socket binds an absolute path, got ${address}`)));
      return this;
    }
    let failed = false;
    const onError = this.#onError;
    this.#onError = (error) => {
      failed = true;
      setImmediate(() => onError?.(error));
    };
    this.#socket.bind(address); // reports a failure as a synchronous "error" event
    this.#onError = onError;
    if (failed) return this;
    this.#path = address;
    setImmediate(callback);
    return this;
  }

  address(): UdpSocketAddress {
    return { address: this.#path ?? "", family: "unix", port: 0 };
  }

  send(data: Uint8Array, _port: number, address: string, callback: (error: Error | null, bytes: number) => void): unknown {
    const pending: Pending = { data: Buffer.from(data.buffer, data.byteOffset, data.length), path: address, callback };
    if (this.#congested.length > 0) this.#congested.push(pending);
    else if (!this.#sendNow(pending)) {
      this.#congested.push(pending);
      this.#retryLater();
    }
    return this;
  }

  /**
   * Retries the waiting datagrams soon: the addon's "writable" event does not
   * come for a receiver whose queue was full (an unconnected socket polls its
   * own buffer), so a short timer makes sure they go once the receiver drains.
   */
  #retryLater(): void {
    if (this.#retry !== undefined || this.#closed) return;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.#drain();
    }, 1);
  }

  /** Sends one datagram; false when the receiver's queue is full (it then waits for "writable"). */
  #sendNow(pending: Pending): boolean {
    let outcome: Error | null = null;
    let congested = false;
    this.#socket.send(pending.data, 0, pending.data.length, pending.path, (error) => {
      // 1: the addon's "congestion" (EAGAIN); ENOBUFS (-105) and EAGAIN (-11): no room yet either.
      if (error !== undefined && (error.code === 1 || error.code === -105 || error.code === -11)) congested = true;
      else outcome = error ?? null;
    });
    if (congested) return false;
    const sent = outcome === null ? pending.data.length : 0;
    const result = outcome;
    setImmediate(() => pending.callback(result, sent));
    return true;
  }

  #drain(): void {
    while (this.#congested.length > 0 && !this.#closed) {
      if (!this.#sendNow(this.#congested[0]!)) {
        this.#retryLater();
        return;
      }
      this.#congested.shift();
    }
  }

  close(): unknown {
    if (this.#closed) return this;
    this.#closed = true;
    if (this.#retry !== undefined) clearTimeout(this.#retry);
    this.#socket.close();
    for (const pending of this.#congested.splice(0)) setImmediate(() => pending.callback(new UdpError("closed before the receiver had room"), 0));
    // The path is ours: remove it, as hio's uxd peer does, so the next bind can take it.
    if (this.#path !== undefined) {
      try {
        unlinkSync(this.#path);
      } catch {
        // already gone
      }
    }
    return this;
  }

  setBroadcast(_flag: boolean): void {
    throw new UdpError("Unix datagram sockets have no broadcast");
  }

  setMulticastTTL(_ttl: number): unknown {
    throw new UdpError("Unix datagram sockets have no multicast");
  }

  setMulticastLoopback(_flag: boolean): unknown {
    throw new UdpError("Unix datagram sockets have no multicast");
  }

  setMulticastInterface(_interfaceAddress: string): void {
    throw new UdpError("Unix datagram sockets have no multicast");
  }

  addMembership(_group: string): void {
    throw new UdpError("Unix datagram sockets have no multicast");
  }

  dropMembership(_group: string): void {
    throw new UdpError("Unix datagram sockets have no multicast");
  }
}

/**
 * A driver for Unix datagram sockets (hio's `uxd`): give it to a Peer with a
 * socket path as `host`; destinations are `{ host: path, port: 0 }`. Memos
 * work over it as over UDP (give the Memoer a larger `segmentSize`, e.g.
 * up to the peer's `maxDatagramSize`, as hio's uxd grams are up to 65 535 bytes).
 *
 * @returns the driver
 * @throws UxdAddonError (as the cause of the peer's UdpOpenError) when unix-dgram is not installed
 * @example
 * ```ts
 * const peer = new Peer({ driver: unixDatagramDriver(), host: "/tmp/app.sock", name: "uxd" });
 * await peer.open();
 * peer.send(bytes, { host: "/tmp/other.sock", port: 0 });
 * ```
 */
export function unixDatagramDriver(): UdpDriver {
  return {
    createSocket: (options) => new UnixDatagramSocket(options),
    coalesce: (flush) => setImmediate(flush),
  };
}
