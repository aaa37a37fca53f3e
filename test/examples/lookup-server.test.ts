import { afterEach, describe, expect, it } from "vitest";
import { Proc, run } from "../helpers/examples-process.js";
import { needPeers } from "../helpers/peers.js";
import { Cleanup } from "../helpers/tcp-harness.js";

const nc = needPeers("nc");
const cleanup = new Cleanup();
afterEach(() => cleanup.run());

describe("examples/lookup-server.ts", () => {
  nc.it("answers each host name with its addresses from dns.promises, and an unknown one with an error line", async () => {
    const server = cleanup.add(Proc.tsx("examples/lookup-server.ts", ["--port", "0", "--timeout", "5"]), (proc) => proc.kill());
    const port = Number((await server.waitFor(/listening on 127\.0\.0\.1:(\d+)/))[1]);
    const client = await run("nc", ["-N", "127.0.0.1", String(port)], { input: "localhost\nno-such-host.invalid\n" });
    expect(client.exit.code).toBe(0);
    const lines = client.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^localhost (127\.0\.0\.1|::1)( |$)/);
    expect(lines[1]).toMatch(/^no-such-host\.invalid error (ENOTFOUND|EAI_AGAIN)$/);
  });

  it("stops on SIGINT", async () => {
    const server = cleanup.add(Proc.tsx("examples/lookup-server.ts", ["--port", "0"]), (proc) => proc.kill());
    await server.waitFor(/listening on/);
    server.signal("SIGINT");
    const exit = await server.waitExit();
    expect(exit.signal ?? exit.code).toBe("SIGINT");
  });
});
