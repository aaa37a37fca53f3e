/**
 * Reliability regressions of issue 11: connection identity (orphans),
 * idle servers that must not spin, idle deadlines counted in real time.
 */
import { readdirSync } from "node:fs";
import net from "node:net";
import v8 from "node:v8";
import vm from "node:vm";
import { afterEach, describe, expect, it } from "vitest";
import { DoDoer, Doist } from "../../src/core/index.js";
import { readAvailable, writeAll } from "../../src/io/index.js";
import { EchoServerDoer, Server, ServerDoer } from "../../src/tcp/index.js";
import { Cleanup, runUntil, turn, waitUntil } from "../helpers/tcp-harness.js";

/** Source address of the reused-port case (see there). */
const SOURCE = "127.0.0.2";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

function openFds(): number {
  return readdirSync("/proc/self/fd").length;
}

/** Handler doers still held by a ServerDoer (its children are groups of handlers). */
function handlerDoers(doer: ServerDoer): number {
  let count = 0;
  for (const group of doer.doers) if (group instanceof DoDoer) count += group.doers.length;
  return count;
}

/** Connects and resets (SO_LINGER 0) as soon as the connect completes. */
function resetAtConnect(port: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    socket.on("error", () => {});
    socket.on("connect", () => socket.resetAndDestroy());
    socket.on("close", () => resolve());
  });
}

/** Connects, sends `text`, waits for its echo, then resets. */
function resetAfterEcho(port: number, text: string): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    socket.on("error", () => {});
    let got = "";
    socket.on("connect", () => socket.write(text));
    socket.on("data", (chunk) => {
      got += chunk.toString();
      if (got.length >= text.length) socket.resetAndDestroy();
    });
    socket.on("close", () => resolve());
  });
}

/** Connects, sends `text`, half-closes, reads to the end. */
function gracefulEcho(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    socket.on("error", () => {});
    let got = "";
    socket.on("connect", () => socket.end(text));
    socket.on("data", (chunk) => (got += chunk.toString()));
    socket.on("close", () => resolve(got));
  });
}

const echoHandler = function* (remoter: import("../../src/tcp/index.js").Remoter) {
  for (;;) {
    const bytes = yield* readAvailable(remoter.rxbs);
    yield* writeAll(remoter.txbs, bytes);
  }
};

