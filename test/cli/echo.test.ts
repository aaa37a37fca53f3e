import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseWireLog } from "../../src/index.js";
import { Proc, run } from "../helpers/examples-process.js";
import { Cleanup } from "../helpers/tcp-harness.js";
import { needPeers } from "../helpers/peers.js";

const nc = needPeers("nc");

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

async function echo(args: string[] = []): Promise<{ proc: Proc; port: number }> {
  const proc = cleanup.add(Proc.hio(["echo", "--port", "0", ...args]), (p) => p.kill());
  const match = await proc.waitFor(/listening on 127\.0\.0\.1:(\d+)/, "stderr");
  return { proc, port: Number(match[1]) };
}

describe("hio echo", () => {
  nc.it("echoes every byte nc sends, binary included, and logs the connection", async () => {
    const { proc, port } = await echo();
    const payload = Buffer.from(Array.from({ length: 4096 }, (_, index) => index & 255));
    const nc = await run("nc", ["-N", "127.0.0.1", String(port)], { input: payload });
    expect(nc.exit.code).toBe(0);
    expect(nc.stdoutBytes.equals(payload)).toBe(true);
    await proc.waitFor(/- 127\.0\.0\.1:\d+/, "stderr");
    expect(proc.stderr).toMatch(/hio echo: \+ 127\.0\.0\.1:\d+\n/);
  });

  nc.it("serves several nc clients at once", async () => {
    const { port } = await echo();
    const results = await Promise.all(["one\n", "two\n", "three\n"].map((input) => run("nc", ["-N", "127.0.0.1", String(port)], { input })));
    expect(results.map((result) => result.stdout)).toEqual(["one\n", "two\n", "three\n"]);
  });

  it("stops on Ctrl-C with exit code 130 after closing the server", async () => {
    const { proc } = await echo();
    proc.signal("SIGINT");
    expect(await proc.waitExit()).toEqual({ code: 130, signal: null });
    expect(proc.stderr).toContain("hio echo: stopped: 0 connections, 0 bytes echoed");
  });

  it("exits 4 naming the address when the port is in use", async () => {
    const { port } = await echo();
    const second = cleanup.add(Proc.hio(["echo", "--port", String(port)]), (p) => p.kill());
    expect((await second.waitExit()).code).toBe(4);
    expect(second.stderr).toContain(`hio echo: server 127.0.0.1:${port}: cannot listen: EADDRINUSE`);
  });

  nc.it("writes what crossed the wire to --wirelog", async () => {
    const dir = cleanup.add(mkdtempSync(join(tmpdir(), "hio-cli-")), (path) => rmSync(path, { recursive: true, force: true }));
    const path = join(dir, "echo.wirelog");
    const { proc, port } = await echo(["--wirelog", path]);
    await run("nc", ["-N", "127.0.0.1", String(port)], { input: "PING\r\n" });
    await proc.waitFor(/- 127\.0\.0\.1/, "stderr");
    proc.signal("SIGINT");
    await proc.waitExit();
    const entries = parseWireLog(readFileSync(path, "utf8"));
    expect(entries.map((entry) => [entry.direction, Buffer.from(entry.bytes).toString()])).toEqual([
      ["rx", "PING\r\n"],
      ["tx", "PING\r\n"],
    ]);
    expect(entries[0]!.peer).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  nc.it("draws no status line when stderr is not a terminal", async () => {
    const { proc, port } = await echo(["--status"]);
    await run("nc", ["-N", "127.0.0.1", String(port)], { input: "x\n" });
    await proc.waitFor(/- 127\.0\.0\.1/, "stderr");
    expect(proc.stderr).not.toContain("\x1b[K");
    expect(proc.stderr).not.toContain("ticks/s");
  });
});
