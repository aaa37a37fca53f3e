/**
 * Test binding for Serial: serialport's MockBinding, plus what it lacks for
 * our tests: unplugging and replugging a device, and holding writes back the
 * way a slow device does.
 */
import { createRequire } from "node:module";
import type { MockBindingInterface, MockPortBinding } from "@serialport/binding-mock" with { "resolution-mode": "require" };
import type { BindingOpenOptions, BindingPortInterface, PortInfo, BindingInterface } from "../../src/serial/index.js";

// The package's exports map gives ESM importers no types; its CommonJS build has them.
const { MockBinding } = createRequire(import.meta.url)("@serialport/binding-mock") as { MockBinding: MockBindingInterface };

/** An error like the one the native binding gives for a vanished device. */
function eio(path: string): Error {
  return Object.assign(new Error(`EIO: i/o error, read ${path}`), { code: "EIO" });
}

/** One open port: MockPortBinding, able to vanish and to hold writes. */
export class TestPort implements BindingPortInterface {
  readonly inner: MockPortBinding;
  #gone = false;
  #rejectRead: ((error: Error) => void) | undefined;
  #gate: Promise<void> | undefined;
  #openGate: (() => void) | undefined;
  /** Every buffer the Serial asked to write, in order. */
  readonly writes: Buffer[] = [];

  constructor(inner: MockPortBinding) {
    this.inner = inner;
  }

  get openOptions(): Required<BindingOpenOptions> {
    return this.inner.openOptions;
  }

  get isOpen(): boolean {
    return !this.#gone && this.inner.isOpen;
  }

  /** Pretends the device sent `data`. */
  emit(data: string | Uint8Array): void {
    this.inner.emitData(Buffer.from(data));
  }

  /** Everything written so far, as one string (latin1, byte for byte). */
  written(): string {
    return Buffer.concat(this.writes).toString("latin1");
  }

  /** Makes writes wait until `releaseWrites()`, like a device that stopped reading. */
  holdWrites(): void {
    this.#gate ??= new Promise((resolve) => (this.#openGate = resolve));
  }

  /** Lets held writes complete. */
  releaseWrites(): void {
    this.#openGate?.();
    this.#gate = undefined;
    this.#openGate = undefined;
  }

  /** The device vanishes: the pending read and all later calls fail with EIO. */
  unplug(): void {
    this.#gone = true;
    this.#rejectRead?.(eio(this.inner.openOptions.path));
    this.#rejectRead = undefined;
    this.releaseWrites();
    this.inner.close().catch(() => {}); // releases MockBinding's lock so a replug can reopen
  }

  read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
    if (this.#gone) return Promise.reject(eio(this.inner.openOptions.path));
    return new Promise((resolve, reject) => {
      this.#rejectRead = reject;
      this.inner.read(buffer, offset, length).then(resolve, reject);
    });
  }

  async write(buffer: Buffer): Promise<void> {
    if (this.#gone) throw eio(this.inner.openOptions.path);
    const copy = Buffer.from(buffer);
    if (this.#gate !== undefined) await this.#gate;
    if (this.#gone) throw eio(this.inner.openOptions.path);
    await this.inner.write(copy);
    this.writes.push(copy);
  }

  close(): Promise<void> {
    if (this.#gone) return Promise.reject(new Error("Port is not open"));
    return this.inner.close();
  }

  update(options: { baudRate: number }): Promise<void> {
    return this.inner.update(options);
  }

  set(options: { brk?: boolean; cts?: boolean; dsr?: boolean; dtr?: boolean; rts?: boolean }): Promise<void> {
    return this.inner.set(options);
  }

  get(): Promise<{ cts: boolean; dsr: boolean; dcd: boolean }> {
    return this.inner.get();
  }

  flush(): Promise<void> {
    return this.inner.flush();
  }

  drain(): Promise<void> {
    return this.inner.drain();
  }
}

/** Options of {@link TestBinding.plug}. */
export interface PlugOptions {
  vendorId?: string;
  productId?: string;
  echo?: boolean;
  maxReadSize?: number;
}

/** A binding over MockBinding whose devices can be unplugged and plugged back. */
export class TestBinding implements BindingInterface {
  readonly #unplugged = new Set<string>();
  readonly #open = new Map<string, TestPort>();
  /** Errors to throw from the next open of a path, e.g. a permission error. */
  readonly openFailures = new Map<string, Error>();
  /** Number of open attempts per path. */
  readonly attempts = new Map<string, number>();

  constructor() {
    MockBinding.reset();
  }

  /** Creates (or re-creates after an unplug) a device at `path`. */
  plug(path: string, options: PlugOptions = {}): void {
    this.#unplugged.delete(path);
    MockBinding.createPort(path, { echo: false, record: false, maxReadSize: 65_536, ...options });
  }

  /** The device at `path` vanishes, open or not. */
  unplug(path: string): void {
    this.#unplugged.add(path);
    this.#open.get(path)?.unplug();
    this.#open.delete(path);
  }

  /** The open port at `path`. */
  port(path: string): TestPort {
    const port = this.#open.get(path);
    if (port === undefined) throw new Error(`test binding: ${path} is not open`);
    return port;
  }

  /** Whether `path` is open now. */
  isOpen(path: string): boolean {
    return this.#open.get(path)?.isOpen ?? false;
  }

  async list(): Promise<PortInfo[]> {
    const ports = await MockBinding.list();
    return ports.filter((port) => !this.#unplugged.has(port.path));
  }

  async open(options: BindingOpenOptions): Promise<BindingPortInterface> {
    const path = options.path;
    this.attempts.set(path, (this.attempts.get(path) ?? 0) + 1);
    const failure = this.openFailures.get(path);
    if (failure !== undefined) throw failure;
    if (this.#unplugged.has(path)) throw Object.assign(new Error(`No such file or directory, cannot open ${path}`), { code: "ENOENT" });
    const port = new TestPort(await MockBinding.open(options));
    this.#open.set(path, port);
    return port;
  }

  /** Forgets every device. */
  reset(): void {
    MockBinding.reset();
    this.#unplugged.clear();
    this.#open.clear();
  }
}

/** Lets pending promise callbacks and nextTicks run (the mock resolves on nextTick). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Waits, a macrotask at a time, until `condition()` holds; fails after
 * `rounds` rounds, so a test that would hang fails instead.
 */
export async function until(condition: () => boolean, what: string, rounds = 2000): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    if (condition()) return;
    await settle();
  }
  throw new Error(`timed out waiting until ${what}`);
}
