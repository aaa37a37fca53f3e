/**
 * Makes throwaway TLS certificates with the openssl CLI in a temp folder:
 * a CA, a server certificate for `localhost` / 127.0.0.1 / ::1, a second
 * server certificate for `other.test` (for SNI), a client certificate, and
 * an unrelated CA (for "wrong CA" tests).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** PEM texts of the generated material. */
export interface TestCerts {
  dir: string;
  ca: string;
  otherCa: string;
  serverCert: string;
  serverKey: string;
  sniCert: string;
  sniKey: string;
  clientCert: string;
  clientKey: string;
  remove(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
}

function makeCa(dir: string, name: string): void {
  openssl(dir, ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.crt`, "-days", "2", "-subj", `/CN=${name}`]);
}

function makeLeaf(dir: string, name: string, ca: string, subject: string, ext: string): void {
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(dir, ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subject]);
  openssl(dir, ["x509", "-req", "-in", `${name}.csr`, "-CA", `${ca}.crt`, "-CAkey", `${ca}.key`, "-CAcreateserial", "-out", `${name}.crt`, "-days", "2", "-extfile", `${name}.ext`]);
}

/** Generates the certificates (about a second of openssl work). */
export function makeTestCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), "hio-tcp-certs-"));
  makeCa(dir, "ca");
  makeCa(dir, "other-ca");
  makeLeaf(dir, "server", "ca", "/CN=localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth\n");
  makeLeaf(dir, "sni", "ca", "/CN=other.test", "subjectAltName=DNS:other.test\nextendedKeyUsage=serverAuth\n");
  makeLeaf(dir, "client", "ca", "/CN=test-client", "extendedKeyUsage=clientAuth\n");
  const read = (file: string) => readFileSync(join(dir, file), "utf8");
  return {
    dir,
    ca: read("ca.crt"),
    otherCa: read("other-ca.crt"),
    serverCert: read("server.crt"),
    serverKey: read("server.key"),
    sniCert: read("sni.crt"),
    sniKey: read("sni.key"),
    clientCert: read("client.crt"),
    clientKey: read("client.key"),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
