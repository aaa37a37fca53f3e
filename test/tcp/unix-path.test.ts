/**
 * Client and Server over a Unix stream socket path (issue 13, item 4): the
 * same fault tests as over TCP, stale socket files, and real peers (socat,
 * nc -U). Python hio has no Unix *stream* transport (its tcp package binds
 * AF_INET, its uxd package is SOCK_DGRAM only), so there is no hio interop
 * here.
 *
 * A Unix stream peer cannot send RST: a peer that goes away without reading
 * what we sent shows as its end (EOF), and our next write fails with EPIPE,
 * a ConnectionResetError.
 */
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { doify } from "../../src/core/index.js";
import { readLine, writeAll } from "../../src/io/index.js";
import {
  Client,
  ClientDoer,
  ClientTls,
  ConnectError,
  ConnectionResetError,
  EchoServerDoer,
  IdleTimeoutError,
  ListenError,
  Server,
  ServerDoer,
  ServerTls,
  type ConnectionHandler,
} from "../../src/tcp/index.js";
import { bytes, Cleanup, runUntil, text, waitUntil } from "../helpers/tcp-harness.js";
import { makeTestCerts, type TestCerts } from "../helpers/tcp-certs.js";
import { needPeers } from "../helpers/peers.js";
import { startPeer } from "../helpers/tcp-peers.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

let dir: string;
let certs: TestCerts;
let count = 0;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "hio-unix-"));
  certs = await makeTestCerts();
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  certs.remove();
});

/** A fresh socket path in the test folder. */
function socketPath(): string {
  return join(dir, `s${++count}.sock`);
}

function openFds(): number {
  return readdirSync("/proc/self/fd").length;
}

/** A raw `net` client on a path that collects what it receives. */
interface PathClient {
  socket: net.Socket;
  received: Buffer[];
  ended: boolean;
  closed: boolean;
  text(): string;
}

function pathClient(path: string, paused = false): PathClient {
  const socket = net.connect({ path, allowHalfOpen: true });
  const peer: PathClient = { socket, received: [], ended: false, closed: false, text: () => Buffer.concat(peer.received).toString("utf8") };
  if (paused) socket.pause();
  else socket.on("data", (chunk: Buffer) => peer.received.push(chunk));
  socket.on("end", () => (peer.ended = true));
  socket.on("close", () => (peer.closed = true));
  socket.on("error", () => {});
  return cleanup.add(peer, (p) => p.socket.destroy());
}

/** A raw `net` server on a path, with its accepted sockets. */
async function pathServer(path: string, onSocket: (socket: net.Socket) => void) {
  const sockets: net.Socket[] = [];
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.push(socket);
    socket.on("error", () => {});
    onSocket(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ path }, () => resolve());
  });
  const raw = {
    server,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  return cleanup.add(raw, (r) => (r.server.listening ? r.close() : undefined));
}

function echo(socket: net.Socket): void {
  socket.on("data", (chunk) => socket.write(chunk));
  socket.on("end", () => socket.end());
}

async function openServer(options: ConstructorParameters<typeof Server>[0]): Promise<Server> {
  const server = cleanup.add(new Server(options), (s) => s.close());
  await server.open();
  return server;
}

function client(options: ConstructorParameters<typeof Client>[0]): Client {
  return cleanup.add(new Client(options), (c) => c.close());
}

const lineEcho: ConnectionHandler = function* (remoter) {
  for (;;) {
    const line = yield* readLine(remoter.rxbs);
    yield* writeAll(remoter.txbs, bytes(`${text(line)}\n`));
  }
};

const shout: ConnectionHandler = function* (remoter) {
  for (;;) {
    const line = yield* readLine(remoter.rxbs);
    yield* writeAll(remoter.txbs, bytes(`${text(line).toUpperCase()}\n`));
  }
};

