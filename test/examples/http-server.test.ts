import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { httpServer } from "../../examples/http-server.js";
import type { Doist } from "../../src/index.js";
import { Proc } from "../helpers/examples-process.js";
import { Cleanup, rawClient, runUntil } from "../helpers/tcp-harness.js";
import { needPeers } from "../helpers/peers.js";

const curlPeer = needPeers("curl");

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

async function start() {
  // A hand-stepped Doist runs far ahead of the wall clock: no idle timeout.
  const parts = httpServer({ port: 0, idleTimeout: 0 });
  cleanup.add(parts.server, (server) => server.close());
  await parts.server.open();
  const doist = cleanup.doist([parts.doer]);
  return { ...parts, doist, url: `http://127.0.0.1:${parts.server.port}` };
}

/** Runs curl while the hand-stepped Doist serves it. */
async function curl(doist: Doist, args: string[], input?: string): Promise<Proc> {
  const proc = cleanup.add(Proc.spawn("curl", ["--silent", "--show-error", "--max-time", "10", ...args], input === undefined ? {} : { input }), (p) => p.kill());
  await runUntil(doist, () => proc.exit !== undefined, `curl ${args.join(" ")}`, 15_000);
  expect(proc.exit, proc.stderr).toEqual({ code: 0, signal: null });
  return proc;
}

