import { afterEach, describe, expect, it } from "vitest";
import { echoLines, main } from "../../examples/serial-echo.js";
import { Doist, Serial, SerialDoer } from "../../src/index.js";
import { Lines, Proc } from "../helpers/examples-process.js";
import { PtyPair, RawPeer, eventually } from "../helpers/serial-pty.js";
import { Cleanup } from "../helpers/tcp-harness.js";
import { needPeers } from "../helpers/peers.js";

const socat = needPeers("socat");

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

async function ptys(): Promise<PtyPair> {
  return cleanup.add(await PtyPair.create(), (pair) => pair.dispose());
}

async function peer(path: string): Promise<RawPeer> {
  return cleanup.add(await RawPeer.open(path), (p) => p.close());
}

describe("examples/serial-echo.ts over a socat pty pair", () => {
  socat.it("echoes each line a serialport peer sends, with CRLF", async () => {
    const pair = await ptys();
    const serial = cleanup.add(new Serial({ path: pair.a, baudRate: 115200 }), (s) => s.close());
    const counts = { lines: 0 };
    const doist = new Doist({ real: true, signals: false, doers: [new SerialDoer({ serial, handler: echoLines(counts) })] });
    const running = doist.do();
    cleanup.add(doist, () => {
      doist.remove([...doist.doers]);
      return running;
    });
    await eventually(() => serial.state === "open", "the port opens");
    const device = await peer(pair.b);
    await device.write("hello\nsecond line\r\n");
    await eventually(() => device.data().toString() === "hello\r\nsecond line\r\n", "both echoes");
    expect(counts.lines).toBe(2);
  });

  socat.it("runs by its documented command and exits 1 when the device goes away", async () => {
    const pair = await ptys();
    const proc = cleanup.add(Proc.tsx("examples/serial-echo.ts", [pair.a]), (p) => p.kill());
    await proc.waitFor(/echoing lines on /);
    const device = await peer(pair.b);
    await device.write("ping\n");
    await eventually(() => device.data().toString() === "ping\r\n", "the echo");
    await pair.stop();
    expect((await proc.waitExit()).code).toBe(1);
    expect(proc.stdout).toMatch(/stopped: 1 lines echoed \(.*went away/);
  });

  it("exits 1 naming the path when there is no such device", async () => {
    const lines = new Lines();
    expect(await main(["/dev/hio-no-such-device"], lines.out)).toBe(1);
    expect(lines.text).toContain("/dev/hio-no-such-device");
  });
});
