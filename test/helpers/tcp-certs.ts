/**
 * Makes throwaway TLS certificates in a temp folder: a CA, a server
 * certificate for `localhost` / 127.0.0.1 / ::1, a second server certificate
 * for `other.test` (for SNI), a client certificate, and an unrelated CA (for
 * "wrong CA" tests). Two makers, both code no one here wrote: the `selfsigned`
 * npm package (needs nothing but npm) and the openssl command line.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "selfsigned";
import { toolProblem } from "./peers.js";

/** PEM texts of the generated material; `dir` holds them as `<name>.crt` / `<name>.key`. */
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
  openssl(dir, [
    "x509",
    "-req",
    "-in",
    `${name}.csr`,
    "-CA",
    `${ca}.crt`,
    "-CAkey",
    `${ca}.key`,
    "-CAcreateserial",
    "-out",
    `${name}.crt`,
    "-days",
    "2",
    "-extfile",
    `${name}.ext`,
  ]);
}

function collect(dir: string): TestCerts {
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

/**
 * Generates the certificates with the openssl command (about a second of
 * work); throws naming the install command when openssl is missing (gate
 * the test with `needPeers("openssl")`).
 */
export function makeTestCertsWithOpenssl(): TestCerts {
  const missing = toolProblem("openssl");
  if (missing !== undefined) throw new Error(missing);
  const dir = mkdtempSync(join(tmpdir(), "hio-tcp-certs-"));
  makeCa(dir, "ca");
  makeCa(dir, "other-ca");
  makeLeaf(dir, "server", "ca", "/CN=localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth\n");
  makeLeaf(dir, "sni", "ca", "/CN=other.test", "subjectAltName=DNS:other.test\nextendedKeyUsage=serverAuth\n");
  makeLeaf(dir, "client", "ca", "/CN=test-client", "extendedKeyUsage=clientAuth\n");
  return collect(dir);
}

const DAY = 24 * 60 * 60 * 1000;

/** Generates the same set with the `selfsigned` package, so TLS tests need no openssl binary. */
export async function makeTestCerts(): Promise<TestCerts> {
  const dir = mkdtempSync(join(tmpdir(), "hio-tcp-certs-"));
  const dates = { notBeforeDate: new Date(Date.now() - DAY), notAfterDate: new Date(Date.now() + 2 * DAY) };
  const save = (name: string, pems: { cert: string; private: string }) => {
    writeFileSync(join(dir, `${name}.crt`), pems.cert);
    writeFileSync(join(dir, `${name}.key`), pems.private);
    return pems;
  };
  const makeCa = async (name: string) =>
    save(
      name,
      await generate([{ name: "commonName", value: name }], {
        ...dates,
        algorithm: "sha256",
        extensions: [
          { name: "basicConstraints", cA: true, critical: true },
          { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
        ],
      }),
    );
  const ca = await makeCa("ca");
  await makeCa("other-ca");
  const leaf = async (name: string, commonName: string, extensions: NonNullable<Parameters<typeof generate>[1]>["extensions"]) =>
    save(
      name,
      await generate([{ name: "commonName", value: commonName }], { ...dates, algorithm: "sha256", ca: { key: ca.private, cert: ca.cert }, ...(extensions ? { extensions } : {}) }),
    );
  await leaf("server", "localhost", [
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
    { name: "extKeyUsage", serverAuth: true },
    {
      name: "subjectAltName",
      altNames: [
        { type: 2, value: "localhost" },
        { type: 7, ip: "127.0.0.1" },
        { type: 7, ip: "::1" },
      ],
    },
  ]);
  await leaf("sni", "other.test", [
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
    { name: "extKeyUsage", serverAuth: true },
    { name: "subjectAltName", altNames: [{ type: 2, value: "other.test" }] },
  ]);
  await leaf("client", "test-client", [
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
    { name: "extKeyUsage", clientAuth: true },
  ]);
  return collect(dir);
}
