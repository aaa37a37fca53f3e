import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { readLine, writeAll } from "../../src/io/index.js";
import { ClientDoer, ClientTls, ServerDoer, ServerTls, TlsError, type ClientTlsOptions, type ConnectionHandler, type ServerTlsOptions } from "../../src/tcp/index.js";
import { bytes, Cleanup, runUntil, text } from "../helpers/tcp-harness.js";
import { makeTestCerts, type TestCerts } from "../helpers/tcp-certs.js";
import { needPeers } from "../helpers/peers.js";

const openssl = needPeers("openssl");
let certs: TestCerts; // made by the selfsigned package: no openssl binary needed
beforeAll(async () => {
  certs = await makeTestCerts();
});
afterAll(() => certs.remove());

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const lineEcho: ConnectionHandler = function* (remoter) {
  for (;;) {
    const line = yield* readLine(remoter.rxbs);
    yield* writeAll(remoter.txbs, bytes(`${text(line)}\n`));
  }
};

async function setup(serverTls: Partial<ServerTlsOptions>, clientTls: ClientTlsOptions, host = "127.0.0.1") {
  const server = cleanup.add(new ServerTls({ port: 0, tls: { cert: certs.serverCert, key: certs.serverKey, ...serverTls } }), (s) => s.close());
  await server.open();
  const client = cleanup.add(new ClientTls({ host, port: server.port, tls: clientTls }), (c) => c.close());
  const serverDoer = new ServerDoer({ server, handler: lineEcho });
  const doist = cleanup.doist([serverDoer, new ClientDoer({ client })]);
  return { server, client, doist };
}

describe("TLS", () => {
  it("connects with a custom CA and exchanges bytes", async () => {
    const { client, doist } = await setup({}, { ca: certs.ca });
    await runUntil(doist, () => client.connected, "handshake");
    client.txbs.write(bytes("secret\n"));
    await runUntil(doist, () => client.rxbs.length === 7, "echo");
    expect(text(client.rxbs.read())).toBe("secret\n");
  });

  it("fails against a server whose certificate is not from the trusted CA, with a TlsError naming the address", async () => {
    const { server, client, doist } = await setup({}, { ca: certs.otherCa });
    await runUntil(doist, () => client.error !== undefined && client.state === "closed", "handshake failure");
    expect(client.state).toBe("closed");
    expect(client.error).toBeInstanceOf(TlsError);
    expect(client.error?.code).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER/);
    expect(client.error?.message).toContain(`client 127.0.0.1:${server.port} (tls)`);
    expect(server.remoters.size).toBe(0);
  });

  it("fails when the certificate does not name the host, with a TlsError", async () => {
    const { client, doist } = await setup({}, { ca: certs.ca, servername: "wrong.test" });
    await runUntil(doist, () => client.error !== undefined, "handshake failure");
    expect(client.error).toBeInstanceOf(TlsError);
    expect(client.error?.code).toBe("ERR_TLS_CERT_ALTNAME_INVALID");
    expect(client.error?.message).toContain("wrong.test");
  });

  it("verifies a host name (localhost) by default", async () => {
    const { client, doist } = await setup({}, { ca: certs.ca }, "localhost");
    await runUntil(doist, () => client.connected, "handshake");
    expect(client.error).toBeUndefined();
  });

  it("accepts a client certificate from the CA (mutual TLS)", async () => {
    const { server, client, doist } = await setup({ ca: certs.ca, requestCert: true }, { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey });
    client.txbs.write(bytes("mutual\n"));
    await runUntil(doist, () => client.rxbs.length === 7, "echo");
    expect(text(client.rxbs.read())).toBe("mutual\n");
    expect(server.remoters.size).toBe(1);
  });

  it("refuses a client without a certificate when one is required (mutual TLS)", async () => {
    const { server, client, doist } = await setup({ ca: certs.ca, requestCert: true }, { ca: certs.ca });
    client.txbs.write(bytes("let me in\n"));
    await runUntil(doist, () => server.clientErrors.length === 1 && client.error !== undefined, "refusal on both sides");
    expect(server.clientErrors[0]?.message).toMatch(/certificate/i);
    expect(client.error).toBeInstanceOf(TlsError);
    expect(client.rxbs.length).toBe(0);
    expect(server.remoters.size).toBe(0);
  });

  it("serves the identity that the client's SNI name asks for", async () => {
    const { client, doist } = await setup({ sni: { "other.test": { cert: certs.sniCert, key: certs.sniKey } } }, { ca: certs.ca, servername: "other.test" });
    client.txbs.write(bytes("sni\n"));
    await runUntil(doist, () => client.rxbs.length === 4, "echo");
    expect(text(client.rxbs.read())).toBe("sni\n");
  });

  openssl.it("serves openssl s_client, a peer no one here wrote", async () => {
    const { server, doist } = await setup({}, { ca: certs.ca });
    const child = spawn("openssl", ["s_client", "-connect", `127.0.0.1:${server.port}`, "-CAfile", join(certs.dir, "ca.crt"), "-verify_return_error", "-quiet"], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    cleanup.add(child, (c) => c.kill());
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stdin.write("from openssl\n");
    await runUntil(doist, () => output.includes("from openssl\n"), "echo to openssl");
    expect(output).toBe("from openssl\n");
  });

  it("requires tls.cert and tls.key for a ServerTls", () => {
    expect(() => new ServerTls({ tls: { key: certs.serverKey } as ServerTlsOptions })).toThrow(/^tls\.cert/);
    expect(() => new ServerTls({ tls: { cert: certs.serverCert } as ServerTlsOptions })).toThrow(/^tls\.key/);
  });
});
