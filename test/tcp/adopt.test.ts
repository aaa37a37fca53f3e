import { afterEach, describe, expect, it } from "vitest";
import { readAvailable, writeAll } from "../../src/io/index.js";
import { Server, ServerDoer, type ConnectionHandler } from "../../src/tcp/index.js";
import { Cleanup, rawClient, runUntil } from "../helpers/tcp-harness.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

describe("readAvailable over a socket's chunks (handed to rxbs whole, no copy)", () => {
  it("gives each read a plain Uint8Array that owns its whole buffer, which the handler may keep and change", async () => {
    const server = cleanup.add(new Server({ port: 0 }), (s) => s.close());
    await server.open();
    const kept: Uint8Array[] = [];
    const handler: ConnectionHandler = function* (remoter) {
      for (;;) {
        const chunk = yield* readAvailable(remoter.rxbs);
        kept.push(chunk);
        yield* writeAll(remoter.txbs, chunk);
        chunk.fill(0); // the handler's own array: changing it after the echo went into txbs changes nothing sent
      }
    };
    const doist = cleanup.doist([new ServerDoer({ server, handler })]);
    const peer = cleanup.add(rawClient(server.port), (c) => c.socket.destroy());
    const messages = ["first", "second message", "x".repeat(3000), "last"];
    let expected = "";
    for (const message of messages) {
      peer.socket.write(message);
      expected += message;
      await runUntil(doist, () => peer.text() === expected, `echo of ${message.slice(0, 10)}`);
    }
    expect(peer.text()).toBe(expected);
    const total = kept.reduce((sum, chunk) => sum + chunk.length, 0);
    expect(total).toBe(expected.length);
    for (const chunk of kept) {
      expect(chunk.constructor).toBe(Uint8Array);
      expect(chunk.byteOffset).toBe(0);
      expect(chunk.buffer.byteLength).toBe(chunk.length);
      expect(chunk.every((byte) => byte === 0)).toBe(true);
    }
    expect(new Set(kept.map((chunk) => chunk.buffer)).size).toBe(kept.length);
  });
});
