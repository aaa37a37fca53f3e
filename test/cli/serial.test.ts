import { afterEach, describe, expect, it } from "vitest";
import { Proc, run } from "../helpers/examples-process.js";
import { PtyPair, RawPeer, eventually } from "../helpers/serial-pty.js";
import { Cleanup } from "../helpers/tcp-harness.js";
import { needPeers } from "../helpers/peers.js";

const socat = needPeers("socat");
const socatAndScript = needPeers("socat", "script");

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

async function ptys(): Promise<PtyPair> {
  return cleanup.add(await PtyPair.create(), (pair) => pair.dispose());
}

async function peer(path: string): Promise<RawPeer> {
  return cleanup.add(await RawPeer.open(path), (p) => p.close());
}

describe("hio serial", () => {
  it("list prints the ports as JSON with --json and exits 0", async () => {
    const list = await run(process.execPath, ["--import", "tsx", "src/cli/hio.ts", "serial", "list", "--json"]);
    expect(list.exit.code).toBe(0);
    const ports = JSON.parse(list.stdout) as { path: string }[];
    expect(Array.isArray(ports)).toBe(true);
    for (const port of ports) expect(port.path).toMatch(/^\//);
  });

  it("monitor exits 5 naming the path when the device does not exist", async () => {
    const proc = cleanup.add(Proc.hio(["serial", "monitor", "/dev/hio-no-such-device"], { input: "" }), (p) => p.kill());
    expect((await proc.waitExit()).code).toBe(5);
    expect(proc.stderr).toContain("/dev/hio-no-such-device");
  });

  socat.it("monitor sends piped input to the device and prints what the device sends", async () => {
    const pair = await ptys();
    const proc = cleanup.add(Proc.hio(["serial", "monitor", pair.a, "--baud", "9600"]), (p) => p.kill());
    await proc.waitFor(/ at 9600 baud\n/, "stderr");
    const device = await peer(pair.b);
    proc.write("AT\r\n");
    await eventually(() => device.data().toString() === "AT\r\n", "the device got the command");
    await device.write("OK\r\n");
    await proc.waitFor(/OK\r\n/);
    proc.signal("SIGINT");
    expect(await proc.waitExit()).toEqual({ code: 130, signal: null });
  });

  socat.it("monitor exits 1 when the device goes away", async () => {
    const pair = await ptys();
    const proc = cleanup.add(Proc.hio(["serial", "monitor", pair.a]), (p) => p.kill());
    await proc.waitFor(/ at 115200 baud\n/, "stderr");
    const device = await peer(pair.b);
    await device.write("hello\n");
    await proc.waitFor(/hello\n/);
    await pair.stop();
    expect((await proc.waitExit()).code).toBe(1);
    expect(proc.stderr).toContain("went away");
  });

  socatAndScript.it("monitor on a terminal sends keys as typed, Enter as --eol, and quits on Ctrl-]", async () => {
    const pair = await ptys();
    // script(1) runs hio on a pseudo-terminal, so the monitor takes raw keys.
    const proc = cleanup.add(Proc.spawn("script", ["-qfec", `${process.execPath} --import tsx src/cli/hio.ts serial monitor ${pair.a} --eol crlf`, "/dev/null"]), (p) => p.kill());
    await proc.waitFor(/Ctrl-\] quits/);
    const device = await peer(pair.b);
    proc.write("hi\r");
    await eventually(() => device.data().toString() === "hi\r\n", "the device got the line with CRLF");
    proc.write("\x1d");
    expect((await proc.waitExit()).code).toBe(0);
  });
});
