/**
 * `--ssl`, `--cafile`, `--cert`, `--key` and `--insecure` of the TCP
 * commands: the options, their help text, and reading the PEM files into
 * the TLS settings of ClientTls and ServerTls.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import type { ClientTlsOptions, ServerTlsOptions } from "../index.js";
import { UsageError } from "./exit-codes.js";

/** The TLS options of `connect`, `listen` and `echo`. */
export const TLS_OPTIONS = {
  ssl: { type: "boolean", default: false },
  cafile: { type: "string" },
  cert: { type: "string" },
  key: { type: "string" },
  insecure: { type: "boolean", default: false },
} as const;

/** The values parseArgs gives for {@link TLS_OPTIONS}. */
export interface TlsValues {
  ssl: boolean;
  cafile?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
  insecure?: boolean | undefined;
}

/**
 * Reads a PEM file named by an option.
 * @param command the command, for messages
 * @param option e.g. `--cafile`
 * @param path the file
 * @returns its text
 * @throws UsageError naming the option and the file
 */
function readPem(command: string, option: string, path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`${option}: cannot read ${path}: ${String((error as Error).message).replace(/, open '.*'$/s, "")}`, command);
  }
}

/**
 * The client's TLS settings, or undefined without `--ssl`.
 * @param command the command, for messages
 * @param values the parsed options
 * @returns the settings for ClientTls
 * @throws UsageError for a TLS option without --ssl, a cert without a key, or an unreadable file
 */
export function clientTls(command: string, values: TlsValues): ClientTlsOptions | undefined {
  if (!values.ssl) {
    noTlsWithoutSsl(command, values);
    return undefined;
  }
  if ((values.cert === undefined) !== (values.key === undefined)) throw new UsageError("--cert and --key go together (a client certificate and its key)", command);
  const tls: ClientTlsOptions = {};
  if (values.cafile !== undefined) tls.ca = readPem(command, "--cafile", values.cafile);
  if (values.cert !== undefined) tls.cert = readPem(command, "--cert", values.cert);
  if (values.key !== undefined) tls.key = readPem(command, "--key", values.key);
  if (values.insecure === true) tls.rejectUnauthorized = false;
  return tls;
}

/**
 * The server's TLS settings, or undefined without `--ssl`.
 * @param command the command, for messages
 * @param values the parsed options
 * @returns the settings for ServerTls
 * @throws UsageError when --cert or --key is missing, for a TLS option without --ssl, or an unreadable file
 */
export function serverTls(command: string, values: TlsValues): ServerTlsOptions | undefined {
  if (!values.ssl) {
    noTlsWithoutSsl(command, values);
    return undefined;
  }
  if (values.cert === undefined || values.key === undefined) throw new UsageError("--ssl needs --cert FILE and --key FILE (the server's certificate and key, PEM)", command);
  if (values.insecure === true) throw new UsageError("--insecure is for connect (a client that does not check the server)", command);
  const tls: ServerTlsOptions = { cert: readPem(command, "--cert", values.cert), key: readPem(command, "--key", values.key) };
  if (values.cafile !== undefined) {
    // A CA for clients: ask each client for a certificate from it (mutual TLS).
    tls.ca = readPem(command, "--cafile", values.cafile);
    tls.requestCert = true;
    tls.rejectUnauthorized = true;
  }
  return tls;
}

function noTlsWithoutSsl(command: string, values: TlsValues): void {
  for (const option of ["cafile", "cert", "key", "insecure"] as const) {
    if (values[option] !== undefined && values[option] !== false) throw new UsageError(`--${option} needs --ssl`, command);
  }
}

/** Help lines for the client side. */
export const CLIENT_TLS_HELP = `  --ssl            connect over TLS; the server's certificate is checked
                   against the system's CAs (or --cafile) and its name
  --cafile FILE    trust the CA certificates in FILE (PEM) instead
  --cert FILE      a client certificate (PEM), with --key, for mutual TLS
  --key FILE       the client certificate's key (PEM)
  --insecure       do not check the server's certificate (tests only)`;

/** Help lines for the server side. */
export const SERVER_TLS_HELP = `  --ssl            serve TLS; needs --cert and --key
  --cert FILE      the server's certificate chain (PEM)
  --key FILE       the server's private key (PEM)
  --cafile FILE    ask every client for a certificate signed by a CA in
                   FILE (PEM) and refuse the others (mutual TLS)`;
