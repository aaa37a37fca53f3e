import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { Proc, freePort } from "../helpers/examples-process.js";
import { Cleanup } from "../helpers/tcp-harness.js";
import { needPeers } from "../helpers/peers.js";

const socat = needPeers("socat");

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** A socat TCP server on a free loopback port running `command` for the connection; ready once socat listens. */
async function socatServer(command: string): Promise<number> {
  const port = await freePort();
  const socat = cleanup.add(Proc.spawn("socat", ["-d", "-d", `TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr`, `SYSTEM:${command}`]), (p) => p.kill());
  await socat.waitFor(/listening on/, "stderr");
  return port;
}

function connect(args: string[], input?: string | Uint8Array): Proc {
  return cleanup.add(Proc.hio(["connect", ...args], input === undefined ? {} : { input }), (p) => p.kill());
}

describe("hio connect", () => {
  socat.it("sends stdin to the peer, prints the answer, and exits 0 when the peer closes after stdin ended", async () => {
    const port = await socatServer("tr a-z A-Z");
    const proc = connect([`127.0.0.1:${port}`], "hello\nworld\n");
    expect(await proc.waitExit()).toEqual({ code: 0, signal: null });
    expect(proc.stdout).toBe("HELLO\nWORLD\n");
  });

  socat.it("prints what the peer sends and exits 0 when it closes, while stdin stays open", async () => {
    const port = await socatServer("echo greetings-from-socat");
    const proc = connect([`${port}`]);
    expect(await proc.waitExit()).toEqual({ code: 0, signal: null });
    expect(proc.stdout).toBe("greetings-from-socat\n");
  });

  socat.it("moves a megabyte both ways through a peer that echoes it, losing nothing", async () => {
    const port = await socatServer("cat");
    const payload = Buffer.from(Array.from({ length: 1024 * 1024 }, (_, index) => (index * 13) & 255));
    const proc = connect([`127.0.0.1:${port}`, "--no-status"], payload);
    expect(await proc.waitExit(30_000)).toEqual({ code: 0, signal: null });
    expect(proc.stdoutBytes.equals(payload)).toBe(true);
  });

  it("exits 3 naming the address when the connection is refused", async () => {
    const port = await freePort();
    const proc = connect([`127.0.0.1:${port}`]);
    expect((await proc.waitExit()).code).toBe(3);
    expect(proc.stderr).toContain(`hio connect: client 127.0.0.1:${port}: connect failed`);
    expect(proc.stderr).toContain("ECONNREFUSED");
  });

  it("exits 1 naming the peer when the connection is reset", async () => {
    const server = net.createServer((socket) => socket.on("data", () => socket.resetAndDestroy()));
    cleanup.add(server, (s) => new Promise((resolve) => s.close(resolve)));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    const proc = connect([`127.0.0.1:${port}`]);
    proc.write("trigger\n");
    expect((await proc.waitExit()).code).toBe(1);
    expect(proc.stderr).toContain(`client 127.0.0.1:${port}: connection reset by peer`);
  });

  socat.it("stops on Ctrl-C with exit code 130", async () => {
    const port = await socatServer("cat");
    const proc = connect([`127.0.0.1:${port}`]);
    proc.write("ping\n");
    await proc.waitFor(/ping\n/);
    proc.signal("SIGINT");
    expect(await proc.waitExit()).toEqual({ code: 130, signal: null });
  });
});
