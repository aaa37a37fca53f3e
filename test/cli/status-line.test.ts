import { afterEach, describe, expect, it } from "vitest";
import { Meter, StatusLine, formatBytes, formatStatus } from "../../src/cli/status-line.js";
import { Doist } from "../../src/index.js";
import { Proc, run } from "../helpers/examples-process.js";
import { Cleanup } from "../helpers/tcp-harness.js";
import { needPeers } from "../helpers/peers.js";

const scriptAndNc = needPeers("script", "nc");

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

class FakeStream {
  written = "";
  constructor(
    readonly isTTY: boolean,
    readonly columns?: number,
  ) {}
  write(text: string): boolean {
    this.written += text;
    return true;
  }
}

describe("the status line", () => {
  it.each([
    [0, "0 B"],
    [1023, "1023 B"],
    [1536, "1.5 KiB"],
    [5 * 1024 * 1024, "5.0 MiB"],
    [3 * 1024 ** 3, "3.00 GiB"],
  ])("formats %d bytes as %s", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it("shows connections, bytes in and out and ticks/s", () => {
    const meter = new Meter();
    meter.connections = 2;
    meter.total = 5;
    meter.rx(new Uint8Array(2048), "a");
    meter.tx(new Uint8Array(10), "a");
    expect(formatStatus("hio echo 127.0.0.1:7000", meter, 31.6)).toBe("hio echo 127.0.0.1:7000 | 2 conn (5 total) | in 2.0 KiB | out 10 B | 32 ticks/s");
  });

  it("passes every chunk on to the wirelog it wraps", () => {
    const seen: string[] = [];
    const meter = new Meter({ rx: (bytes, peer) => seen.push(`rx ${bytes.length} ${peer}`), tx: (bytes, peer) => seen.push(`tx ${bytes.length} ${peer}`) });
    meter.rx(new Uint8Array(3), "p:1");
    meter.tx(new Uint8Array(4), "p:1");
    expect(seen).toEqual(["rx 3 p:1", "tx 4 p:1"]);
  });

  it("redraws in place on a terminal, keeps it below log lines, and clears it at exit", () => {
    const stream = new FakeStream(true, 200);
    const meter = new Meter();
    const status = new StatusLine({ stream, label: "hio test", meter, enabled: true, tock: 0.5 });
    const doist = new Doist({ doers: [status], tock: 0.25, signals: false });
    doist.enter();
    doist.recur();
    expect(stream.written).toBe("\r\x1b[Khio test | 0 conn (0 total) | in 0 B | out 0 B | 0 ticks/s");
    stream.written = "";
    status.print("a log line");
    expect(stream.written).toBe("\r\x1b[Ka log line\nhio test | 0 conn (0 total) | in 0 B | out 0 B | 0 ticks/s");
    stream.written = "";
    doist.exit();
    expect(stream.written).toBe("\r\x1b[K");
  });

  it("cuts the line to the terminal's width", () => {
    const stream = new FakeStream(true, 20);
    const doist = new Doist({ doers: [new StatusLine({ stream, label: "hio echo 127.0.0.1:7000", meter: new Meter(), enabled: true })], signals: false });
    doist.enter();
    doist.recur();
    expect(stream.written).toBe("\r\x1b[Khio echo 127.0.0.1:"); // 19 columns: the cursor keeps the 20th
    doist.exit();
  });

  it("draws nothing when the stream is not a terminal, and only prints log lines", () => {
    const stream = new FakeStream(false);
    const status = new StatusLine({ stream, label: "hio test", meter: new Meter(), enabled: true });
    const doist = new Doist({ doers: [status], signals: false });
    doist.enter();
    doist.recur();
    status.print("hello");
    doist.exit();
    expect(status.enabled).toBe(false);
    expect(stream.written).toBe("hello\n");
  });

  scriptAndNc.it("is drawn live on stderr when hio runs on a terminal", async () => {
    // script(1) gives hio a pseudo-terminal for stdin, stdout and stderr.
    const proc = cleanup.add(Proc.spawn("script", ["-qfec", `${process.execPath} --import tsx src/cli/hio.ts echo --port 0`, "/dev/null"]), (p) => p.kill());
    const port = (await proc.waitFor(/listening on 127\.0\.0\.1:(\d+)/))[1]!;
    await run("nc", ["-N", "127.0.0.1", port], { input: "12345678\n" });
    await proc.waitFor(/\| 0 conn \(1 total\) \| in 9 B \| out 9 B \| \d+ ticks\/s/);
    expect(proc.stdout).toContain(`\r\x1b[Khio echo 127.0.0.1:${port} | `);
  });
});
