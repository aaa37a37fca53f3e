import { createHash, randomBytes } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Doist } from "../../src/core/index.js";
import { readLine, WireLog, writeAll } from "../../src/io/index.js";
import { EchoServerDoer, HandlerError, Server, ServerDoer, type ConnectionHandler, type Remoter } from "../../src/tcp/index.js";
import { bytes, Cleanup, rawClient, runUntil, text, waitUntil, type RawClient } from "../helpers/tcp-harness.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

async function openServer(options: ConstructorParameters<typeof Server>[0] = {}): Promise<Server> {
  const server = cleanup.add(new Server({ port: 0, ...options }), (s) => s.close());
  await server.open();
  return server;
}

function connect(port: number): RawClient {
  return cleanup.add(rawClient(port), (c) => c.socket.destroy());
}

const lineEcho: ConnectionHandler = function* (remoter) {
  for (;;) {
    const line = yield* readLine(remoter.rxbs);
    yield* writeAll(remoter.txbs, bytes(`${text(line)}\n`));
  }
};

describe("ServerDoer", () => {
  it("runs one handler per connection and answers each on its own", async () => {
    const server = await openServer();
    const doist = cleanup.doist([new ServerDoer({ server, handler: lineEcho })]);
    const first = connect(server.port);
    const second = connect(server.port);
    first.socket.write("one\n");
    second.socket.write("two\nthree\n");
    await runUntil(doist, () => first.text() === "one\n" && second.text() === "two\nthree\n", "both answered");
    expect(server.remoters.size).toBe(2);
  });

  it("closes the connection after flushing when the handler returns", async () => {
    const server = await openServer();
    const handler: ConnectionHandler = function* (remoter) {
      const line = yield* readLine(remoter.rxbs);
      remoter.txbs.write(bytes(`bye ${text(line)}\n`));
    };
    const doist = cleanup.doist([new ServerDoer({ server, handler })]);
    const peer = connect(server.port);
    peer.socket.write("alice\n");
    await runUntil(doist, () => peer.ended, "end of the connection");
    expect(peer.text()).toBe("bye alice\n");
    await runUntil(doist, () => server.remoters.size === 0, "removed");
  });

  it("force-closes the handler when the peer goes away, running its finally", async () => {
    const server = await openServer();
    let finalized = 0;
    const handler: ConnectionHandler = function* (remoter) {
      try {
        yield* readLine(remoter.rxbs);
      } finally {
        finalized++;
      }
    };
    const doist = cleanup.doist([new ServerDoer({ server, handler })]);
    const peer = connect(server.port);
    await runUntil(doist, () => server.remoters.size === 1, "accept");
    peer.socket.resetAndDestroy();
    await runUntil(doist, () => server.remoters.size === 0, "removed");
    expect(finalized).toBe(1);
  });

  it("closes only the connection whose handler threw, reports the error, and goes on", async () => {
    const server = await openServer();
    const reported: HandlerError[] = [];
    const handler: ConnectionHandler = function* (remoter) {
      for (;;) {
        const line = text(yield* readLine(remoter.rxbs));
        if (line === "boom") throw new Error("handler exploded");
        remoter.txbs.write(bytes(`${line}\n`));
      }
    };
    const doer = new ServerDoer({ server, handler, onError: (error) => reported.push(error) });
    const doist = cleanup.doist([doer]);
    const bad = connect(server.port);
    const good = connect(server.port);
    bad.socket.write("boom\n");
    await runUntil(doist, () => bad.closed || bad.ended, "the failing connection closes");
    good.socket.write("still here\n");
    await runUntil(doist, () => good.text() === "still here\n", "the other goes on");
    expect(doer.errors).toHaveLength(1);
    expect(reported).toEqual(doer.errors);
    const error = doer.errors[0]!;
    expect(error).toBeInstanceOf(HandlerError);
    expect(error.remoteAddress).toBe(`127.0.0.1:${bad.socket.localPort}`);
    expect(error.message).toContain("handler exploded");
    expect((error.cause as Error).message).toBe("handler exploded");
  });

  it("prints a handler's error to stderr (handle, peer, stack) when there is no onError", async () => {
    const server = await openServer();
    const handler: ConnectionHandler = function* (remoter) {
      yield* readLine(remoter.rxbs);
      throw new Error("unheard failure");
    };
    const printed: string[] = [];
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
    try {
      const doer = new ServerDoer({ server, handler });
      const doist = cleanup.doist([doer]);
      const peer = connect(server.port);
      peer.socket.write("x\n");
      await runUntil(doist, () => doer.errors.length === 1, "the handler fails");
      const text = printed.join("");
      expect(text).toContain(server.label);
      expect(text).toContain(`127.0.0.1:${peer.socket.localPort}`);
      expect(text).toContain("unheard failure");
      expect(text).toMatch(/at .*server-doer\.test\.ts/);
    } finally {
      spy.mockRestore();
    }
  });

  it("treats a clean end of stream between frames as a normal close, not an error", async () => {
    const server = await openServer();
    const doer = new ServerDoer({ server, handler: lineEcho });
    const doist = cleanup.doist([doer]);
    const peer = connect(server.port);
    peer.socket.end("only line\n");
    await runUntil(doist, () => peer.ended, "the server ends too");
    expect(peer.text()).toBe("only line\n");
    expect(doer.errors).toEqual([]);
  });

  it("makes a handler wait while a slow reader lets txbs fill, losing nothing", async () => {
    const server = await openServer({ bufferSize: 16 * 1024 });
    // Far more than the kernel buffers for a reader that does not read (about
    // 4 MiB on loopback here: a 4 MiB payload sometimes fit and txbs never
    // stayed full), so the handler must wait on txbs.
    const payload = new Uint8Array(16 * 1024 * 1024).map((_, index) => (index * 7) & 255);
    let sent = false;
    let remoter: Remoter | undefined;
    const handler: ConnectionHandler = function* (connection) {
      remoter = connection;
      yield* writeAll(connection.txbs, payload);
      sent = true;
    };
    const doist = cleanup.doist([new ServerDoer({ server, handler })]);
    const peer = connect(server.port);
    peer.socket.pause();
    await runUntil(doist, () => remoter !== undefined && remoter.txbs.isFull, "txbs full");
    expect(sent).toBe(false);
    peer.socket.resume();
    await runUntil(doist, () => peer.ended, "all sent", 20_000);
    expect(sent).toBe(true);
    expect(peer.bytes().equals(Buffer.from(payload))).toBe(true);
  });

  it("echoes 10 MB of random data intact (EchoServerDoer, checksum)", async () => {
    const server = await openServer();
    const doist = cleanup.doist([new EchoServerDoer({ server })]);
    const payload = randomBytes(10 * 1024 * 1024);
    const peer = connect(server.port);
    const digest = createHash("sha256");
    let received = 0;
    peer.socket.removeAllListeners("data");
    peer.socket.on("data", (chunk: Buffer) => {
      digest.update(chunk);
      received += chunk.length;
    });
    peer.socket.end(payload);
    await runUntil(doist, () => peer.ended, "echo complete", 20_000);
    expect(received).toBe(payload.length);
    expect(digest.digest("hex")).toBe(createHash("sha256").update(payload).digest("hex"));
  });

  it("keeps echoing after the peer stops reading and resumes (EchoServerDoer back pressure)", async () => {
    const server = await openServer({ bufferSize: 8 * 1024 });
    const doist = cleanup.doist([new EchoServerDoer({ server })]);
    const payload = randomBytes(8 * 1024 * 1024);
    const peer = connect(server.port);
    peer.socket.pause();
    peer.socket.end(payload);
    let remoter: Remoter | undefined;
    await runUntil(doist, () => (remoter ??= [...server.remoters.values()][0]) !== undefined && remoter.receivePaused && remoter.txbs.isFull, "both rings full");
    peer.socket.resume();
    await runUntil(doist, () => peer.ended, "echo complete", 20_000);
    expect(peer.bytes().equals(payload)).toBe(true);
  });

  it("answers within the tick it is woken in, in a real-time Doist (wake)", async () => {
    const server = await openServer();
    const doer = new ServerDoer({ server, handler: lineEcho });
    const doist = new Doist({ doers: [doer], tock: 1, real: true, signals: false });
    const running = doist.do();
    cleanup.add(running, async (run) => {
      doist.remove([doer]);
      await run;
    });
    const peer = connect(server.port);
    const sentAt = doist.tyme;
    peer.socket.write("ping\n");
    let answeredAt: number | undefined;
    await waitUntil(() => {
      if (peer.text() === "ping\n") answeredAt ??= doist.tyme;
      return answeredAt !== undefined;
    }, "answer");
    // Without a wake the answer would wait for the next tock, a second later.
    expect(answeredAt).toBe(sentAt);
  });

  it("records every remoter's traffic in the server's WireLog with the peer address", async () => {
    const wirelog = new WireLog();
    const server = await openServer({ wirelog });
    const doist = cleanup.doist([new ServerDoer({ server, handler: lineEcho })]);
    const peer = connect(server.port);
    peer.socket.write("logged\n");
    await runUntil(doist, () => peer.text() === "logged\n", "echo");
    const peerAddress = `127.0.0.1:${peer.socket.localPort}`;
    expect(wirelog.entries.map((entry) => `${entry.direction} ${entry.peer} ${text(entry.bytes)}`)).toEqual([`rx ${peerAddress} logged\n`, `tx ${peerAddress} logged\n`]);
  });

  it("rejects a missing server with a TypeError naming it", () => {
    expect(() => new ServerDoer({} as never)).toThrow(/^server/);
  });
});
