/**
 * Slow and half-open peers (issue 11): a first-byte deadline sheds silent
 * connections; a TLS handshake timeout drops stalled handshakes, which count
 * against maxConnections while they last; a TLS version can be pinned.
 */
import net from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { readAvailable, writeAll } from "../../src/io/index.js";
import { ClientDoer, ClientTls, FirstByteTimeoutError, Server, ServerDoer, ServerTls, type Remoter } from "../../src/tcp/index.js";
import { makeTestCerts, type TestCerts } from "../helpers/tcp-certs.js";
import { Cleanup, rawClient, recordingDriver, runUntil, waitUntil, type RawClient } from "../helpers/tcp-harness.js";

let certs: TestCerts;
beforeAll(async () => {
  certs = await makeTestCerts();
});
afterAll(() => certs.remove());

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

function connect(port: number): RawClient {
  return cleanup.add(rawClient(port), (c) => c.socket.destroy());
}

const echo = function* (remoter: Remoter) {
  for (;;) yield* writeAll(remoter.txbs, yield* readAvailable(remoter.rxbs));
};

describe("first-byte deadline", () => {
  it("closes 200 silent connections with FirstByteTimeoutError and keeps the one that spoke", async () => {
    const server = cleanup.add(new Server({ port: 0, backlog: 512, firstByteTimeout: 5 }), (s) => s.close());
    await server.open();
    const closed: Remoter[] = [];
    const doer = new ServerDoer({ server, handler: echo });
    const doist = cleanup.doist([doer]);
    const silent = Array.from({ length: 200 }, () => connect(server.port));
    const talker = connect(server.port);
    talker.socket.write("hi");
    await runUntil(doist, () => server.accepted === 201 && talker.text() === "hi", "all accepted, the talker echoed");
    const talkerRemoter = [...server.remoters.values()].find((remoter) => remoter.remotePort === talker.socket.localPort)!;
    for (const remoter of server.remoters.values()) if (remoter !== talkerRemoter) closed.push(remoter);
    const start = doist.tyme;
    await runUntil(doist, () => silent.every((peer) => peer.ended || peer.closed), "silent ones shed");
    expect(doist.tyme - start).toBeGreaterThan(0);
    expect(closed.every((remoter) => remoter.error instanceof FirstByteTimeoutError)).toBe(true);
    expect(server.remoters.size).toBe(1);
    expect(talkerRemoter.connected).toBe(true);
    expect(server.due).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("TLS handshake timeout", () => {
  it("drops a handshake that stalls, counts it against maxConnections meanwhile, and reports it", async () => {
    const server = cleanup.add(new ServerTls({ port: 0, maxConnections: 1, tls: { cert: certs.serverCert, key: certs.serverKey, handshakeTimeout: 0.3 } }), (s) => s.close());
    await server.open();
    const doist = cleanup.doist([new ServerDoer({ server, handler: echo })]);
    // A TCP connection that never starts its handshake.
    const stalled = connect(server.port);
    await waitUntil(() => server.handshaking === 1, "the stalled handshake is counted");
    // No room: a second connection is refused while the first handshake lasts.
    const second = connect(server.port);
    await runUntil(doist, () => second.ended || second.closed, "the second is refused").catch((error) => {
      throw new Error(`${(error as Error).message} refused ${server.refused} handshaking ${server.handshaking} ended ${second.ended}`);
    });
    expect(server.refused).toBe(1);
    await runUntil(doist, () => stalled.ended || stalled.closed, "the stalled handshake is dropped", 5000);
    expect(server.clientErrors.some((error) => error.code === "ERR_TLS_HANDSHAKE_TIMEOUT")).toBe(true);
    await waitUntil(() => server.handshaking === 0, "no handshake left");
  });

  it("pins the TLS version with maxVersion", async () => {
    const { driver, accepted } = recordingDriver();
    const server = cleanup.add(new ServerTls({ port: 0, driver, tls: { cert: certs.serverCert, key: certs.serverKey, maxVersion: "TLSv1.2" } }), (s) => s.close());
    await server.open();
    const client = cleanup.add(new ClientTls({ port: server.port, tls: { ca: certs.ca, servername: "localhost" } }), (c) => c.close());
    const doist = cleanup.doist([new ServerDoer({ server, handler: echo }), new ClientDoer({ client })]);
    await runUntil(doist, () => client.connected, "handshake");
    expect(server.remoters.size).toBe(1);
    expect((accepted[0] as unknown as { getProtocol(): string }).getProtocol()).toBe("TLSv1.2");
    expect(net.isIP("127.0.0.1")).toBe(4);
  });
});
