/**
 * TLS settings of ClientTls and ServerTls: the parts of `node:tls` options
 * that people use, with plain types so a simulated driver can read them too.
 *
 * @module
 */

/** A PEM-encoded certificate or key, as text or bytes. */
export type Pem = string | Uint8Array;

/** A certificate and its key (one identity). */
export interface TlsIdentity {
  /** Certificate chain in PEM. */
  cert: Pem;
  /** Private key in PEM. */
  key: Pem;
  /** Passphrase of an encrypted key. */
  passphrase?: string;
}

/** TLS settings of a client. Verification is on unless `rejectUnauthorized` is false. */
export interface ClientTlsOptions {
  /** Trusted CA certificates instead of the system's (for private CAs and tests). */
  ca?: Pem | Pem[];
  /** Client certificate for mutual TLS. */
  cert?: Pem;
  /** Key of the client certificate. */
  key?: Pem;
  /** Passphrase of an encrypted key. */
  passphrase?: string;
  /** Name sent as SNI and checked against the server's certificate. Default: `host` when it is a name, not an IP address. */
  servername?: string;
  /** Fail the handshake when the server's certificate does not verify. Default true; false only for tests against throwaway certificates. */
  rejectUnauthorized?: boolean;
  /** Lowest protocol version accepted. */
  minVersion?: "TLSv1.2" | "TLSv1.3";
  /** Highest protocol version to offer (e.g. pin `"TLSv1.2"`). */
  maxVersion?: "TLSv1.2" | "TLSv1.3";
  /** ALPN protocol names to offer, in order of preference. */
  ALPNProtocols?: string[];
}

/** TLS settings of a server. */
export interface ServerTlsOptions extends TlsIdentity {
  /** CA certificates that client certificates must chain to (mutual TLS). */
  ca?: Pem | Pem[];
  /** Ask every client for a certificate (mutual TLS). Default false. */
  requestCert?: boolean;
  /** With `requestCert`: refuse clients whose certificate does not verify. Default true. */
  rejectUnauthorized?: boolean;
  /** Other identities chosen by the SNI name the client sends (lower case host name → identity). */
  sni?: Record<
    string,
    TlsIdentity & {
      /** CA certificates that client certificates must chain to for this name (mutual TLS). */
      ca?: Pem | Pem[];
    }
  >;
  /** Lowest protocol version accepted. */
  minVersion?: "TLSv1.2" | "TLSv1.3";
  /** Highest protocol version accepted (e.g. pin `"TLSv1.2"`). */
  maxVersion?: "TLSv1.2" | "TLSv1.3";
  /** ALPN protocol names accepted, in order of preference. */
  ALPNProtocols?: string[];
  /**
   * Seconds (wall clock, Node's own timer) a client may take to complete
   * its handshake; then the connection is dropped and a `TlsError` with code
   * `ERR_TLS_HANDSHAKE_TIMEOUT` lands in `server.clientErrors`. Handshakes in
   * progress count against `maxConnections`. Default 120 (Node's).
   */
  handshakeTimeout?: number;
}
