/**
 * ServerTls: a Server that speaks TLS.
 *
 * @module
 */
import { Server, type ServerOptions } from "./server.js";
import type { ServerTlsOptions } from "./tls-options.js";

/** Options of {@link ServerTls}. */
export interface ServerTlsConfig extends ServerOptions {
  /** TLS settings: the server's `cert` and `key` at least. */
  tls: ServerTlsOptions;
}

/**
 * A {@link Server} over TLS (`node:tls`). A connection becomes a Remoter
 * once its handshake succeeded; failed handshakes are recorded in
 * `clientErrors`. Set `tls.requestCert` and `tls.ca` for mutual TLS (clients
 * without a certificate from that CA are refused), and `tls.sni` for other
 * identities chosen by the name the client asks for.
 *
 * @example
 * ```ts
 * const server = new ServerTls({ port: 8443, tls: { cert: certPem, key: keyPem } });
 * ```
 */
export class ServerTls extends Server {
  readonly #tls: ServerTlsOptions;

  /**
   * Creates the server; it does not listen until `open()`.
   * @param options Server options plus `tls`
   * @throws TypeError when `tls.cert` or `tls.key` is missing
   */
  constructor(options: ServerTlsConfig) {
    super(options);
    const tls = options?.tls;
    if (typeof tls !== "object" || tls === null) throw new TypeError(`tls must be an object with cert and key, got ${typeof tls}`);
    if (tls.cert === undefined) throw new TypeError("tls.cert must be a PEM certificate, got undefined");
    if (tls.key === undefined) throw new TypeError("tls.key must be a PEM private key, got undefined");
    this.#tls = { ...tls };
  }

  /** `server host:port (tls)`, for messages. */
  override get label(): string {
    return `${super.label} (tls)`;
  }

  /** The TLS settings. */
  override get tls(): ServerTlsOptions {
    return this.#tls;
  }
}