describe("options", () => {
  const long = `/tmp/${"x".repeat(120)}.sock`;
  it.each([
    [{ path: "" }, TypeError, /^path/],
    [{ path: 5 as unknown as string }, TypeError, /^path/],
    [{ path: "/tmp/a\0b" }, TypeError, /^path/],
    [{ path: long }, RangeError, /^path must be at most 107 bytes/],
    [{ path: "/tmp/x.sock", port: 7000 }, TypeError, /^port must not be given with path/],
    [{ path: "/tmp/x.sock", host: "127.0.0.1" }, TypeError, /^host must not be given with path/],
  ])("Client and Server reject bad path options %#", (options, type, message) => {
    expect(() => new Client(options)).toThrow(type);
    expect(() => new Client(options)).toThrow(message);
    expect(() => new Server(options)).toThrow(type);
    expect(() => new Server(options)).toThrow(message);
  });

  it("a Client needs a port or a path", () => {
    expect(() => new Client({})).toThrow(TypeError);
    expect(() => new Client({})).toThrow(/^port must be a number \(or give a Unix socket path\)/);
  });

  it("labels name the path; host and port say there is none", () => {
    const path = socketPath();
    const tcp = new Client({ path });
    const server = new Server({ path });
    expect(tcp.label).toBe(`client ${path}`);
    expect(server.label).toBe(`server ${path}`);
    expect([tcp.path, tcp.host, tcp.port]).toEqual([path, "localhost", 0]);
    expect([server.path, server.port]).toEqual([path, 0]);
    expect(new Client({ port: 7 }).path).toBeUndefined();
  });
});

