import { readdirSync } from "node:fs";
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { DoDoer } from "../../src/core/index.js";
import { lendRegions, readAvailable, regionsLength, writeAll } from "../../src/io/index.js";
import { Server, ServerDoer, type ConnectionHandler, type Remoter } from "../../src/tcp/index.js";
import { Cleanup, rawClient, runUntil, type RawClient } from "../helpers/tcp-harness.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** Where a view's bytes live: its ArrayBuffer (numbered on first sight) and offset. */
const buffers = new Map<ArrayBufferLike, number>();
function place(view: Uint8Array): string {
  if (!buffers.has(view.buffer)) buffers.set(view.buffer, buffers.size);
  return `${buffers.get(view.buffer)}:${view.byteOffset}`;
}

describe("a server's reaped connections give their ring stores to the next ones", () => {
  it("the next connection's rings take the stores of one that closed cleanly", async () => {
    const server = cleanup.add(new Server({ port: 0 }), (s) => s.close());
    await server.open();
    const stores: string[] = [];
    // Echoes one message, noting where txbs keeps its bytes, then waits for the end.
    // (rxbs has no store here: the socket's chunk is handed over whole.)
    const handler: ConnectionHandler = function* (remoter) {
      const regions = yield* lendRegions(remoter.rxbs);
      const message = regions[0]!.slice();
      remoter.rxbs.consume(regionsLength(regions));
      yield* writeAll(remoter.txbs, message);
      stores.push(place(remoter.txbs.readRegions()[0]!));
      yield* readAvailable(remoter.rxbs); // the peer's FIN: a clean end
    };
    const doist = cleanup.doist([new ServerDoer({ server, handler })]);
    const connect = (): RawClient => cleanup.add(rawClient(server.port), (c) => c.socket.destroy());

    const first = connect();
    first.socket.write("one");
    await runUntil(doist, () => first.text() === "one", "the first echo");
    first.socket.end();
    await runUntil(doist, () => server.remoters.size === 0, "the first connection removed");
    doist.recur(); // the pass that reaps it

    const second = connect();
    second.socket.write("two");
    await runUntil(doist, () => second.text() === "two", "the second echo");
    expect(stores).toHaveLength(2);
    expect(stores[1]).toBe(stores[0]);
  });

  it("keeps every connection's bytes its own through churn that reuses stores (graceful ends and resets mixed), and leaks nothing", async () => {
    const server = cleanup.add(new Server({ port: 0, bufferSize: 16_384 }), (s) => s.close());
    await server.open();
    const served: Remoter[] = [];
    const echo: ConnectionHandler = function* (remoter) {
      served.push(remoter);
      for (;;) yield* writeAll(remoter.txbs, yield* readAvailable(remoter.rxbs));
    };
    const doer = new ServerDoer({ server, handler: echo });
    const doist = cleanup.doist([doer]);
    const fdsBefore = readdirSync("/proc/self/fd").length;
    // Each connection's bytes follow its own pattern; sizes cross the 4 KiB first store and the 16 KiB rings.
    const payload = (index: number): Uint8Array => Uint8Array.from({ length: 1 + ((index * 7919) % 40_000) }, (_, at) => (index * 31 + at * 7) & 0xff);
    /** Sends the payload and half-closes; resolves with what came back, or resets after the first bytes back. */
    const exchange = (index: number, reset: boolean): Promise<Uint8Array> =>
      new Promise((resolve) => {
        const socket = net.connect({ port: server.port, host: "127.0.0.1" });
        const chunks: Buffer[] = [];
        socket.on("error", () => {});
        socket.on("connect", () => socket.end(payload(index)));
        socket.on("data", (chunk: Buffer) => {
          chunks.push(chunk);
          if (reset) socket.resetAndDestroy();
        });
        socket.on("close", () => resolve(new Uint8Array(Buffer.concat(chunks))));
      });
    let done = 0;
    for (let wave = 0; wave < 10; wave++) {
      const results = Array.from({ length: 12 }, (_, slot) => {
        const index = wave * 12 + slot;
        const reset = index % 3 === 2;
        return exchange(index, reset).then((echoed) => {
          if (!reset) expect(Buffer.from(echoed).equals(Buffer.from(payload(index)))).toBe(true);
          done++;
        });
      });
      let settled = false;
      void Promise.all(results).then(() => (settled = true));
      await runUntil(doist, () => settled, `wave ${wave}`);
    }
    expect(done).toBe(120);
    await runUntil(doist, () => server.remoters.size === 0, "every connection reaped");
    doist.recur();
    let handlers = 0;
    for (const group of doer.doers) if (group instanceof DoDoer) handlers += group.doers.length;
    expect(handlers).toBe(0);
    expect(readdirSync("/proc/self/fd").length).toBeLessThanOrEqual(fdsBefore);
    // No dog or pump still waits on a gone connection's rings.
    expect(served.length).toBe(120);
    const waiters = served.reduce(
      (sum, remoter) => sum + remoter.rxbs.dataSignal.waiting + remoter.rxbs.spaceSignal.waiting + remoter.txbs.dataSignal.waiting + remoter.txbs.spaceSignal.waiting,
      0,
    );
    expect(waiters).toBe(0);
  });
});
