import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Tymist } from "../../src/core/index.js";
import { WireLog, WireLogFormatError, formatWireLogEntry, parseWireLog } from "../../src/io/index.js";
import { bytes } from "../helpers/io-drive.js";

let dir: string | undefined;
let log: WireLog | undefined;
afterEach(() => {
  log?.close();
  log = undefined;
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe("WireLog", () => {
  it("keeps entries in memory with tyme, direction, peer and a copy of the bytes", () => {
    const tymist = new Tymist({ tock: 0.25 });
    log = new WireLog({ tymth: tymist.tymen() });
    const chunk = bytes("hello");
    log.rx(chunk, "127.0.0.1:5000");
    chunk.fill(0);
    tymist.tick();
    log.tx(bytes("bye"), "127.0.0.1:5000");
    expect(log.entries).toEqual([
      { tyme: 0, direction: "rx", peer: "127.0.0.1:5000", bytes: bytes("hello") },
      { tyme: 0.25, direction: "tx", peer: "127.0.0.1:5000", bytes: bytes("bye") },
    ]);
  });

  it("stamps tyme from a tyme base wound in later", () => {
    log = new WireLog();
    log.rx(bytes("a"), "p");
    log.wind(() => 7.5);
    log.rx(bytes("b"), "p");
    expect(log.entries.map((entry) => entry.tyme)).toEqual([undefined, 7.5]);
  });

  it("formats a line as tyme, direction, peer, count, hex and a quoted preview", () => {
    const line = formatWireLogEntry({ tyme: 0.25, direction: "rx", peer: "[::1]:50412", bytes: Uint8Array.of(0x68, 0x69, 0x0d, 0x0a, 0x00, 0x22) });
    expect(line).toBe('0.25 rx [::1]:50412 6 68690d0a0022 "hi\\r\\n\\x00\\""');
  });

  it("appends to a file that parseWireLog reads back exactly", () => {
    dir = mkdtempSync(join(tmpdir(), "hio-wirelog-"));
    const path = join(dir, "session.wirelog");
    const tymist = new Tymist({ tock: 0.5 });
    log = new WireLog({ path, tymth: tymist.tymen(), name: "test log" });
    const binary = Uint8Array.from({ length: 256 }, (_, index) => index);
    log.tx(binary, "/dev/tty USB0");
    tymist.tick();
    log.rx(bytes("ok\n"), "-");
    log.rx(bytes("anon"), "");
    log.close();
    const text = readFileSync(path, "utf8");
    expect(text.split("\n")[0]).toBe("# hio-ts wirelog v1 test_log");
    expect(log.entries).toEqual([]);
    expect(parseWireLog(text)).toEqual([
      { tyme: 0, direction: "tx", peer: "/dev/tty USB0", bytes: binary },
      { tyme: 0.5, direction: "rx", peer: "-", bytes: bytes("ok\n") },
      { tyme: 0.5, direction: "rx", peer: "", bytes: bytes("anon") },
    ]);
  });

  it("skips empty chunks and ignores rx/tx after close; close twice is safe", () => {
    log = new WireLog();
    log.rx(new Uint8Array(0), "p");
    log.close();
    log.close();
    log.tx(bytes("late"), "p");
    expect(log.entries).toEqual([]);
    expect(log.state).toBe("closed");
  });

  it("rejects a malformed line naming its number", () => {
    expect(() => parseWireLog("# header\n0 rx p 3 6869\n")).toThrow(WireLogFormatError);
    expect(() => parseWireLog("# header\n0 rx p 3 6869\n")).toThrow(/line 2/);
  });
});

describe("WireLog errors", () => {
  it("throws a WireLogError (a HioError) naming the path when the file cannot be opened", async () => {
    const { HioError } = await import("../../src/core/index.js");
    const { WireLogError } = await import("../../src/io/index.js");
    dir = mkdtempSync(join(tmpdir(), "hio-wirelog-"));
    const missing = join(dir, "no-such-dir", "x.wirelog");
    let error: unknown;
    try {
      new WireLog({ path: missing, name: "capture" });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(WireLogError);
    expect(error).toBeInstanceOf(HioError);
    expect((error as Error).message).toBe(`capture: cannot open ${missing} for appending: ENOENT: no such file or directory`);
    expect((error as InstanceType<typeof WireLogError>).path).toBe(missing);
    expect((error as InstanceType<typeof WireLogError>).code).toBe("ENOENT");
    // a directory is not a file either
    expect(() => new WireLog({ path: dir! })).toThrow(WireLogError);
    expect(() => new WireLog({ path: dir! })).toThrow(`wirelog: cannot open ${dir} for appending: EISDIR`);
  });
});
