import { afterEach, describe, expect, it } from "vitest";
import { Proc, freeUdpPort, run } from "../helpers/examples-process.js";
import { Cleanup } from "../helpers/tcp-harness.js";
import { needPeers } from "../helpers/peers.js";

const socat = needPeers("socat");

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

async function udpListen(args: string[]): Promise<{ proc: Proc; port: number }> {
  const proc = cleanup.add(Proc.hio(["udp", "listen", "--port", "0", ...args]), (p) => p.kill());
  const match = await proc.waitFor(/listening on 127\.0\.0\.1:(\d+)/, "stderr");
  return { proc, port: Number(match[1]) };
}

describe("hio udp", () => {
  socat.it("listen prints the datagrams socat sends and exits 0 after --count", async () => {
    const { proc, port } = await udpListen(["--count", "2"]);
    await run("socat", ["-u", "-", `UDP:127.0.0.1:${port}`], { input: "first datagram\n" });
    await run("socat", ["-u", "-", `UDP:127.0.0.1:${port}`], { input: "second datagram\n" });
    expect(await proc.waitExit()).toEqual({ code: 0, signal: null });
    expect(proc.stdout).toBe("first datagram\nsecond datagram\n");
    expect(proc.stderr).toMatch(/hio udp listen: \+ 127\.0\.0\.1:\d+\n/);
  });

  socat.it("send delivers each line of stdin as one datagram to socat", async () => {
    const port = await freeUdpPort();
    const socat = cleanup.add(Proc.spawn("socat", ["-d", "-d", "-u", `UDP-RECV:${port},bind=127.0.0.1`, "-"]), (p) => p.kill());
    await socat.waitFor(/listening|starting data transfer loop/, "stderr");
    const send = await run(process.execPath, ["--import", "tsx", "src/cli/hio.ts", "udp", "send", `127.0.0.1:${port}`], { input: "alpha\nbeta\n" });
    expect(send.exit.code).toBe(0);
    await socat.waitFor(/alpha(\n)?beta/);
    expect(socat.stdout).toBe("alphabeta");
  });

  it("send --replies prints the answers of an echoing listener", async () => {
    const { port } = await udpListen(["--echo"]);
    const send = await run(process.execPath, ["--import", "tsx", "src/cli/hio.ts", "udp", "send", `127.0.0.1:${port}`, "ping", "one", "--replies", "1"]);
    expect(send.exit.code).toBe(0);
    expect(send.stdout).toBe("ping one\n");
  });

  it("send --replies exits 3 when no answer comes within the timeout", async () => {
    const port = await freeUdpPort();
    const send = await run(process.execPath, ["--import", "tsx", "src/cli/hio.ts", "udp", "send", `127.0.0.1:${port}`, "hello?", "--replies", "1", "--timeout", "0.3"]);
    expect(send.exit.code).toBe(3);
    expect(send.stderr).toContain(`hio udp send: 0 of 1 replies from 127.0.0.1:${port} within 0.3 s`);
  });

  it("listen prints one datagram per line, adding the newline a datagram lacks (--raw: as they are)", async () => {
    const { proc, port } = await udpListen(["--count", "3"]);
    for (const datagram of ["no newline", "has newline\n", "third"]) await run("socat", ["-u", "-", `UDP:127.0.0.1:${port}`], { input: datagram });
    expect(await proc.waitExit()).toEqual({ code: 0, signal: null });
    expect(proc.stdout).toBe("no newline\nhas newline\nthird\n");
    const raw = await udpListen(["--count", "2", "--raw"]);
    for (const datagram of ["ab", "cd"]) await run("socat", ["-u", "-", `UDP:127.0.0.1:${raw.port}`], { input: datagram });
    expect(await raw.proc.waitExit()).toEqual({ code: 0, signal: null });
    expect(raw.proc.stdout).toBe("abcd");
  });

  it("send exits 1 naming the error when a datagram cannot be sent (an unresolvable name)", async () => {
    const send = await run(process.execPath, ["--import", "tsx", "src/cli/hio.ts", "udp", "send", "nonexistent.invalid:9", "hi"]);
    expect(send.exit.code).toBe(1);
    expect(send.stderr).toContain("cannot send 2 bytes to nonexistent.invalid:9");
    expect(send.stderr).toMatch(/ENOTFOUND|EAI_AGAIN/);
    expect(send.stderr).toContain("hio udp send: 1 of 1 datagrams could not be sent to nonexistent.invalid:9");
  });

  it("listen exits 4 when the port is taken", async () => {
    const { port } = await udpListen([]);
    const second = cleanup.add(Proc.hio(["udp", "listen", "--port", String(port)]), (p) => p.kill());
    expect((await second.waitExit()).code).toBe(4);
    expect(second.stderr).toContain("EADDRINUSE");
  });
});
