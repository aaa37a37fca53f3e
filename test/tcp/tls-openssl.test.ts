/**
 * TLS with certificates made by the openssl command line (tls.test.ts uses the
 * selfsigned package's): the same handshakes succeed with either maker's CA,
 * server and client certificates, and openssl s_client talks to the server.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { readLine, writeAll } from "../../src/io/index.js";
import { ClientDoer, ClientTls, ServerDoer, ServerTls, type ClientTlsOptions, type ConnectionHandler, type ServerTlsOptions } from "../../src/tcp/index.js";
import { needPeers } from "../helpers/peers.js";
import { makeTestCertsWithOpenssl, type TestCerts } from "../helpers/tcp-certs.js";
import { bytes, Cleanup, runUntil, text } from "../helpers/tcp-harness.js";

const openssl = needPeers("openssl");

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const lineEcho: ConnectionHandler = function* (remoter) {
  for (;;) {
    const line = yield* readLine(remoter.rxbs);
    yield* writeAll(remoter.txbs, bytes(`${text(line)}\n`));
  }
};

openssl.describe("TLS with openssl-made certificates", () => {
  let certs: TestCerts;
  beforeAll(() => {
    if (openssl.reason !== undefined) return; // each test fails with the reason (HIO_REQUIRE_PEERS=1)
    certs = makeTestCertsWithOpenssl();
  });
  afterAll(() => certs?.remove());

  async function setup(serverTls: Partial<ServerTlsOptions>, clientTls: ClientTlsOptions, host = "127.0.0.1") {
    const server = cleanup.add(new ServerTls({ port: 0, tls: { cert: certs.serverCert, key: certs.serverKey, ...serverTls } }), (s) => s.close());
    await server.open();
    const client = cleanup.add(new ClientTls({ host, port: server.port, tls: clientTls }), (c) => c.close());
    const doist = cleanup.doist([new ServerDoer({ server, handler: lineEcho }), new ClientDoer({ client })]);
    return { server, client, doist };
  }

  it("connects to localhost with the openssl CA and exchanges bytes", async () => {
    const { client, doist } = await setup({}, { ca: certs.ca }, "localhost");
    client.txbs.write(bytes("openssl ca\n"));
    await runUntil(doist, () => client.rxbs.length === 11, "echo");
    expect(text(client.rxbs.read())).toBe("openssl ca\n");
    expect(client.error).toBeUndefined();
  });

  it("accepts an openssl-made client certificate (mutual TLS)", async () => {
    const { server, client, doist } = await setup({ ca: certs.ca, requestCert: true }, { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey });
    client.txbs.write(bytes("mutual\n"));
    await runUntil(doist, () => client.rxbs.length === 7, "echo");
    expect(text(client.rxbs.read())).toBe("mutual\n");
    expect(server.remoters.size).toBe(1);
  });

  it("serves openssl s_client verifying against the openssl CA", async () => {
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
});
