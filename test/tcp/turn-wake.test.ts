import { afterEach, describe, expect, it } from "vitest";
import { Doist } from "../../src/core/index.js";
import { readAvailable, writeAll } from "../../src/io/index.js";
import { Server, ServerDoer, type ConnectionHandler } from "../../src/tcp/index.js";
import { Cleanup, rawClient } from "../helpers/tcp-harness.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const echo: ConnectionHandler = function* (remoter) {
  for (;;) yield* writeAll(remoter.txbs, yield* readAvailable(remoter.rxbs));
};

describe("ServerDoer turn wakes (real time)", () => {
  it("queues one setImmediate per event-loop turn for a socket event, shared by the server and the woken handler", async () => {
    const server = cleanup.add(new Server({ port: 0 }), (s) => s.close());
    const stop = new AbortController();
    const doist = new Doist({ doers: [new ServerDoer({ server, handler: echo })], real: true, signals: false });
    const running = doist.do({ signal: stop.signal }).catch(() => undefined);
    cleanup.add(running, async () => {
      stop.abort();
      await running;
    });
    await server.open();
    const peer = cleanup.add(rawClient(server.port), (c) => c.socket.destroy());
    const roundTrip = async (message: string): Promise<void> => {
      const before = peer.text().length;
      peer.socket.write(message);
      await new Promise<void>((resolve) => {
        const check = (): void => (peer.text().length >= before + message.length ? resolve() : void peer.socket.once("data", check));
        check();
      });
    };
    await roundTrip("warm-up");
    const original = globalThis.setImmediate;
    let queued = 0;
    globalThis.setImmediate = ((callback: (...args: unknown[]) => void, ...args: unknown[]) => {
      queued++;
      return original(callback, ...args);
    }) as typeof setImmediate;
    try {
      for (let index = 0; index < 20; index++) await roundTrip(`ping ${index}`);
    } finally {
      globalThis.setImmediate = original;
    }
    // Each round trip's data event wakes the server (its connection has an
    // event) and the handler (rxbs got bytes): one turn wake serves both.
    expect(queued).toBeLessThanOrEqual(25); // 40 when each deferred its own
  });
});
