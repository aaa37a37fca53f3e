/**
 * The read that replaces serialport's on Unix ports: end of file (a device
 * that hung up) rejects as a disconnect instead of being retried forever.
 * Real file descriptors; only the poller, which needs serialport's addon and
 * a tty, is stood in for.
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { withHangupAwareRead, type BindingPortInterface } from "../../src/serial/binding.js";

let dir: string;
let fds: number[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "hio-hangup-"));
  fds = [];
});

afterEach(() => {
  for (const fd of fds) closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
});

/** A port shaped like serialport's LinuxPortBinding on `fd`, with a poller that reports readable at once. */
function portOn(fd: number) {
  let polls = 0;
  const port = {
    fd: fd as number | null,
    get isOpen() {
      return this.fd !== null;
    },
    poller: {
      once(_event: "readable", callback: (error?: Error | null) => void) {
        polls++;
        setImmediate(() => callback(null));
      },
    },
    read: () => Promise.reject(new Error("serialport's own read must not be called")),
  };
  const patched = withHangupAwareRead(port as unknown as BindingPortInterface);
  return { port, patched, polls: () => polls };
}

function fileWith(content: string): number {
  const path = join(dir, `f${fds.length}`);
  writeFileSync(path, content);
  const fd = openSync(path, "r");
  fds.push(fd);
  return fd;
}

describe("hang-up-aware read", () => {
  it("returns the bytes there are", async () => {
    const { patched } = portOn(fileWith("hello"));
    const buffer = Buffer.alloc(16);
    const result = await patched.read(buffer, 0, 16);
    expect(result.bytesRead).toBe(5);
    expect(buffer.subarray(0, 5).toString()).toBe("hello");
  });

  it("rejects end of file as a disconnect after waiting for the poller once", async () => {
    const { patched, polls } = portOn(fileWith(""));
    const error = await patched.read(Buffer.alloc(16), 0, 16).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ code: "EOF", disconnect: true });
    expect(polls()).toBe(1);
  });

  it("rejects as cancelled when the port is closed", async () => {
    const { port, patched } = portOn(fileWith(""));
    port.fd = null;
    await expect(patched.read(Buffer.alloc(16), 0, 16)).rejects.toMatchObject({ canceled: true });
  });

  it("leaves a port without a file descriptor (Windows, mocks) alone", () => {
    const port = { read: () => Promise.resolve({ buffer: Buffer.alloc(0), bytesRead: 0 }) };
    const read = port.read;
    withHangupAwareRead(port as unknown as BindingPortInterface);
    expect(port.read).toBe(read);
  });
});
