import { afterEach, expect, it } from "vitest";
import { readLine, writeAll } from "../../src/io/index.js";
import { Client, ClientDoer, Server, ServerDoer, type ConnectionHandler } from "../../src/tcp/index.js";
import { bytes, Cleanup, runUntil, text } from "../helpers/tcp-harness.js";
import { freePort, startPeer } from "../helpers/tcp-peers.js";
import { needPeers } from "../helpers/peers.js";

const peers = needPeers("nc", "socat");

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const shout: ConnectionHandler = function* (remoter) {
  for (;;) {
    const line = yield* readLine(remoter.rxbs);
    yield* writeAll(remoter.txbs, bytes(`${text(line).toUpperCase()}\n`));
  }
};

async function shoutServer() {
  const server = cleanup.add(new Server({ port: 0 }), (s) => s.close());
  await server.open();
  const doist = cleanup.doist([new ServerDoer({ server, handler: shout })]);
  return { server, doist };
}

peers.describe("real peers", () => {
  it("serves nc as a client", async () => {
    const { server, doist } = await shoutServer();
    const nc = cleanup.add(startPeer("nc", ["-N", "127.0.0.1", String(server.port)]), (p) => p.stop());
    nc.child.stdin.end("hello from nc\nsecond line\n");
    await runUntil(doist, () => nc.exited(), "nc exits after our end");
    expect(nc.stdout()).toBe("HELLO FROM NC\nSECOND LINE\n");
  });

  it("serves socat as a client", async () => {
    const { server, doist } = await shoutServer();
    const socat = cleanup.add(startPeer("socat", ["-", `TCP:127.0.0.1:${server.port}`]), (p) => p.stop());
    socat.child.stdin.end("hello from socat\n");
    await runUntil(doist, () => socat.exited(), "socat exits after our end");
    expect(socat.stdout()).toBe("HELLO FROM SOCAT\n");
  });

  it("talks to socat as a server (echo)", async () => {
    const port = await freePort();
    const socat = cleanup.add(startPeer("socat", [`TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr`, "PIPE"]), (p) => p.stop());
    const client = cleanup.add(new Client({ port, reconnectable: true, tymeout: 0.05 }), (c) => c.close());
    const doist = cleanup.doist([new ClientDoer({ client })]);
    await runUntil(doist, () => client.connected, "connect to socat (retrying until it listens)");
    client.txbs.write(bytes("echo me\n"));
    await runUntil(doist, () => client.rxbs.length === 8, "echo");
    expect(text(client.rxbs.read())).toBe("echo me\n");
    client.shutdownSend();
    await runUntil(doist, () => socat.exited(), "socat exits after our FIN");
  });

  it("talks to nc as a server, both ways", async () => {
    const port = await freePort();
    const nc = cleanup.add(startPeer("nc", ["-l", "-N", "127.0.0.1", String(port)]), (p) => p.stop());
    const client = cleanup.add(new Client({ port, reconnectable: true, tymeout: 0.05 }), (c) => c.close());
    const doist = cleanup.doist([new ClientDoer({ client })]);
    await runUntil(doist, () => client.connected, "connect to nc (retrying until it listens)");
    client.txbs.write(bytes("from hio\n"));
    nc.child.stdin.end("from nc\n");
    await runUntil(doist, () => nc.stdout() === "from hio\n" && client.rxbs.ended, "both directions and nc's FIN");
    expect(text(client.rxbs.read())).toBe("from nc\n");
    expect(client.cutoff).toBe(true);
  });
});
