import { AsyncLocalStorage, createHook } from "node:async_hooks";
import { once } from "node:events";
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { Doist, doify, currentWaker, WAIT, type Waker } from "../../src/core/index.js";

/** A connected loopback pair: bytes written to `client` arrive as 'data' on `peer`. */
interface Pair {
  server: Server;
  client: Socket;
  peer: Socket;
}

let pair: Pair | undefined;
let running: Doist | undefined;

afterEach(async () => {
  await running?.[Symbol.asyncDispose]();
  running = undefined;
  if (pair !== undefined) {
    pair.client.destroy();
    pair.peer.destroy();
    pair.server.close();
    await once(pair.server, "close");
    pair = undefined;
  }
});

async function loopback(): Promise<Pair> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const accepted = once(server, "connection") as Promise<[Socket]>;
  const client = createConnection((server.address() as AddressInfo).port, "127.0.0.1");
  await once(client, "connect");
  const [peer] = await accepted;
  client.setNoDelay(true);
  pair = { server, client, peer };
  return pair;
}

describe("Doist.do in real time: wakes from I/O", () => {
  it("runs a deed woken from a loopback socket's 'data' callback right after the callback, before the turn's setImmediate and timers", async () => {
    const { client, peer } = await loopback();
    const rounds = 20;
    const orders: string[][] = [];
    let order: string[] = [];
    let waker: Waker | undefined;
    let timeouts = 0;
    let allTimedOut!: () => void;
    const timedOut = new Promise<void>((resolve) => (allTimedOut = resolve));
    peer.on("data", () => {
      const seen: string[] = [];
      order = seen;
      orders.push(seen);
      setImmediate(() => seen.push("immediate"));
      setTimeout(() => {
        seen.push("timeout");
        if (++timeouts === rounds) allTimedOut();
      }, 0);
      waker!.wake();
      seen.push("callback returns"); // the pass never runs inside wake()
    });
    const waiter = doify(function* () {
      waker = currentWaker();
      yield;
      for (let round = 0; round < rounds; round++) {
        client.write("x");
        yield WAIT; // the Doist sleeps until the byte's 'data' wakes it
        order.push("deed");
      }
      return true;
    });
    running = new Doist({ tock: 0.03125, real: true, limit: 60, doers: [waiter], signals: false });
    await expect(running.do()).resolves.toBe(true);
    await timedOut;
    expect(orders).toHaveLength(rounds);
    for (const seen of orders) expect(seen).toEqual(["callback returns", "deed", "immediate", "timeout"]);
  });

  it("keeps one sleep timer across wakes instead of clearing and setting one per wake", async () => {
    const { client, peer } = await loopback();
    const rounds = 40;
    let waker: Waker | undefined;
    let timeouts = 0;
    const hook = createHook({
      init(_id, type) {
        if (type === "Timeout") timeouts++;
      },
    });
    peer.on("data", () => waker!.wake());
    const waiter = doify(function* () {
      waker = currentWaker();
      yield;
      for (let round = 0; round < rounds; round++) {
        client.write("x");
        yield WAIT;
      }
      return true;
    });
    running = new Doist({ tock: 0.03125, real: true, limit: 60, doers: [waiter], signals: false });
    hook.enable();
    try {
      await expect(running.do()).resolves.toBe(true);
    } finally {
      hook.disable();
    }
    // One for the first sleep, one for the final tick's wait; the old loop set
    // one per wake (40). Slack for timers the test runner sets meanwhile.
    expect(timeouts).toBeLessThan(rounds / 4);
  });

  it("re-arms the kept timer when a wake pass moves the deadline earlier", async () => {
    const { client, peer } = await loopback();
    const runs: number[] = [];
    let waker: Waker | undefined;
    peer.on("data", () => waker!.wake());
    const waiter = doify(function* (tymth) {
      waker = currentWaker();
      yield;
      client.write("x");
      runs.push(yield WAIT); // asleep with the timer armed for the limit, 60 s away
      runs.push(yield 0.0625); // due long before that timer
      runs.push(tymth());
      return true;
    });
    running = new Doist({ tock: 0.03125, real: true, limit: 60, doers: [waiter], signals: false });
    // A Doist that kept waiting for the 60 s timer would be stopped here and reject.
    await expect(running.do({ signal: AbortSignal.timeout(20_000) })).resolves.toBe(true);
    expect(runs).toHaveLength(3);
    expect(runs[1]).toBe(runs[0]! + 0.0625);
  });

  it("rejects do() with the error a deed threw in a wake pass, after its exit ran, and leaves no timer behind", async () => {
    const { client, peer } = await loopback();
    const boom = new Error("boom in a wake pass");
    const trace: string[] = [];
    let waker: Waker | undefined;
    peer.on("data", () => waker!.wake());
    const thrower = doify(function* () {
      waker = currentWaker();
      try {
        yield;
        client.write("x");
        yield WAIT;
        trace.push("woken");
        throw boom;
      } finally {
        trace.push("exit");
      }
    });
    const sleeper = doify(function* () {
      try {
        for (;;) yield 10;
      } finally {
        trace.push("sleeper exit");
      }
    });
    const timersBefore = process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;
    running = new Doist({ tock: 0.03125, real: true, limit: 60, doers: [thrower, sleeper], signals: false });
    await expect(running.do()).rejects.toBe(boom);
    expect(trace).toEqual(["woken", "exit", "sleeper exit"]);
    expect(running.deeds).toEqual([]);
    expect(process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length).toBe(timersBefore);
  });

  it("runs a pass woken from another async context in the context of the do() call", async () => {
    const { client, peer } = await loopback();
    const storage = new AsyncLocalStorage<string>();
    const seen: (string | undefined)[] = [];
    let waker: Waker | undefined;
    peer.on("data", () => storage.run("socket callback", () => waker!.wake()));
    const waiter = doify(function* () {
      waker = currentWaker();
      yield;
      for (let round = 0; round < 3; round++) {
        client.write("x");
        yield WAIT;
        seen.push(storage.getStore());
      }
      return true;
    });
    running = new Doist({ tock: 0.03125, real: true, limit: 60, doers: [waiter], signals: false });
    const doist = running;
    await expect(storage.run("do() caller", () => doist.do())).resolves.toBe(true);
    expect(seen).toEqual(["do() caller", "do() caller", "do() caller"]);
  });
});
