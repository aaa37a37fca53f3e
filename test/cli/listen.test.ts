import { afterEach, describe, expect, it } from "vitest";
import { Proc, run } from "../helpers/examples-process.js";
import { Cleanup } from "../helpers/tcp-harness.js";
import { needPeers } from "../helpers/peers.js";

const nc = needPeers("nc");

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

async function listen(args: string[], input?: string): Promise<{ proc: Proc; port: number }> {
  const proc = cleanup.add(Proc.hio(["listen", "--port", "0", ...args], input === undefined ? {} : { input }), (p) => p.kill());
  const match = await proc.waitFor(/listening on 127\.0\.0\.1:(\d+)/, "stderr");
  return { proc, port: Number(match[1]) };
}

describe("hio listen", () => {
  nc.it("joins one nc peer to stdin and stdout, then exits 0 when it closes", async () => {
    const { proc, port } = await listen([], "from hio\n");
    const nc = await run("nc", ["-N", "127.0.0.1", String(port)], { input: "from nc\n" });
    expect(nc.stdout).toBe("from hio\n");
    expect(await proc.waitExit()).toEqual({ code: 0, signal: null });
    expect(proc.stdout).toBe("from nc\n");
    expect(proc.stderr).toMatch(/\+ 127\.0\.0\.1:\d+\n[^]*- 127\.0\.0\.1:\d+\n/);
  });

  nc.it("keeps serving peer after peer with --keep, until Ctrl-C (exit 130)", async () => {
    const { proc, port } = await listen(["--keep"]);
    await run("nc", ["-N", "127.0.0.1", String(port)], { input: "first\n" });
    await run("nc", ["-N", "127.0.0.1", String(port)], { input: "second\n" });
    await proc.waitFor(/second\n/);
    expect(proc.stdout).toBe("first\nsecond\n");
    proc.signal("SIGINT");
    expect(await proc.waitExit()).toEqual({ code: 130, signal: null });
  });

  it("exits 4 when the port is in use", async () => {
    const { port } = await listen(["--keep"]);
    const second = cleanup.add(Proc.hio(["listen", "--port", String(port)]), (p) => p.kill());
    expect((await second.waitExit()).code).toBe(4);
    expect(second.stderr).toContain("EADDRINUSE");
  });
});
