/**
 * What netcat, ncat and socat users reach for, run as the real `hio`
 * command against real loopback peers: nc's `HOST PORT`, IPv6 in brackets,
 * SIGTERM, `-z`, `-w`, `-q`, `--ssl`.
 */
import net from "node:net";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Proc, freePort, run } from "../helpers/examples-process.js";
import { needPeers } from "../helpers/peers.js";
import { makeTestCerts, type TestCerts } from "../helpers/tcp-certs.js";
import { Cleanup } from "../helpers/tcp-harness.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

function hio(args: string[], input?: string): Proc {
  return cleanup.add(Proc.hio(args, input === undefined ? {} : { input }), (p) => p.kill());
}

/** `hio echo` on a free port of `host`; resolves with its port once it listens. */
async function echoServer(args: string[] = [], host = "127.0.0.1"): Promise<{ proc: Proc; port: number }> {
  const proc = hio(["echo", "--port", "0", "--host", host, ...args]);
  const match = await proc.waitFor(/listening on (?:\[[^\]]+\]|[^:]+):(\d+)/, "stderr");
  return { proc, port: Number(match[1]) };
}

/** A node server that sends `greeting`, never closes by itself, and ignores end of file (half-open). */
async function stubbornServer(greeting: string): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
    socket.write(greeting);
  });
  cleanup.add(server, (s) => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => s.close(() => resolve()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as net.AddressInfo).port;
}

const python = needPeers({ python: [] });
const socat = needPeers("socat");
const openssl = needPeers("openssl");

describe("hio connect, nc style", () => {
  it("takes HOST PORT as nc does, and IPv6 as ::1 PORT; logs IPv6 in brackets", async () => {
    const { proc: server, port } = await echoServer([], "::1");
    expect(server.stderr).toContain(`listening on [::1]:${port}`);
    const proc = hio(["connect", "::1", String(port), "-q", "1"], "over v6\n");
    // -q: the echo server keeps the connection open after our end of file
    expect(await proc.waitExit()).toEqual({ code: 0, signal: null });
    expect(proc.stdout).toBe("over v6\n");
    const plain = hio(["connect", "localhost", "1", "extra"]);
    expect((await plain.waitExit()).code).toBe(2);
    expect(plain.stderr).toContain('unexpected argument "extra"');
  });

  it("exits 143 on SIGTERM and 130 on SIGINT, after closing everything", async () => {
    const { proc: server } = await echoServer();
    server.signal("SIGTERM");
    expect(await server.waitExit()).toEqual({ code: 143, signal: null });
    expect(server.stderr).toContain("stopped: 0 connections");
    const { proc: other } = await echoServer();
    other.signal("SIGINT");
    expect(await other.waitExit()).toEqual({ code: 130, signal: null });
  });

  it("-z exits 0 for an open port without sending anything, 3 for a closed one", async () => {
    let received = 0;
    const server = net.createServer((socket) => {
      socket.on("data", (chunk) => (received += chunk.length));
      socket.on("error", () => {});
    });
    cleanup.add(server, (s) => new Promise<void>((resolve) => s.close(() => resolve())));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    const open = hio(["connect", "-z", "127.0.0.1", String(port)], "must not be sent\n");
    expect(await open.waitExit()).toEqual({ code: 0, signal: null });
    expect(open.stderr).toContain(`127.0.0.1:${port} is open`);
    expect(received).toBe(0);
    const closedPort = await freePort();
    const closed = hio(["connect", "-z", `127.0.0.1:${closedPort}`]);
    expect((await closed.waitExit()).code).toBe(3);
    expect(closed.stderr).toContain("ECONNREFUSED");
  });

  it("-q S quits S seconds after stdin ended though the peer stays open; without it hio waits", async () => {
    const port = await stubbornServer("hello from a peer that never closes\n");
    const proc = hio(["connect", `127.0.0.1:${port}`, "-q", "0.3"], "bye\n");
    expect(await proc.waitExit()).toEqual({ code: 0, signal: null });
    expect(proc.stdout).toBe("hello from a peer that never closes\n");
    const eof = hio(["connect", `127.0.0.1:${port}`, "--eof-exit"], "bye\n");
    expect(await eof.waitExit()).toEqual({ code: 0, signal: null });
    const waiting = hio(["connect", `127.0.0.1:${port}`], "bye\n");
    await waiting.waitFor(/never closes\n/);
    // still running well after stdin ended: it waits for the peer to close
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(waiting.exit).toBeUndefined();
    waiting.signal("SIGTERM");
    expect((await waiting.waitExit()).code).toBe(143);
  });

  it("-w S closes an idle connection and exits 0, saying why", async () => {
    const port = await stubbornServer("one line, then silence\n");
    const proc = hio(["connect", `127.0.0.1:${port}`, "-w", "0.5"]);
    expect(await proc.waitExit()).toEqual({ code: 0, signal: null });
    expect(proc.stdout).toBe("one line, then silence\n");
    expect(proc.stderr).toContain("hio connect: nothing sent or received for 0.5 s: closing (-w)");
  });

  it("echo -w closes idle connections, and the message says seconds, not tyme", async () => {
    const { proc: server, port } = await echoServer(["-w", "0.3"]);
    const client = net.connect(port, "127.0.0.1");
    cleanup.add(client, (c) => c.destroy());
    const closed = new Promise<void>((resolve) => client.on("close", () => resolve()));
    client.on("error", () => {});
    await closed;
    await server.waitFor(/- 127\.0\.0\.1:\d+ \(.*\)\n/, "stderr");
    expect(server.stderr).toMatch(/closed after 0\.3 s without traffic\)/);
    expect(server.stderr).not.toContain("tyme");
  });

  python.it("reports a connection that is not made within --timeout in seconds, without internal jargon", async () => {
    // A listener with a full backlog that never accepts: the kernel drops the SYNs, so connect hangs.
    const holder = cleanup.add(
      Proc.spawn(python.python, [
        "-c",
        "import socket,sys,time\ns=socket.socket()\ns.bind(('127.0.0.1',0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\nc=[socket.create_connection(('127.0.0.1',s.getsockname()[1])) for _ in range(1)]\nprint('full',flush=True)\ntime.sleep(60)",
      ]),
      (p) => p.kill(),
    );
    const match = await holder.waitFor(/(\d+)\nfull\n/);
    const proc = hio(["connect", `127.0.0.1:${match[1]}`, "--timeout", "0.5"]);
    expect((await proc.waitExit()).code).toBe(3);
    expect(proc.stderr).toContain(`hio connect: client 127.0.0.1:${match[1]}: `);
    expect(proc.stderr).toMatch(/within 0\.5 s/);
    expect(proc.stderr).not.toContain("tyme");
    // -w counts idle time once connected: a slow connect is bounded by --timeout, not taken for idleness
    const idle = hio(["connect", `127.0.0.1:${match[1]}`, "-w", "0.2", "--timeout", "1"]);
    expect((await idle.waitExit()).code).toBe(3);
    expect(idle.stderr).toMatch(/within 1 s/);
  });
});

