/**
 * `hio bridge` (a serial port served on a TCP port) and the serial monitor's
 * line options, -q, --hex and --reopen messages, run as the real `hio`
 * command on a socat pty pair, with a raw serialport peer as the device and
 * plain node sockets as TCP clients.
 */
import net from "node:net";
import { afterEach, expect, it } from "vitest";
import { Proc } from "../helpers/examples-process.js";
import { needPeers } from "../helpers/peers.js";
import { PtyPair, RawPeer, eventually } from "../helpers/serial-pty.js";
import { Cleanup } from "../helpers/tcp-harness.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

async function ptys(): Promise<PtyPair> {
  return cleanup.add(await PtyPair.create(), (pair) => pair.dispose());
}

async function device(path: string): Promise<RawPeer> {
  return cleanup.add(await RawPeer.open(path), (p) => p.close());
}

function hio(args: string[], input?: string): Proc {
  return cleanup.add(Proc.hio(args, input === undefined ? {} : { input }), (p) => p.kill());
}

/** A TCP client that collects what it receives. */
async function client(port: number): Promise<{ socket: net.Socket; data: () => string; closed: Promise<void> }> {
  const socket = cleanup.add(net.connect(port, "127.0.0.1"), (s) => s.destroy());
  let text = "";
  socket.on("data", (chunk) => (text += chunk.toString("latin1")));
  socket.on("error", () => {});
  const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  return { socket, data: () => text, closed };
}

/** socat makes the pty pairs every test here uses. */
const socat = needPeers("socat");

socat.describe("hio bridge", () => {
  it("joins a TCP client to the serial device both ways, logs clients, and exits 143 on SIGTERM", async () => {
    const pair = await ptys();
    const bridge = hio(["bridge", pair.a, "--port", "0", "--baud", "9600"]);
    const match = await bridge.waitFor(/at 9600 baud; listening on 127\.0\.0\.1:(\d+)\n/, "stderr");
    const board = await device(pair.b);
    const tcp = await client(Number(match[1]));
    await bridge.waitFor(/hio bridge: \+ 127\.0\.0\.1:\d+\n/, "stderr");
    tcp.socket.write("AT+GMR\r\n");
    await eventually(() => board.data().toString() === "AT+GMR\r\n", "the device got the command");
    await board.write("v1.2.3\r\nOK\r\n");
    await eventually(() => tcp.data() === "v1.2.3\r\nOK\r\n", "the client got the answer");
    // a second client is refused while the first is connected (--max-clients 1)
    const second = await client(Number(match[1]));
    await second.closed;
    tcp.socket.end();
    await bridge.waitFor(/hio bridge: - 127\.0\.0\.1:\d+\n/, "stderr");
    // the device stays open for the next client
    const next = await client(Number(match[1]));
    await eventually(() => (bridge.stderr.match(/\+ 127\.0\.0\.1:\d+\n/g) ?? []).length >= 2, "the next client was logged");
    await board.write("later\n");
    await eventually(() => next.data().endsWith("later\n"), "the next client got the device's bytes");
    bridge.signal("SIGTERM");
    expect(await bridge.waitExit()).toEqual({ code: 143, signal: null });
  });

  it("exits 1 when the device goes away, and 5 naming the path when it does not exist", async () => {
    const pair = await ptys();
    const bridge = hio(["bridge", pair.a, "--port", "0"]);
    await bridge.waitFor(/listening on/, "stderr");
    await pair.stop();
    expect((await bridge.waitExit()).code).toBe(1);
    expect(bridge.stderr).toContain("went away");
    const missing = hio(["bridge", "/dev/hio-no-such-device", "--port", "0"]);
    expect((await missing.waitExit()).code).toBe(5);
    expect(missing.stderr).toContain("/dev/hio-no-such-device");
  });
});

socat.describe("hio serial monitor options", () => {
  it("-q S sends piped input, prints the answer and quits S seconds after the input ended (scriptable)", async () => {
    const pair = await ptys();
    const board = await device(pair.b);
    board.port.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("\n")) void board.write("OK\r\n");
    });
    const proc = hio(["serial", "monitor", pair.a, "--baud", "9600", "--parity", "even", "--xonxoff", "-q", "1"], "AT\r\n");
    expect(await proc.waitExit()).toEqual({ code: 0, signal: null });
    expect(proc.stdout).toBe("OK\r\n");
    expect(board.data().toString()).toBe("AT\r\n");
  });

  it("--hex prints what the device sends as hex bytes", async () => {
    const pair = await ptys();
    const proc = hio(["serial", "monitor", pair.a, "--hex", "--rtscts"]);
    await proc.waitFor(/ at 115200 baud\n/, "stderr");
    const board = await device(pair.b);
    await board.write(Buffer.from([0x4f, 0x4b, 0x0d, 0x0a, 0x00, 0xff]));
    await eventually(() => proc.stdout.replace(/\s+/g, "") === "4f4b0d0a00ff", "the hex dump of the six bytes");
    expect(proc.stdout).toMatch(/^([0-9a-f]{2}( [0-9a-f]{2})*\n)+$/);
    proc.signal("SIGINT");
    expect(await proc.waitExit()).toEqual({ code: 130, signal: null });
  });

  it("--reopen says when the device goes away and when it is back, and keeps going", async () => {
    const pair = await ptys();
    const proc = hio(["serial", "monitor", pair.a, "--reopen"]);
    await proc.waitFor(/ at 115200 baud\n/, "stderr");
    await pair.stop();
    await proc.waitFor(/went away; waiting for it to come back \(--reopen\)\n/, "stderr");
    await pair.start();
    await proc.waitFor(/ is back\n/, "stderr", 20_000);
    const board = await device(pair.b);
    await board.write("after reopen\n");
    await proc.waitFor(/after reopen\n/);
    proc.signal("SIGTERM");
    expect(await proc.waitExit()).toEqual({ code: 143, signal: null });
  });

  it("--dtr/--rts set the lines, or say why they cannot (a pty has none) and carry on", async () => {
    const pair = await ptys();
    const proc = hio(["serial", "monitor", pair.a, "--dtr", "off", "--rts", "on"]);
    await proc.waitFor(/ at 115200 baud\n/, "stderr");
    const board = await device(pair.b);
    await board.write("still works\n");
    await proc.waitFor(/still works\n/);
    // On a pty the ioctl fails; on a real port there is no message.
    if (proc.stderr.includes("cannot set")) expect(proc.stderr).toMatch(/cannot set DTR off and RTS on on .*ttyA: /);
    proc.signal("SIGINT");
    expect(await proc.waitExit()).toEqual({ code: 130, signal: null });
  });
});