describe("Server on a path", () => {
  it("echoes a raw net client, names its remoter unix#id, and removes its socket file on close", async () => {
    const path = socketPath();
    const server = await openServer({ path });
    expect(server.state).toBe("open");
    expect(lstatSync(path).isSocket()).toBe(true);
    const doist = cleanup.doist([new EchoServerDoer({ server })]);
    const peer = pathClient(path);
    await runUntil(doist, () => server.remoters.size === 1, "accept");
    const remoter = [...server.remoters.values()][0]!;
    expect(remoter.key).toBe(`unix#${remoter.id}`);
    expect(remoter.remoteAddress).toBe(path);
    expect(remoter.remotePort).toBe(0);
    expect(remoter.label).toBe(`remoter unix#${remoter.id} of server ${path}`);
    expect(server.aborted).toBe(0);
    peer.socket.end("over unix");
    await runUntil(doist, () => peer.closed, "echo and close");
    expect(peer.text()).toBe("over unix");
    await runUntil(doist, () => server.remoters.size === 0, "reaped");
    server.close();
    expect(existsSync(path)).toBe(false);
  });

  it("sees a peer's FIN as cutoff and still sends (half-close)", async () => {
    const path = socketPath();
    const server = await openServer({ path });
    const doist = cleanup.doist([new ServerDoer({ server })]);
    const peer = pathClient(path);
    peer.socket.end("from the peer");
    // The FIN makes the remoter cutoff at once; rxbs ends at the next service pass.
    await runUntil(doist, () => server.remoters.size === 1 && [...server.remoters.values()][0]!.cutoff && [...server.remoters.values()][0]!.rxbs.ended, "the peer's FIN");
    const remoter = [...server.remoters.values()][0]!;
    expect(text(remoter.rxbs.read())).toBe("from the peer");
    expect(remoter.rxbs.ended).toBe(true);
    expect(remoter.maySend).toBe(true);
    remoter.txbs.write(bytes("still talking"));
    remoter.shutdownSend();
    await runUntil(doist, () => peer.ended, "our reply and FIN");
    expect(peer.text()).toBe("still talking");
  });

  it("reports a peer gone without reading as ConnectionResetError (EPIPE) and reaps the remoter", async () => {
    const path = socketPath();
    const server = await openServer({ path });
    const doist = cleanup.doist([new ServerDoer({ server })]);
    const peer = pathClient(path, true);
    await runUntil(doist, () => server.remoters.size === 1, "accept");
    const remoter = [...server.remoters.values()][0]!;
    remoter.txbs.write(bytes("unread"));
    await runUntil(doist, () => remoter.sentBytes === 6, "the OS took the bytes");
    peer.socket.destroy();
    await runUntil(doist, () => remoter.cutoff || !remoter.alive, "the peer's end");
    if (!remoter.txbs.ended) remoter.txbs.write(bytes("more"));
    await runUntil(doist, () => server.remoters.size === 0, "reaped after the failed write");
    expect(remoter.error).toBeInstanceOf(ConnectionResetError);
    expect(["EPIPE", "ECONNRESET"]).toContain(remoter.error?.code);
    expect(remoter.error?.message).toContain(`remoter unix#${remoter.id} of server ${path}`);
  });

  it("closes a connection idle past idleTimeout with an IdleTimeoutError", async () => {
    const path = socketPath();
    const server = await openServer({ path, idleTimeout: 0.25 });
    const doist = cleanup.doist([new EchoServerDoer({ server })]);
    const peer = pathClient(path);
    await runUntil(doist, () => server.remoters.size === 1, "accept");
    const remoter = [...server.remoters.values()][0]!;
    await runUntil(doist, () => peer.ended, "closed for idleness");
    expect(remoter.error).toBeInstanceOf(IdleTimeoutError);
    expect(remoter.error?.message).toContain(`of server ${path}`);
    expect(server.remoters.size).toBe(0);
    expect(server.idleCount).toBe(0);
  });

  it("fails in a folder that does not exist with a ListenError naming the path", async () => {
    const path = join(dir, "no-such-folder", "x.sock");
    const server = cleanup.add(new Server({ path }), (s) => s.close());
    await expect(server.open()).rejects.toThrow(ListenError);
    expect(server.state).toBe("closed");
    expect(server.error?.message).toContain(`server ${path}: cannot listen`);
    expect(existsSync(path)).toBe(false);
  });

  it("removes a stale socket file left by a server that died", async () => {
    const path = socketPath();
    // A process that listens and exits without closing: its socket file stays.
    const died = spawnSync(process.execPath, ["-e", `require("net").createServer().listen(${JSON.stringify(path)}, () => process.exit(0))`], { timeout: 10_000 });
    expect(died.status).toBe(0);
    expect(lstatSync(path).isSocket()).toBe(true);
    const server = await openServer({ path });
    const doist = cleanup.doist([new EchoServerDoer({ server })]);
    const peer = pathClient(path);
    peer.socket.end("fresh");
    await runUntil(doist, () => peer.closed, "echo on the reclaimed path");
    expect(peer.text()).toBe("fresh");
  });

  it("leaves a path a live server listens on alone: ListenError EADDRINUSE naming the path", async () => {
    const path = socketPath();
    const first = await openServer({ path });
    const second = cleanup.add(new Server({ path }), (s) => s.close());
    await expect(second.open()).rejects.toThrow(ListenError);
    expect(second.error?.code).toBe("EADDRINUSE");
    expect(second.error?.message).toContain(`server ${path}: cannot listen: EADDRINUSE`);
    second.close();
    // The first server's file and listener are untouched.
    const doist = cleanup.doist([new EchoServerDoer({ server: first })]);
    const peer = pathClient(path);
    peer.socket.end("first");
    await runUntil(doist, () => peer.closed, "the first server still serves");
    expect(peer.text()).toBe("first");
  });

  it("never removes a file that is not a socket: ListenError EADDRINUSE naming the path", async () => {
    const path = socketPath();
    writeFileSync(path, "precious");
    const server = cleanup.add(new Server({ path }), (s) => s.close());
    await expect(server.open()).rejects.toThrow(ListenError);
    expect(server.error?.code).toBe("EADDRINUSE");
    expect(server.error?.message).toContain(path);
    expect(readFileSync(path, "utf8")).toBe("precious");
  });

  it.runIf(process.platform === "linux")("listens on a Linux abstract name (leading NUL), with no file", async () => {
    const path = `\0hio-ts-test-${process.pid}-${++count}`;
    const server = await openServer({ path });
    const tcp = client({ path });
    const doist = cleanup.doist([new EchoServerDoer({ server }), new ClientDoer({ client: tcp })]);
    tcp.txbs.write(bytes("abstract"));
    await runUntil(doist, () => tcp.rxbs.length === 8, "echo");
    expect(text(tcp.rxbs.read())).toBe("abstract");
  });

  it("speaks TLS over a path (ServerTls and ClientTls, certificate checked against localhost)", async () => {
    const path = socketPath();
    const server = cleanup.add(new ServerTls({ path, tls: { cert: certs.serverCert, key: certs.serverKey } }), (s) => s.close());
    await server.open();
    const tls = cleanup.add(new ClientTls({ path, tls: { ca: certs.ca } }), (c) => c.close());
    expect(tls.label).toBe(`client ${path} (tls)`);
    expect(server.label).toBe(`server ${path} (tls)`);
    const doist = cleanup.doist([new ServerDoer({ server, handler: lineEcho }), new ClientDoer({ client: tls })]);
    await runUntil(doist, () => tls.connected, "handshake");
    tls.txbs.write(bytes("secret\n"));
    await runUntil(doist, () => tls.rxbs.length === 7, "echo");
    expect(text(tls.rxbs.read())).toBe("secret\n");
    expect([...server.remoters.values()][0]?.key).toMatch(/^unix#\d+$/);
  });
});

describe("Client on a path", () => {
  it("exchanges bytes with a raw net server and with a hio-ts Server", async () => {
    const rawPath = socketPath();
    await pathServer(rawPath, echo);
    const first = client({ path: rawPath });
    const path = socketPath();
    const server = await openServer({ path });
    const second = client({ path });
    const doist = cleanup.doist([new ServerDoer({ server, handler: shout }), new ClientDoer({ client: first }), new ClientDoer({ client: second })]);
    await runUntil(doist, () => first.connected && second.connected, "both connect");
    first.txbs.write(bytes("raw\n"));
    second.txbs.write(bytes("hio\n"));
    await runUntil(doist, () => first.rxbs.length === 4 && second.rxbs.length === 4, "both answers");
    expect(text(first.rxbs.read())).toBe("raw\n");
    expect(text(second.rxbs.read())).toBe("HIO\n");
  });

  it("half-closes with shutdownSend and reads the peer's end", async () => {
    const path = socketPath();
    await pathServer(path, echo);
    const tcp = client({ path });
    const doist = cleanup.doist([new ClientDoer({ client: tcp })]);
    tcp.txbs.write(bytes("last words"));
    tcp.shutdownSend();
    await runUntil(doist, () => tcp.rxbs.ended, "the peer's end");
    expect(text(tcp.rxbs.read())).toBe("last words");
    expect(tcp.rxbs.exhausted).toBe(true);
  });

  it("keeps sending after the peer's FIN (cutoff), and a peer gone without reading is a ConnectionResetError naming the path", async () => {
    const path = socketPath();
    const raw = await pathServer(path, (socket) => socket.end("bye"));
    const tcp = client({ path });
    const doist = cleanup.doist([new ClientDoer({ client: tcp })]);
    await runUntil(doist, () => tcp.cutoff, "the peer's FIN");
    expect(text(tcp.rxbs.read())).toBe("bye");
    const received: Buffer[] = [];
    raw.sockets[0]!.on("data", (chunk: Buffer) => received.push(chunk));
    tcp.txbs.write(bytes("after"));
    await runUntil(doist, () => Buffer.concat(received).toString() === "after", "bytes sent half-open");

    const gonePath = socketPath();
    const gone = await pathServer(gonePath, (socket) => socket.pause());
    const reset = client({ path: gonePath });
    const doist2 = cleanup.doist([new ClientDoer({ client: reset })]);
    await runUntil(doist2, () => reset.connected && gone.sockets.length === 1, "connect");
    reset.txbs.write(bytes("unread"));
    await runUntil(doist2, () => reset.sentBytes === 6, "the OS took the bytes");
    gone.sockets[0]!.destroy();
    await runUntil(doist2, () => reset.cutoff || reset.error !== undefined, "the peer's end");
    // The next write fails with EPIPE (unless the read already failed with ECONNRESET and ended txbs).
    if (!reset.txbs.ended) reset.txbs.write(bytes("more"));
    await runUntil(doist2, () => reset.error !== undefined, "the failed write");
    expect(reset.error).toBeInstanceOf(ConnectionResetError);
    expect(["EPIPE", "ECONNRESET"]).toContain(reset.error?.code);
    expect(reset.error?.message).toContain(`client ${gonePath}`);
  });

  it("fails on a path that does not exist with a ConnectError naming it (ENOENT)", async () => {
    const path = join(dir, "nobody-home.sock");
    const tcp = client({ path });
    let thrown: unknown;
    const waiter = doify(function* () {
      try {
        yield* tcp.waitConnected({ timeout: 5 });
      } catch (error) {
        thrown = error;
      }
      return true;
    });
    const doist = cleanup.doist([new ClientDoer({ client: tcp }), waiter]);
    await runUntil(doist, () => thrown !== undefined, "failure");
    expect(thrown).toBeInstanceOf(ConnectError);
    expect((thrown as ConnectError).code).toBe("ENOENT");
    expect((thrown as Error).message).toContain(`client ${path}: connect failed`);
    expect(tcp.state).toBe("closed");
  });

  it("reconnects to a server that goes away and comes back on the same path", async () => {
    const path = socketPath();
    const first = cleanup.add(new Server({ path }), (s) => s.close());
    await first.open();
    const tcp = client({ path, reconnectable: true, tymeout: 0.1 });
    const doist = cleanup.doist([new ClientDoer({ client: tcp }), new EchoServerDoer({ server: first })]);
    await runUntil(doist, () => tcp.connected, "first connect");
    tcp.txbs.write(bytes("one"));
    await runUntil(doist, () => tcp.rxbs.length === 3, "first echo");
    expect(text(tcp.rxbs.read())).toBe("one");
    first.close();
    expect(existsSync(path)).toBe(false);
    await runUntil(doist, () => tcp.cutoff || tcp.state === "closed", "lost");
    const attempts = tcp.attempts;
    let failure: unknown;
    await runUntil(
      doist,
      () => {
        failure ??= tcp.state === "closed" && tcp.error?.code === "ENOENT" ? tcp.error : undefined;
        return tcp.attempts > attempts + 1 && failure !== undefined;
      },
      "failed retries (ENOENT) while the path is gone",
    );
    expect(failure).toBeInstanceOf(ConnectError);
    expect((failure as Error).message).toContain(`client ${path}`);
    await first.open(); // back on the same path
    await runUntil(doist, () => tcp.connected, "reconnect");
    tcp.txbs.write(bytes("two"));
    await runUntil(doist, () => tcp.rxbs.length === 3, "echo after reconnect");
    expect(text(tcp.rxbs.read())).toBe("two");
  });
});

describe("resources", () => {
  it("leaves no fd, remoter or socket file behind after 300 connections, resets and a reconnecting client", async () => {
    const path = socketPath();
    const before = openFds();
    const server = new Server({ path, idleTimeout: 5, backlog: 512 });
    await server.open();
    const tcp = new Client({ path, reconnectable: true, tymeout: 0.5 });
    const doist = cleanup.doist([new EchoServerDoer({ server }), new ClientDoer({ client: tcp })]);
    for (let batch = 0; batch < 6; batch++) {
      const peers = Array.from({ length: 50 }, (_, index) => {
        const peer = pathClient(path, index % 5 === 0);
        if (index % 5 === 0) peer.socket.on("connect", () => peer.socket.destroy());
        else peer.socket.end(`p${index}`);
        return peer;
      });
      await runUntil(doist, () => peers.every((peer) => peer.closed), `batch ${batch}`);
    }
    await runUntil(doist, () => tcp.connected, "the client connected");
    await runUntil(doist, () => server.remoters.size === 1, "only the client's remoter is left");
    tcp.close();
    await runUntil(doist, () => server.remoters.size === 0, "every remoter reaped");
    // 300 raw peers and the client's connections (a retry may follow an attempt abandoned after tymeout).
    expect(server.accepted).toBeGreaterThanOrEqual(301);
    expect(server.accepted).toBeLessThanOrEqual(300 + tcp.attempts);
    expect(server.idleCount).toBe(0);
    expect(server.pendingRemoters.size).toBe(0);
    server.close();
    expect(existsSync(path)).toBe(false);
    await waitUntil(() => openFds() <= before, `fds back to ${before} (now ${openFds()})`);
  });
});

const socat = needPeers("socat");
socat.describe("socat on a path", () => {
  it("talks to socat UNIX-LISTEN,fork EXEC:cat as a client, and its FIN ends rxbs", async () => {
    const path = socketPath();
    cleanup.add(startPeer("socat", [`UNIX-LISTEN:${path},fork`, "EXEC:cat"]), (p) => p.stop());
    const tcp = client({ path, reconnectable: true, tymeout: 0.05 });
    const doist = cleanup.doist([new ClientDoer({ client: tcp })]);
    await runUntil(doist, () => tcp.connected, "connect to socat (retrying until it listens)");
    tcp.txbs.write(bytes("echo me\n"));
    await runUntil(doist, () => tcp.rxbs.length === 8, "echo");
    expect(text(tcp.rxbs.read())).toBe("echo me\n");
    tcp.reconnectable = false;
    tcp.shutdownSend();
    await runUntil(doist, () => tcp.rxbs.ended, "cat ends, socat sends FIN");
  });

  it("serves socat UNIX-CONNECT as a client", async () => {
    const path = socketPath();
    const server = await openServer({ path });
    const doist = cleanup.doist([new ServerDoer({ server, handler: shout })]);
    const peer = cleanup.add(startPeer("socat", ["-", `UNIX-CONNECT:${path}`]), (p) => p.stop());
    peer.child.stdin.end("hello from socat\n");
    await runUntil(doist, () => peer.exited(), "socat exits after our end");
    expect(peer.stdout()).toBe("HELLO FROM SOCAT\n");
  });
});

const nc = needPeers("nc");
nc.describe("nc -U on a path", () => {
  it("serves nc -U as a client", async () => {
    const path = socketPath();
    const server = await openServer({ path });
    const doist = cleanup.doist([new ServerDoer({ server, handler: shout })]);
    const peer = cleanup.add(startPeer("nc", ["-U", "-N", path]), (p) => p.stop());
    peer.child.stdin.end("hello from nc\nsecond line\n");
    await runUntil(doist, () => peer.exited(), "nc exits after our end");
    expect(peer.stdout()).toBe("HELLO FROM NC\nSECOND LINE\n");
  });

  it("talks to nc -U -l as a server, both ways", async () => {
    const path = socketPath();
    const peer = cleanup.add(startPeer("nc", ["-U", "-l", "-N", path]), (p) => p.stop());
    const tcp = client({ path, reconnectable: true, tymeout: 0.05 });
    const doist = cleanup.doist([new ClientDoer({ client: tcp })]);
    await runUntil(doist, () => tcp.connected, "connect to nc (retrying until it listens)");
    tcp.txbs.write(bytes("from hio\n"));
    peer.child.stdin.end("from nc\n");
    await runUntil(doist, () => peer.stdout() === "from hio\n" && tcp.rxbs.ended, "both directions and nc's FIN");
    expect(text(tcp.rxbs.read())).toBe("from nc\n");
  });
});