describe("hio --ssl", () => {
  let certs: TestCerts;
  beforeAll(async () => {
    certs = await makeTestCerts();
  });
  afterAll(() => certs.remove());
  const file = (name: string) => join(certs.dir, name);

  socat.it("connect --ssl --cafile talks to socat's TLS server and checks its certificate", async () => {
    const port = await freePort();
    const socat = cleanup.add(
      Proc.spawn("socat", ["-d", "-d", `OPENSSL-LISTEN:${port},bind=127.0.0.1,reuseaddr,fork,cert=${file("server.crt")},key=${file("server.key")},verify=0`, "SYSTEM:tr a-z A-Z"]),
      (p) => p.kill(),
    );
    await socat.waitFor(/listening on/, "stderr");
    const proc = hio(["connect", "--ssl", "--cafile", file("ca.crt"), "localhost", String(port)], "secret\n");
    expect(await proc.waitExit()).toEqual({ code: 0, signal: null });
    expect(proc.stdout).toBe("SECRET\n");
    // the wrong CA: the handshake fails and nothing is sent
    const wrong = hio(["connect", "--ssl", "--cafile", file("other-ca.crt"), "localhost", String(port)], "secret\n");
    expect((await wrong.waitExit()).code).toBe(3);
    expect(wrong.stderr).toMatch(/certificate|self.signed|issuer/i);
  });

  openssl.it("echo --ssl serves TLS that openssl s_client verifies; listen --ssl prints what it sends", async () => {
    const { port } = await echoServer(["--ssl", "--cert", file("server.crt"), "--key", file("server.key")]);
    // s_client keeps reading after its input ended (the echo server does not close)
    const client = cleanup.add(
      Proc.spawn("openssl", ["s_client", "-connect", `127.0.0.1:${port}`, "-CAfile", file("ca.crt"), "-verify_return_error", "-quiet"], { input: "ping over tls\n" }),
      (p) => p.kill(),
    );
    await client.waitFor(/ping over tls\n/);
    expect(client.stderr).toContain("verify return:1");
    const listener = hio(["listen", "--port", "0", "--ssl", "--cert", file("server.crt"), "--key", file("server.key")]);
    const match = await listener.waitFor(/listening on 127\.0\.0\.1:(\d+) \(TLS\)/, "stderr");
    const sender = await run("openssl", ["s_client", "-connect", `127.0.0.1:${match[1]}`, "-CAfile", file("ca.crt"), "-verify_return_error", "-quiet", "-no_ign_eof"], {
      input: "hello listener\n",
    });
    expect(sender.exit.code).toBe(0);
    expect(await listener.waitExit()).toEqual({ code: 0, signal: null });
    expect(listener.stdout).toBe("hello listener\n");
  });

  it("rejects TLS options that do not fit, naming them", async () => {
    for (const [args, message] of [
      [["echo", "--port", "0", "--ssl"], "--ssl needs --cert FILE and --key FILE"],
      [["connect", "127.0.0.1:9", "--cafile", "x.pem"], "--cafile needs --ssl"],
      [["connect", "127.0.0.1:9", "--ssl", "--cafile", "/nonexistent/ca.pem"], "--cafile: cannot read /nonexistent/ca.pem: ENOENT"],
    ] as const) {
      const proc = hio([...args], "");
      expect((await proc.waitExit()).code).toBe(2);
      expect(proc.stderr).toContain(message);
    }
  });
});
