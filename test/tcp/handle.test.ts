/**
 * The handle contract on Client and Remoter (issue 14 item 2), ClientDoer's
 * handler form (item 4), and the behaviour gaps of issue 13 item 5.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Doist, Tymist } from "../../src/core/index.js";
import { readAvailable, readLine, writeAll, type Handle } from "../../src/io/index.js";
import { Client, ClientDoer, ClientTls, ConnectError, Server, ServerDoer, ServerTls, TlsError, type Remoter } from "../../src/tcp/index.js";
import { makeTestCerts, type TestCerts } from "../helpers/tcp-certs.js";
import { bytes, Cleanup, rawClient, rawServer, runUntil, text, type RawServer } from "../helpers/tcp-harness.js";

let certs: TestCerts;
beforeAll(async () => {
  certs = await makeTestCerts();
});
afterAll(() => certs.remove());

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

async function echoServer(): Promise<RawServer> {
  const server = await rawServer((socket) => socket.pipe(socket));
  return cleanup.add(server, (s) => s.close());
}

describe("Client as a Handle", () => {
  it("open() resolves once connected; maySend/mayReceive, due and the local address follow", async () => {
    const peer = await echoServer();
    const client: Handle = cleanup.add(new Client({ port: peer.port }), (c) => c.close());
    expect(client.maySend).toBe(false);
    expect(client.mayReceive).toBe(false);
    const doist = cleanup.doist([new ClientDoer({ client: client as Client })]);
    let opened = false;
    void client.open().then(() => (opened = true));
    await runUntil(doist, () => opened, "open() resolves");
    expect(client.state).toBe("open");
    expect(client.maySend).toBe(true);
    expect(client.mayReceive).toBe(true);
    expect(client.due).toBe(Number.POSITIVE_INFINITY);
    expect((client as Client).localPort).toBe(peer.sockets[0]!.remotePort);
    expect((client as Client).localAddress).toBe("127.0.0.1");
    client.close();
    expect(client.maySend).toBe(false);
    expect(client.mayReceive).toBe(false);
  });

  it("open() rejects with ConnectError when refused, and an unawaited one raises no unhandled rejection", async () => {
    const peer = await echoServer();
    const port = peer.port;
    await peer.close();
    const client = cleanup.add(new Client({ port }), (c) => c.close());
    const doist = cleanup.doist([new ClientDoer({ client })]);
    const failure = client.open();
    await runUntil(doist, () => client.state === "closed" && client.error !== undefined, "refused");
    await expect(failure).rejects.toBeInstanceOf(ConnectError);
    const unawaited = new Client({ port });
    void unawaited.open(); // left alone: must not surface as an unhandled rejection
    unawaited.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
  });

  it("a reconnecting client may still send and receive while disconnected, and its due is its retry", async () => {
    const peer = await echoServer();
    const client = cleanup.add(new Client({ port: peer.port, reconnectable: true, tymeout: 0.5 }), (c) => c.close());
    const doist = cleanup.doist([new ClientDoer({ client })]);
    await runUntil(doist, () => client.connected, "connected");
    for (const socket of peer.sockets) socket.destroy();
    await runUntil(doist, () => client.state === "cutoff", "lost");
    expect(client.maySend).toBe(true);
    expect(client.mayReceive).toBe(true);
    expect(client.due).toBeGreaterThan(doist.tyme);
    expect(client.due).toBeLessThanOrEqual(doist.tyme + 0.5);
    expect(client.nextDeadline).toBe(client.due);
  });

  it("winding a ClientDoer winds its client too", () => {
    const client = new Client({ port: 9 });
    const doer = new ClientDoer({ client });
    const tymist = new Tymist({ tyme: 42 });
    doer.wind(tymist.tymen());
    expect(client.tyme).toBe(42);
  });

  it("winding a ServerDoer winds its server too", () => {
    const server = new Server({ port: 0 });
    const doer = new ServerDoer({ server });
    const tymist = new Tymist({ tyme: 7 });
    doer.wind(tymist.tymen());
    expect(server.tyme).toBe(7);
  });
});

describe("ClientDoer with a handler", () => {
  it("is done when its handler returns, after sending what it wrote: the Doist ends by itself", async () => {
    const peer = await echoServer();
    const client = new Client({ port: peer.port });
    let reply = "";
    const doer = new ClientDoer({
      client,
      handler: function* (client) {
        yield* client.waitConnected({ timeout: 5 });
        yield* writeAll(client.txbs, bytes("ping\n"));
        reply = text(yield* readLine(client.rxbs));
      },
    });
    const doist = new Doist({ doers: [doer], real: true, limit: 10, signals: false });
    const done = await doist.do();
    expect(done).toBe(true);
    expect(reply).toBe("ping");
    expect(doist.tyme).toBeLessThan(5);
    expect(client.state).toBe("closed");
  });

  it("fails with the TLS error, not EndOfStreamError, when a TLS 1.3 server refuses its certificate", async () => {
    const server = cleanup.add(new ServerTls({ port: 0, tls: { cert: certs.serverCert, key: certs.serverKey, ca: certs.ca, requestCert: true, minVersion: "TLSv1.3" } }), (s) =>
      s.close(),
    );
    await server.open();
    const client = new ClientTls({ port: server.port, tls: { ca: certs.ca, servername: "localhost", minVersion: "TLSv1.3" } });
    const doer = new ClientDoer({
      client,
      handler: function* (client) {
        yield* client.waitConnected({ timeout: 5 });
        yield* writeAll(client.txbs, bytes("let me in\n"));
        yield* readLine(client.rxbs);
      },
    });
    const doist = new Doist({
      doers: [
        new ServerDoer({
          server,
          handler: function* (remoter: Remoter) {
            yield* readAvailable(remoter.rxbs);
          },
        }),
        doer,
      ],
      real: true,
      limit: 10,
      signals: false,
    });
    await expect(doist.do()).rejects.toBeInstanceOf(TlsError);
  });
});

describe("shutdownReceive and shutdown on TCP handles", () => {
  it("shutdownReceive ends rxbs and drops later bytes while sending goes on; shutdown also sends FIN", async () => {
    const server = cleanup.add(new Server({ port: 0 }), (s) => s.close());
    await server.open();
    const doist = cleanup.doist([new ServerDoer({ server })]);
    const peer = cleanup.add(rawClient(server.port), (c) => c.socket.destroy());
    peer.socket.write("before");
    await runUntil(doist, () => server.remoters.size === 1 && [...server.remoters.values()][0]!.rxbs.length === 6, "first bytes");
    const remoter = [...server.remoters.values()][0]!;
    remoter.shutdownReceive();
    expect(remoter.mayReceive).toBe(false);
    expect(remoter.maySend).toBe(true);
    peer.socket.write("after");
    remoter.txbs.write(bytes("still sending"));
    await runUntil(doist, () => peer.text() === "still sending", "sending goes on");
    expect(text(remoter.rxbs.read())).toBe("before");
    expect(remoter.rxbs.exhausted).toBe(true);
    remoter.shutdown();
    await runUntil(doist, () => peer.ended, "FIN");
    expect(remoter.maySend).toBe(false);
  });
});
