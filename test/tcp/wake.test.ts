import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type DoDoer, Doist, doify, WAIT } from "../../src/core/index.js";
import { readAvailable } from "../../src/io/index.js";
import { Client, ClientDoer, type ConnectionHandler, type Remoter, Server, ServerDoer } from "../../src/tcp/index.js";
import { Cleanup, rawServer, turn, waitUntil } from "../helpers/tcp-harness.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const TOTAL = 64 * 1024;

describe("wakes during a pass (real time)", () => {
  it("delivers a client's held bytes moved into rxbs during service in the same turn, not a tock later", async () => {
    // The peer sends 64 KiB at once into a 1 KiB rxbs: almost every byte is
    // held and moved into rxbs by service() while the reader made room. Each
    // such move must run the reader again in a wake pass at once; a tock of
    // 1 s per move would take 64 s (the limit stops the run after 3).
    const payload = new Uint8Array(TOTAL).map((_, index) => index % 251);
    const server = cleanup.add(
      await rawServer((socket) => {
        socket.end(payload);
      }),
      (s) => s.close(),
    );
    const client = cleanup.add(new Client({ port: server.port, bufferSize: 1024 }), (c) => c.close());
    const received: Uint8Array[] = [];
    let count = 0;
    let doneAt: number | undefined;
    const reader = doify(function* (tymth) {
      while (count < TOTAL) {
        const chunk = yield* readAvailable(client.rxbs);
        received.push(chunk);
        count += chunk.length;
      }
      doneAt = tymth();
      stop.abort();
      return true;
    });
    const stop = new AbortController();
    const doist = new Doist({ doers: [new ClientDoer({ client }), reader], real: true, tock: 1, limit: 3, signals: false });
    await doist.do({ signal: stop.signal }).catch(() => false);
    expect(count).toBe(TOTAL);
    expect(doneAt).toBe(0); // every move ran before the first tock
    const all = new Uint8Array(TOTAL);
    let at = 0;
    for (const chunk of received) {
      all.set(chunk, at);
      at += chunk.length;
    }
    expect(all).toEqual(payload);
  });

  it("delivers a remoter's held bytes moved into rxbs during a server pass in the same turn", async () => {
    const payload = new Uint8Array(TOTAL).map((_, index) => (index * 7) % 253);
    const server = cleanup.add(new Server({ port: 0, bufferSize: 1024 }), (s) => s.close());
    let count = 0;
    let doneAt: number | undefined;
    let clock: (() => number) | undefined;
    const doer = new ServerDoer({
      server,
      *handler(remoter) {
        while (count < TOTAL) {
          const chunk = yield* readAvailable(remoter.rxbs);
          count += chunk.length;
        }
        doneAt = clock?.();
        stop.abort();
      },
    });
    const stop = new AbortController();
    const doist = new Doist({ doers: [doer], real: true, tock: 1, limit: 3, signals: false });
    clock = () => doist.tyme;
    const running = doist.do({ signal: stop.signal }).catch(() => false);
    await server.open();
    const socket = net.connect(server.port, "127.0.0.1", () => socket.end(payload));
    cleanup.add(socket, (s) => s.destroy());
    await running;
    expect(count).toBe(TOTAL);
    expect(doneAt).toBe(0);
  });

  /**
   * A real-time run of a ServerDoer (tock 0) whose recurs are counted, on a
   * loopback server, and a connected `net` socket: `passes()` is the count,
   * `atConnect` what it was when the socket connected.
   */
  async function countedServer(handler: ConnectionHandler): Promise<{ server: Server; doer: ServerDoer; socket: net.Socket; passes: () => number; atConnect: number }> {
    let passes = 0;
    class CountingServerDoer extends ServerDoer {
      override recur(tyme: number): boolean {
        passes++;
        return super.recur(tyme);
      }
    }
    const server = cleanup.add(new Server({ port: 0 }), (s) => s.close());
    const doer = new CountingServerDoer({ server, handler });
    const stop = new AbortController();
    const doist = new Doist({ doers: [doer], real: true, tock: 0, signals: false });
    const running = doist.do({ signal: stop.signal }).catch(() => false);
    cleanup.add(running, async (run) => {
      stop.abort();
      await run;
    });
    await server.open();
    await turn();
    const atConnect = passes;
    const socket = cleanup.add(net.connect(server.port, "127.0.0.1"), (s) => s.destroy());
    socket.on("error", () => {});
    return { server, doer, socket, passes: () => passes, atConnect };
  }

  /** Handler doers left in the ServerDoer's groups, and dogs or pumps still waiting on `remoter`'s rings. */
  function leftovers(doer: ServerDoer, remoter: Remoter): { handlers: number; waiters: number } {
    let handlers = 0;
    for (const group of doer.doers) handlers += (group as DoDoer).doers.length;
    const { rxbs, txbs } = remoter;
    return { handlers, waiters: rxbs.dataSignal.waiting + rxbs.spaceSignal.waiting + txbs.dataSignal.waiting + txbs.spaceSignal.waiting };
  }

  /** Lets any wake pass of this turn run (wake passes run in the same turn). */
  async function settle(): Promise<void> {
    await turn();
    await turn();
  }

  it("runs a new connection's handler and a finished one's reaping in the pass that serviced them, with no wake pass after", async () => {
    // A handler entered before the handlers run (accepts), or woken then (its
    // rxbs ends), runs later in the same pass; reaping a finished handler
    // removes it from an always-on group. Neither needs a wake pass.
    let started = 0;
    let ended = 0;
    let served: Remoter | undefined;
    const { server, doer, socket, passes, atConnect } = await countedServer(function* (remoter) {
      started++;
      served = remoter;
      try {
        for (;;) yield* readAvailable(remoter.rxbs);
      } finally {
        ended++;
      }
    });
    await waitUntil(() => started === 1, "the handler to start");
    await settle();
    expect(passes() - atConnect).toBe(1); // accept and the handler's first step: one pass
    const atEnd = passes();
    socket.end();
    await waitUntil(() => ended === 1 && server.remoters.size === 0, "the connection to be reaped");
    await settle();
    // The peer's FIN (the handler ends, FIN sent back) and the socket's close (reaped): a pass each.
    expect(passes() - atEnd).toBe(2);
    expect(leftovers(doer, served!)).toEqual({ handlers: 0, waiters: 0 });
  });

  it("force-closes the handler of a connection that was reset in the pass that reaps it, with no wake pass after", async () => {
    // The handler waits on nothing the connection can wake, so the reap
    // removes (force-closes) it: removing a doer from an always-on handler
    // group cannot end it, so the removal wakes nothing.
    let started = 0;
    let closed = 0;
    let served: Remoter | undefined;
    const { server, doer, socket, passes } = await countedServer(function* (remoter) {
      started++;
      served = remoter;
      try {
        for (;;) yield WAIT;
      } finally {
        closed++;
      }
    });
    await waitUntil(() => started === 1, "the handler to start");
    await settle();
    const before = passes();
    socket.resetAndDestroy();
    await waitUntil(() => closed === 1 && server.remoters.size === 0, "the reset connection to be reaped");
    await settle();
    expect(passes() - before).toBe(1);
    expect(leftovers(doer, served!)).toEqual({ handlers: 0, waiters: 0 });
  });
});
