import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { main as clientMain } from "../../examples/tcp-echo-client.js";
import { echoServer } from "../../examples/tcp-echo-server.js";
import { FrameTooLongError, WireLog, parseWireLog } from "../../src/index.js";
import { Lines, Proc, freePort, run } from "../helpers/examples-process.js";
import { Cleanup, rawClient, runUntil } from "../helpers/tcp-harness.js";
import { needPeers } from "../helpers/peers.js";

const nc = needPeers("nc");

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

function serverProc(args: string[] = []): Proc {
  return cleanup.add(Proc.tsx("examples/tcp-echo-server.ts", ["--port", "0", ...args]), (proc) => proc.kill());
}

async function listening(proc: Proc): Promise<number> {
  const match = await proc.waitFor(/listening on 127\.0\.0\.1:(\d+)/);
  return Number(match[1]);
}

describe("examples/tcp-echo-server.ts", () => {
  nc.it("echoes the lines nc sends (LF and CRLF endings) and closes when nc is done", async () => {
    const server = serverProc();
    const port = await listening(server);
    const nc = await run("nc", ["-N", "127.0.0.1", String(port)], { input: "hello\r\nworld\nlast\n" });
    expect(nc.exit.code).toBe(0);
    expect(nc.stdout).toBe("hello\nworld\nlast\n");
    await server.waitFor(/closed: 127\.0\.0\.1:\d+/);
  });

  it("stops on Ctrl-C (SIGINT) after closing the server", async () => {
    const server = serverProc();
    await listening(server);
    server.signal("SIGINT");
    const exit = await server.waitExit();
    expect(exit.signal ?? exit.code).toBe("SIGINT");
    expect(server.stdout).toMatch(/stopped at tyme [\d.]+; 0 connections served/);
  });

  nc.it("writes a wirelog of what it received and sent", async () => {
    const dir = cleanup.add(mkdtempSync(join(tmpdir(), "hio-example-")), (path) => rmSync(path, { recursive: true, force: true }));
    const path = join(dir, "echo.wirelog");
    const server = serverProc(["--wirelog", path]);
    const port = await listening(server);
    await run("nc", ["-N", "127.0.0.1", String(port)], { input: "logged\n" });
    await server.waitFor(/closed:/);
    server.signal("SIGINT");
    await server.waitExit();
    const entries = parseWireLog(readFileSync(path, "utf8"));
    const text = (direction: string) =>
      entries
        .filter((entry) => entry.direction === direction)
        .map((entry) => Buffer.from(entry.bytes).toString())
        .join("");
    expect(text("rx")).toBe("logged\n");
    expect(text("tx")).toBe("logged\n");
  });

  it("refuses a port in use with the listen error and exit code 1", async () => {
    const first = serverProc();
    const port = await listening(first);
    const second = cleanup.add(Proc.tsx("examples/tcp-echo-server.ts", ["--port", String(port)]), (proc) => proc.kill());
    const exit = await second.waitExit();
    expect(exit.code).toBe(1);
    expect(second.stdout).toContain(`server 127.0.0.1:${port}: cannot listen: EADDRINUSE`);
  });

  it("ends a connection whose line is longer than 8 KiB and reports it", async () => {
    const { server, doer } = echoServer({ port: 0 });
    cleanup.add(server, (s) => s.close());
    await server.open();
    const doist = cleanup.doist([doer]);
    const peer = cleanup.add(rawClient(server.port), (c) => c.socket.destroy());
    peer.socket.write("x".repeat(9000));
    await runUntil(doist, () => peer.ended || peer.closed, "the connection ends");
    expect(doer.errors).toHaveLength(1);
    expect(doer.errors[0]!.cause).toBeInstanceOf(FrameTooLongError);
  });

  it("echoes raw bytes (any value, no lines) with --raw", async () => {
    const wirelog = new WireLog();
    const { server, doer } = echoServer({ port: 0, raw: true, wirelog });
    cleanup.add(server, (s) => s.close());
    await server.open();
    const doist = cleanup.doist([doer]);
    const peer = cleanup.add(rawClient(server.port), (c) => c.socket.destroy());
    const payload = Buffer.from(Array.from({ length: 256 }, (_, index) => index));
    peer.socket.write(payload);
    await runUntil(doist, () => peer.bytes().length === 256, "the echo");
    expect(peer.bytes().equals(payload)).toBe(true);
  });
});

describe("examples/tcp-echo-client.ts", () => {
  it("sends each message, prints each echo and exits 0", async () => {
    const server = serverProc();
    const port = await listening(server);
    const lines = new Lines();
    expect(await clientMain(["--port", String(port), "one", "two words", "three"], lines.out)).toBe(0);
    expect(lines.lines.map((line) => line.replace(/ {2}\([\d.]+ ms\)$/, ""))).toEqual(["one", "two words", "three"]);
  });

  it("exits 1 naming the address when the connection is refused", async () => {
    const port = await freePort();
    const lines = new Lines();
    expect(await clientMain(["--port", String(port)], lines.out)).toBe(1);
    expect(lines.text).toContain(`client 127.0.0.1:${port}: connect failed`);
    expect(lines.text).toContain("ECONNREFUSED");
  });

  it("exits 2 for a bad port", async () => {
    const lines = new Lines();
    expect(await clientMain(["--port", "seventy"], lines.out)).toBe(2);
  });
});