curlPeer.describe("examples/http-server.ts answered by curl", () => {
  it("answers GET / with a Content-Length body", async () => {
    const { doist, url } = await start();
    const proc = await curl(doist, ["--include", `${url}/`]);
    expect(proc.stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(proc.stdout).toContain("Content-Length: 18\r\n");
    expect(proc.stdout.endsWith("\r\n\r\nhello from hio-ts\n")).toBe(true);
  });

  it("keeps the connection alive: two requests from one curl, one connection", async () => {
    const { doist, url, server, stats } = await start();
    const proc = await curl(doist, ["--verbose", `${url}/`, `${url}/`]);
    expect(proc.stdout).toBe("hello from hio-ts\nhello from hio-ts\n");
    expect(proc.stderr).toMatch(/Re-using existing connection/);
    expect(server.accepted).toBe(1);
    expect(stats.requests).toBe(2);
  });

  it("streams a chunked response that curl decodes, and shows the chunks raw", async () => {
    const { doist, url } = await start();
    const decoded = await curl(doist, [`${url}/chunked?count=3&interval=0.1`]);
    expect(decoded.stdout).toBe("chunk 1 of 3\nchunk 2 of 3\nchunk 3 of 3\n");
    const raw = await curl(doist, ["--raw", "--include", `${url}/chunked?count=2&interval=0`]);
    expect(raw.stdout).toContain("Transfer-Encoding: chunked\r\n");
    expect(raw.stdout).not.toContain("Content-Length");
    expect(raw.stdout.endsWith("\r\n\r\nd\r\nchunk 1 of 2\n\r\nd\r\nchunk 2 of 2\n\r\n0\r\n\r\n")).toBe(true);
  });

  it("echoes a POST body sent with Content-Length", async () => {
    const { doist, url } = await start();
    const body = "line one\r\nline two\n" + "x".repeat(100_000); // larger than the ring
    const proc = await curl(doist, ["--data-binary", "@-", "-H", "Content-Type: text/plain", `${url}/echo`], body);
    expect(proc.stdout).toBe(body);
  });

  it("echoes a POST body sent chunked (with 100-continue)", async () => {
    const { doist, url } = await start();
    const body = "a chunked request body\n".repeat(50);
    const proc = await curl(doist, ["--data-binary", "@-", "-H", "Transfer-Encoding: chunked", "-H", "Expect: 100-continue", `${url}/echo`], body);
    expect(proc.stdout).toBe(body);
  });

  it("answers HEAD with the headers only", async () => {
    const { doist, url } = await start();
    const proc = await curl(doist, ["--head", `${url}/`]);
    expect(proc.stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(proc.stdout).toContain("Content-Length: 18\r\n");
    expect(proc.stdout).not.toContain("hello");
  });

  it("answers 404 for an unknown path and 405 for a wrong method", async () => {
    const { doist, url } = await start();
    const missing = await curl(doist, ["--write-out", "%{http_code}", "--output", "/dev/null", `${url}/nothing`]);
    expect(missing.stdout).toBe("404");
    const wrong = await curl(doist, ["--include", "--request", "DELETE", `${url}/`]);
    expect(wrong.stdout).toMatch(/^HTTP\/1\.1 405 Method Not Allowed\r\n/);
    expect(wrong.stdout).toContain("Allow: GET, HEAD\r\n");
  });

  it("closes after the response to an HTTP/1.0 request", async () => {
    const { doist, url, server } = await start();
    const proc = await curl(doist, ["--http1.0", "--include", `${url}/`]);
    expect(proc.stdout).toContain("Connection: close\r\n");
    await runUntil(doist, () => server.remoters.size === 0, "the connection closes");
  });

  it("answers a malformed request with 400 and closes the connection", async () => {
    const { doist, server } = await start();
    const peer = cleanup.add(rawClient(server.port), (c) => c.socket.destroy());
    peer.socket.write("NOT A REQUEST\r\n\r\n");
    await runUntil(doist, () => peer.ended, "the connection ends");
    expect(peer.text()).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(peer.text()).toContain("Connection: close\r\n");
  });

  it("refuses a request with both Content-Length and Transfer-Encoding", async () => {
    const { doist, server } = await start();
    const peer = cleanup.add(rawClient(server.port), (c) => c.socket.destroy());
    peer.socket.write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    await runUntil(doist, () => peer.ended, "the connection ends");
    expect(peer.text()).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
  });

  it("answers 413 to a Content-Length over the limit without inviting the body with 100 Continue (curl sends Expect)", async () => {
    const { doist, url, stats } = await start();
    const dir = mkdtempSync(join(tmpdir(), "hio-http-"));
    cleanup.add(dir, (path) => rmSync(path, { recursive: true, force: true }));
    const big = join(dir, "big.bin");
    writeFileSync(big, Buffer.alloc(2 * 1024 * 1024, 0x61)); // 2 MiB: over the 1 MiB limit
    // curl sends "Expect: 100-continue" for a body this large and waits for the answer.
    const proc = await curl(doist, ["--verbose", "--include", "--data-binary", `@${big}`, `${url}/echo`]);
    expect(proc.stderr).toContain("> Expect: 100-continue");
    expect(proc.stdout).not.toContain("100 Continue");
    expect(proc.stdout).toMatch(/^HTTP\/1\.1 413 Content Too Large\r\n/);
    expect(proc.stdout).toContain("Connection: close\r\n");
    expect(stats.statuses.get(413)).toBe(1);
  });

  it("still answers 100 Continue to an acceptable body that curl announces with Expect", async () => {
    const { doist, url } = await start();
    const body = "x".repeat(2000);
    const proc = await curl(doist, ["--include", "--data-binary", "@-", "-H", "Expect: 100-continue", `${url}/echo`], body);
    expect(proc.stdout).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
    expect(proc.stdout.endsWith(body)).toBe(true);
  });

  it("serves curl through its documented command", async () => {
    const server = cleanup.add(Proc.tsx("examples/http-server.ts", ["--port", "0"]), (proc) => proc.kill());
    const url = (await server.waitFor(/serving (http:\/\/127\.0\.0\.1:\d+\/)/))[1]!;
    const proc = cleanup.add(Proc.spawn("curl", ["--silent", "--max-time", "10", url]), (p) => p.kill());
    expect(await proc.waitExit()).toEqual({ code: 0, signal: null });
    expect(proc.stdout).toBe("hello from hio-ts\n");
  });
});
