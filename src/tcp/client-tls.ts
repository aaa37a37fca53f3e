/**
 * ClientTls: a Client that speaks TLS.
 *
 * @module
 */
import { Client, type ClientOptions } from "./client.js";
import type { ClientTlsOptions } from "./tls-options.js";

/** Options of {@link ClientTls}. */
export interface ClientTlsConfig extends ClientOptions {
  /** TLS settings; verification is on by default. Default `{}`: the system's CAs, SNI = host. */
  tls?: ClientTlsOptions;
}

/**
 * A {@link Client} over TLS (`node:tls`). The server's certificate is
 * verified against the system's CAs, or `tls.ca`, and its name against
 * `tls.servername` (default: `host`); a failure leaves the client `closed`
 * with `error` a {@link TlsError} naming the address and OpenSSL's reason.
 * Give `tls.cert` and `tls.key` for mutual TLS. `connected` turns true after
 * the handshake.
 *
 * @example
 * ```ts
 * const client = new ClientTls({ host: "localhost", port: 8443, tls: { ca: caPem } });
 * ```
 */
export class ClientTls extends Client {
  readonly #tls: ClientTlsOptions;

  /**
   * Creates the client; it does not connect until `open()`.
   * @param options Client options plus `tls`
   * @throws TypeError / RangeError naming a bad option
   */
  constructor(options: ClientTlsConfig) {
    super(options);
    const tls = options.tls ?? {};
    if (typeof tls !== "object" || tls === null) throw new TypeError(`tls must be an object of TLS settings, got ${typeof tls}`);
    this.#tls = { ...tls };
  }

  /** `client host:port (tls)`, for messages. */
  override get label(): string {
    return `${super.label} (tls)`;
  }

  /** The TLS settings. */
  override get tls(): ClientTlsOptions {
    return this.#tls;
  }
}