describe("connection identity and leaks (issue 11)", () => {
  it("drops connections reset at connect: no remoters, handler doers or fds left behind", async () => {
    const server = cleanup.add(new Server({ port: 0, backlog: 1024 }), (s) => s.close());
    await server.open();
    const doer = new ServerDoer({ server, handler: echoHandler });
    const doist = cleanup.doist([doer]);
    doist.recur();
    const fdsBefore = openFds();
    for (let batch = 0; batch < 20; batch++) {
      const resets = Array.from({ length: 50 }, () => resetAtConnect(server.port));
      let settled = false;
      void Promise.all(resets).then(() => (settled = true));
      await runUntil(doist, () => settled, `batch ${batch} of resets`, 20_000);
    }
    await runUntil(doist, () => server.remoters.size === 0 && handlerDoers(doer) === 0, "every orphan dropped", 20_000);
    expect(server.remoters.size).toBe(0);
    expect(handlerDoers(doer)).toBe(0);
    expect(server.accepted + server.aborted).toBeGreaterThan(0);
    expect(openFds()).toBeLessThanOrEqual(fdsBefore);
  });

  it("keys remoters by a unique id, never by address (a reused local port does not overwrite)", async () => {
    const server = cleanup.add(new Server({ port: 0 }), (s) => s.close());
    await server.open();
    const doer = new ServerDoer({ server, handler: echoHandler });
    const doist = cleanup.doist([doer]);
    // Two connections from the same local port, one after the other: the
    // first one is reset while the server still holds it. They come from
    // 127.0.0.2 (loopback too), whose ports no other connection on this
    // machine takes: from 127.0.0.1 a busy machine's own connections could
    // take the freed port before the second bind.
    const first = net.connect({ port: server.port, host: "127.0.0.1", localAddress: SOURCE });
    first.on("error", () => {});
    await new Promise((resolve) => first.on("connect", resolve));
    const localPort = first.localPort!;
    await runUntil(doist, () => server.remoters.size === 1, "first accepted");
    const [firstId] = [...server.remoters.keys()];
    expect(typeof firstId).toBe("number");
    const firstClosed = new Promise((resolve) => first.on("close", resolve));
    first.resetAndDestroy();
    await firstClosed;
    // Reuse the local port (free again at once after a reset: no TIME_WAIT).
    // The kernel may take a moment to release it: retry a bounded number of times.
    let second: net.Socket | undefined;
    for (let attempt = 0; second === undefined; attempt++) {
      const socket = net.connect({ port: server.port, host: "127.0.0.1", localAddress: SOURCE, localPort });
      cleanup.add(socket, (s) => s.destroy());
      const error = await new Promise<Error | undefined>((resolve) => {
        socket.on("connect", () => resolve(undefined));
        socket.on("error", resolve);
      });
      if (error === undefined) second = socket;
      else if (attempt >= 100 || (error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
      else {
        doist.recur();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    await runUntil(doist, () => server.remoters.size === 1 && !server.remoters.has(firstId!), "second replaces first by id");
    const [remoter] = [...server.remoters.values()];
    expect(remoter!.remotePort).toBe(localPort);
    expect(remoter!.key).toBe(`${SOURCE}:${localPort}`);
    second!.destroy();
    await runUntil(doist, () => server.remoters.size === 0 && handlerDoers(doer) === 0, "both gone");
  });

  it("leaks nothing after churn mixing graceful close, RST after echo and RST at connect", async () => {
    const server = cleanup.add(new Server({ port: 0, backlog: 1024, idleTimeout: 30 }), (s) => s.close());
    await server.open();
    const doer = new ServerDoer({ server, handler: echoHandler });
    const doist = cleanup.doist([doer]);
    doist.recur();
    // Warm up once so lazily made things (stores, groups) are counted in the baseline.
    let warm = "";
    void gracefulEcho(server.port, "warm").then((text) => (warm = text));
    await runUntil(doist, () => warm === "warm" && server.remoters.size === 0, "warm-up gone");
    gc();
    const fdsBefore = openFds();
    const heapBefore = process.memoryUsage().heapUsed;
    for (let batch = 0; batch < 20; batch++) {
      const work: Promise<unknown>[] = [];
      for (let index = 0; index < 30; index++) {
        const kind = index % 3;
        if (kind === 0) work.push(gracefulEcho(server.port, `g${index}`).then((text) => expect(text).toBe(`g${index}`)));
        else if (kind === 1) work.push(resetAfterEcho(server.port, `r${index}`));
        else work.push(resetAtConnect(server.port));
      }
      let settled = false;
      void Promise.all(work).then(() => (settled = true));
      await runUntil(doist, () => settled, `churn batch ${batch}`, 20_000);
    }
    await runUntil(doist, () => server.remoters.size === 0 && handlerDoers(doer) === 0 && server.idleCount === 0, "all dropped", 20_000);
    expect(server.idleCount).toBe(0);
    expect(server.due).toBe(Number.POSITIVE_INFINITY);
    expect(openFds()).toBeLessThanOrEqual(fdsBefore);
    for (let index = 0; index < 3; index++) {
      gc();
      await turn();
    }
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(4 * 1024 * 1024);
  });
});

describe("idle deadlines (issue 11)", () => {
  it("an idle server with idleTimeout and no connections does not run every tock", async () => {
    const server = cleanup.add(new Server({ port: 0, idleTimeout: 0.1 }), (s) => s.close());
    await server.open();
    const doer = new ServerDoer({ server, handler: echoHandler });
    const doist = cleanup.doist([doer]);
    // Connections that come and go (some reset at connect) leave no deadline.
    await Promise.all(Array.from({ length: 20 }, () => resetAtConnect(server.port)));
    await runUntil(doist, () => server.remoters.size === 0 && handlerDoers(doer) === 0, "orphans dropped");
    for (let index = 0; index < 20; index++) {
      doist.recur();
      await turn();
    }
    expect(server.due).toBe(Number.POSITIVE_INFINITY);
    // Asleep: no deed due before the end of time.
    const deed = doist.deeds.find((view) => view.doer === doer)!;
    expect(deed.retyme).toBe(Number.POSITIVE_INFINITY);
  });

  it("counts idleTimeout from the connection's real arrival after a quiet real-time Doist", async () => {
    const server = cleanup.add(new Server({ port: 0, idleTimeout: 0.5 }), (s) => s.close());
    await server.open();
    const echo = new EchoServerDoer({ server });
    const doist = new Doist({ doers: [echo], real: true, tock: 0.01, signals: false });
    const running = doist.do();
    cleanup.add(doist, async (d) => {
      d.remove([echo]);
      d.wake();
      await running;
    });
    // Let the Doist sleep with nothing to do for three idle timeouts of wall clock.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const socket = net.connect({ port: server.port, host: "127.0.0.1" });
    cleanup.add(socket, (s) => s.destroy());
    socket.on("error", () => {});
    let echoed = "";
    let closedAt = 0;
    const start = performance.now();
    socket.on("data", (chunk) => (echoed += chunk.toString()));
    socket.on("close", () => (closedAt = performance.now()));
    socket.on("connect", () => socket.write("hello"));
    await waitUntil(() => closedAt > 0, "the idle connection is closed", 10_000);
    expect(echoed).toBe("hello");
    // Closed by the idle timeout, counted from its arrival, not from the Doist's stale tyme.
    expect(closedAt - start).toBeGreaterThan(400);
  });
});
