/**
 * Graceful shutdown (issue 11): stop accepting, let handlers finish up to a
 * grace period, flush and FIN, then force-close the rest.
 */
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { readLine } from "../../src/io/index.js";
import { EchoServerDoer, Server, ServerDoer, type ConnectionHandler } from "../../src/tcp/index.js";
import { bytes, Cleanup, rawClient, runUntil, text, type RawClient } from "../helpers/tcp-harness.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

function connect(port: number): RawClient {
  return cleanup.add(rawClient(port), (c) => c.socket.destroy());
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    socket.on("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ECONNREFUSED"));
    socket.on("connect", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

describe("graceful shutdown", () => {
  it("stops accepting, lets a handler finish its reply, force-closes the rest at the deadline, then is done", async () => {
    const server = cleanup.add(new Server({ port: 0 }), (s) => s.close());
    await server.open();
    let forced = 0;
    // Answers one line after the next line arrives ("slow"), or forever reads ("stuck").
    const handler: ConnectionHandler = function* (remoter) {
      let returned = false;
      try {
        for (;;) {
          const line = text(yield* readLine(remoter.rxbs));
          if (line === "stuck") continue;
          yield* readLine(remoter.rxbs); // waits for a second line
          remoter.txbs.write(bytes(`done ${line}\n`));
          returned = true;
          return;
        }
      } finally {
        if (!returned) forced++;
      }
    };
    const doer = new ServerDoer({ server, handler });
    const doist = cleanup.doist([doer]);
    const slow = connect(server.port);
    const stuck = connect(server.port);
    slow.socket.write("first\n");
    stuck.socket.write("stuck\n");
    await runUntil(doist, () => server.remoters.size === 2, "both accepted");
    const done = doer.shutdown(1);
    let finished = false;
    void done.then(() => (finished = true));
    doist.recur();
    expect(server.state).toBe("draining");
    expect(await refused(server.port)).toBe(true);
    const start = doist.tyme;
    slow.socket.write("second\n");
    await runUntil(doist, () => slow.ended, "the slow handler finishes and FINs");
    expect(slow.text()).toBe("done first\n");
    expect(doist.tyme - start).toBeLessThan(1);
    expect(stuck.ended || stuck.closed).toBe(false);
    await runUntil(doist, () => finished && (stuck.ended || stuck.closed), "the stuck one is force-closed at the deadline");
    expect(doist.tyme - start).toBeGreaterThanOrEqual(1);
    expect(server.state).toBe("closed");
    expect(server.remoters.size).toBe(0);
    expect(forced).toBe(1);
    // The doer is done: the Doist has nothing left to run.
    doist.recur();
    expect(doist.deeds).toEqual([]);
  });

  it("without a handler, flushes and half-closes every connection at once", async () => {
    const server = cleanup.add(new Server({ port: 0 }), (s) => s.close());
    await server.open();
    const doer = new EchoServerDoer({ server });
    const doist = cleanup.doist([doer]);
    const peer = connect(server.port);
    peer.socket.write("echo me");
    await runUntil(doist, () => peer.text() === "echo me", "echo");
    void doer.shutdown(30);
    await runUntil(doist, () => peer.ended, "FIN after the flush");
    peer.socket.end();
    await runUntil(doist, () => server.state === "closed" && server.remoters.size === 0, "closed well before the grace period");
  });
});
