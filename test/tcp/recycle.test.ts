import { afterEach, describe, expect, it } from "vitest";
import { lendRegions, readAvailable, regionsLength, writeAll } from "../../src/io/index.js";
import { Server, ServerDoer, type ConnectionHandler } from "../../src/tcp/index.js";
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
    const stores: string[][] = [];
    // Echoes one message, noting where rxbs and txbs keep their bytes, then waits for the end.
    const handler: ConnectionHandler = function* (remoter) {
      const regions = yield* lendRegions(remoter.rxbs);
      const message = regions[0]!.slice();
      const rx = place(regions[0]!);
      remoter.rxbs.consume(regionsLength(regions));
      yield* writeAll(remoter.txbs, message);
      stores.push([rx, place(remoter.txbs.readRegions()[0]!)]);
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
    const [before, after] = stores as [string[], string[]];
    // Both of the first connection's stores went to the second's two rings (the last given back is taken first).
    expect(new Set(after)).toEqual(new Set(before));
  });
});
