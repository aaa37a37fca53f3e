import { afterEach, describe, expect, it } from "vitest";
import { doify } from "../../src/core/index.js";
import { Client, ClientDoer, ConnectError, FirstByteTimeoutError, IdleTimeoutError, type Remoter, Server, ServerDoer } from "../../src/tcp/index.js";
import { Cleanup, rawClient, rawServer, runUntil } from "../helpers/tcp-harness.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

// Messages say plain seconds ("within 2 s"), not "s of tyme": users read them.
describe("timeout messages in plain seconds", () => {
  it("waitConnected: not connected within 2 s", async () => {
    const server = await rawServer();
    const port = server.port;
    await server.close();
    const client = cleanup.add(new Client({ port, reconnectable: true, tymeout: 0.5 }), (c) => c.close());
    let thrown: unknown;
    const waiter = doify(function* () {
      try {
        yield* client.waitConnected({ timeout: 2 });
      } catch (error) {
        thrown = error;
      }
      return true;
    });
    const doist = cleanup.doist([new ClientDoer({ client }), waiter]);
    await runUntil(doist, () => thrown !== undefined, "the timeout");
    expect(thrown).toBeInstanceOf(ConnectError);
    expect((thrown as Error).message).toMatch(new RegExp(`^client 127\\.0\\.0\\.1:${port}: not connected within 2 s \\(last error: `));
    expect((thrown as Error).message).not.toContain("tyme");
  });

  it("idle and first-byte timeouts: closed after 0.25 s without traffic / without a first byte", async () => {
    const idle = cleanup.add(new Server({ port: 0, idleTimeout: 0.25 }), (s) => s.close());
    const first = cleanup.add(new Server({ port: 0, firstByteTimeout: 0.25 }), (s) => s.close());
    await idle.open();
    await first.open();
    const doist = cleanup.doist([new ServerDoer({ server: idle }), new ServerDoer({ server: first })]);
    const a = rawClient(idle.port);
    const b = rawClient(first.port);
    cleanup.add(a.socket, (s) => s.destroy());
    cleanup.add(b.socket, (s) => s.destroy());
    const idleSeen = new Set<Remoter>();
    const firstSeen = new Set<Remoter>();
    await runUntil(
      doist,
      () => {
        for (const remoter of idle.remoters.values()) idleSeen.add(remoter);
        for (const remoter of first.remoters.values()) firstSeen.add(remoter);
        return idleSeen.size === 1 && firstSeen.size === 1 && [...idleSeen, ...firstSeen].every((remoter) => remoter.error !== undefined);
      },
      "both timed out",
    );
    const idleError = [...idleSeen][0]!.error;
    const firstError = [...firstSeen][0]!.error;
    expect(idleError).toBeInstanceOf(IdleTimeoutError);
    expect(idleError?.message).toMatch(/: closed after 0\.25 s without traffic$/);
    expect(firstError).toBeInstanceOf(FirstByteTimeoutError);
    expect(firstError?.message).toMatch(/: closed after 0\.25 s without a first byte$/);
  });
});
