/**
 * Console on real terminals: a pty device opened by path, and a child
 * process whose stdin/stdout are a pty (socat EXEC with `pty`), so the
 * default process.stdin raw-mode path runs for real.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { Console } from "../../src/serial/index.js";
import { eventually, PtyPair, RawPeer } from "../helpers/serial-pty.js";
import { needPeers } from "../helpers/peers.js";

const text = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : Buffer.from(bytes).toString());

const socat = needPeers("socat");

socat.describe("Console on a pty opened by path", () => {
  let pair: PtyPair;
  let peer: RawPeer | undefined;
  let terminal: Console | undefined;

  beforeEach(async () => {
    pair = await PtyPair.create();
  });

  afterEach(async () => {
    await terminal?.close();
    await peer?.close();
    await pair.dispose();
  });

  it("puts the device in raw mode, edits lines and echoes them", async () => {
    terminal = new Console({ path: pair.a });
    await terminal.open();
    expect(terminal.raw).toBe(true);
    peer = await RawPeer.open(pair.b);
    await peer.write("helo\x7flo\r");
    let line: Uint8Array | undefined;
    await eventually(() => (line = terminal!.getLine()) !== undefined, "a line");
    expect(text(line)).toBe("hello");
    await eventually(() => peer!.data().toString().endsWith("\r\n"), "the echo");
    expect(peer.data().toString()).toBe("helo\b \blo\r\n");
  });

  it("writes txbs to the device", async () => {
    terminal = new Console({ path: pair.a });
    await terminal.open();
    peer = await RawPeer.open(pair.b);
    terminal.write("shown\n");
    await eventually(() => peer!.data().toString().includes("shown"), "output");
  });
});

socat.describe("EchoConsoleDoer on a child's own stdin/stdout pty", () => {
  let dir: string;
  let socat: ChildProcess | undefined;
  let peer: RawPeer | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "hio-console-"));
  });

  afterEach(async () => {
    await peer?.close();
    if (socat !== undefined && socat.exitCode === null && socat.signalCode === null) {
      const exited = new Promise((resolve) => socat!.once("exit", resolve));
      socat.kill("SIGTERM");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it("greets, echoes a line, quits on q and restores the terminal", async () => {
    const link = join(dir, "term");
    const child = `${process.execPath} --import tsx test/helpers/serial-console-child.ts`;
    const proc = spawn("socat", ["-d", "-d", `pty,raw,echo=0,link=${link}`, `EXEC:${child},pty,setsid,ctty`], { stdio: ["ignore", "ignore", "pipe"] });
    socat = proc;
    let log = "";
    proc.stderr!.on("data", (chunk: Buffer) => (log += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
    await eventually(() => log.includes("starting data transfer loop"), `socat starts (${log})`);
    peer = await RawPeer.open(link);
    const screen = () => peer!.data().toString().replace(/\r/g, "");
    await eventually(() => screen().includes("Type cmd & \n: "), "the greeting", 20_000);
    expect(screen()).toBe("Cmds: q=quit, h=help otherwise echoes.\nType cmd & \n: ");
    await peer.write("hi\r");
    await eventually(() => screen().includes("Echo: hi\n"), "the echo");
    await peer.write("q\r");
    await eventually(() => screen().includes("]"), "the goodbye and the final report");
    expect(screen()).toBe("Cmds: q=quit, h=help otherwise echoes.\nType cmd & \n: hi\nEcho: hi\nType cmd & \n: q\nGoodbye.\n[tty=true raw=false]\n");
    expect(await exited).toBe(0);
  });
});
