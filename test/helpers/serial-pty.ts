/**
 * Real serial devices for tests: a connected pair of pseudo-terminals made by
 * socat (`pty,raw,echo=0` on both ends, symlinked in a temp dir), which can be
 * stopped (the device vanishes) and started again at the same paths. Also a
 * raw serialport peer, so tests check hio-ts against code it did not write.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, constants, fstatSync, mkdtempSync, openSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import tty from "node:tty";
import type { SerialPort as SerialPortClass } from "serialport";
import { toolProblem } from "./peers.js";

const require = createRequire(import.meta.url);

/**
 * Waits until `condition()` holds, checking every few milliseconds; throws
 * after `timeoutMs` so a broken test fails instead of hanging.
 */
export async function eventually(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Two connected pty ends, `a` and `b`, made by one socat process. */
export class PtyPair {
  /** Temp dir holding the links. */
  readonly dir: string;
  /** Path of one end. */
  readonly a: string;
  /** Path of the other end. */
  readonly b: string;
  #socat: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), "hio-serial-"));
    this.a = join(this.dir, "ttyA");
    this.b = join(this.dir, "ttyB");
  }

  /** Creates the pair and waits until socat is moving data. */
  static async create(): Promise<PtyPair> {
    const pair = new PtyPair();
    await pair.start();
    return pair;
  }

  /** Whether socat runs. */
  get running(): boolean {
    return this.#socat !== undefined;
  }

  /** Starts socat (again) with the same link paths; resolves once both ends exist. */
  async start(): Promise<void> {
    if (this.#socat !== undefined) return;
    const missing = toolProblem("socat");
    if (missing !== undefined) throw new Error(missing);
    const socat = spawn("socat", ["-d", "-d", `pty,raw,echo=0,link=${this.a}`, `pty,raw,echo=0,link=${this.b}`], { stdio: ["ignore", "ignore", "pipe"] });
    this.#socat = socat;
    this.#exited = new Promise((resolve) => socat.once("exit", () => resolve()));
    let log = "";
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error) => {
        clearTimeout(timer);
        socat.off("error", onError);
        socat.off("exit", onExit);
        socat.stderr!.off("data", onData);
        socat.stderr!.resume(); // keep draining its log so it never blocks on stderr
        if (error === undefined) return resolve();
        this.#socat = undefined;
        socat.kill("SIGKILL");
        reject(error);
      };
      const onError = (error: Error) => done(error);
      const onExit = (code: number | null) => done(new Error(`socat exited with ${code}: ${log}`));
      const onData = (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes("starting data transfer loop")) done();
      };
      const timer = setTimeout(() => done(new Error(`socat did not start within 5 s: ${log}`)), 5_000);
      socat.on("error", onError);
      socat.on("exit", onExit);
      socat.stderr!.on("data", onData);
    });
  }

  /** Stops socat: both devices vanish (socat removes the links). */
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    const socat = this.#socat;
    if (socat === undefined) return;
    this.#socat = undefined;
    socat.kill(signal);
    await this.#exited;
  }

  /** Stops socat and removes the temp dir. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A peer on a pty end, on serialport's own stream API, collecting what it reads. */
export class RawPeer {
  readonly port: SerialPortClass;
  readonly chunks: Buffer[] = [];
  received = 0;

  private constructor(port: SerialPortClass) {
    this.port = port;
  }

  /** Opens `path` with serialport; `flowing` false leaves it paused (not reading). */
  static async open(path: string, options: { baudRate?: number; flowing?: boolean } = {}): Promise<RawPeer> {
    const { SerialPort } = require("serialport") as typeof import("serialport");
    const port = new SerialPort({ path, baudRate: options.baudRate ?? 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
    const peer = new RawPeer(port);
    port.on("error", () => {}); // a vanished device is expected in some tests
    if (options.flowing ?? true) peer.resume();
    return peer;
  }

  /** Starts (or restarts) reading. */
  resume(): void {
    if (this.port.listenerCount("data") === 0) {
      this.port.on("data", (chunk: Buffer) => {
        this.chunks.push(chunk);
        this.received += chunk.length;
      });
    }
    this.port.resume();
  }

  /** Everything read so far. */
  data(): Buffer {
    return Buffer.concat(this.chunks);
  }

  /** Writes and resolves when the OS took all of it. */
  write(data: Uint8Array | string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.port.write(data, (error) => (error ? reject(error) : resolve()));
    });
  }

  /** Closes the port, ignoring a device that is already gone. */
  close(): Promise<void> {
    if (!this.port.isOpen) return Promise.resolve();
    return new Promise((resolve) => this.port.close(() => resolve()));
  }
}

/**
 * A reader on a pty end through Node's own tty stream, opened without
 * serialport. serialport's open flushes the device's input queue (tcflush),
 * so bytes that reached a pty end before a serialport peer opened it are
 * lost; this reader keeps them, for tests where the other end may send
 * before the peer is ready (a reopen racing the peer's open).
 */
export class TtyReader {
  readonly chunks: Buffer[] = [];
  readonly #stream: tty.ReadStream;

  constructor(path: string) {
    const fd = openSync(path, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
    const device = fstatSync(fd);
    this.#stream = new tty.ReadStream(fd);
    // libuv reopens a pty slave and leaves the fd it was given open: close it
    // with the stream (if it is still this device), or every reader leaks one.
    this.#stream.once("close", () => {
      try {
        if (fstatSync(fd).rdev === device.rdev) closeSync(fd);
      } catch {
        // already closed
      }
    });
    this.#stream.on("data", (chunk: Buffer) => this.chunks.push(chunk));
    this.#stream.on("error", () => {}); // a vanished device is expected
  }

  /** Everything read so far. */
  data(): Buffer {
    return Buffer.concat(this.chunks);
  }

  /** Stops reading and closes the device. */
  close(): void {
    this.#stream.destroy();
  }
}
