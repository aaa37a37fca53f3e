/**
 * A null-modem cable in memory: a serialport binding whose two paths are
 * wired to each other (what one end writes, the other reads), so a Serial
 * and a serialport-based peer written by others (modbus-serial's ServerSerial)
 * talk with no pty, no socat and no hardware. Each end is one open port;
 * reads follow the binding contract (at least one byte; a closed port's
 * pending read fails with `canceled: true`).
 */
import type { BindingInterface, BindingOpenOptions, BindingPortInterface, PortInfo } from "../../src/serial/index.js";

class NullModemPort implements BindingPortInterface {
  readonly openOptions: Required<BindingOpenOptions>;
  isOpen = true;
  /** The other end; set by the binding. */
  peer: NullModemPort | undefined;
  #pending: Buffer[] = [];
  #reader: { buffer: Buffer; offset: number; length: number; resolve: (result: { buffer: Buffer; bytesRead: number }) => void; reject: (error: Error) => void } | undefined;
  readonly #onClose: () => void;

  constructor(options: BindingOpenOptions, onClose: () => void) {
    this.openOptions = { dataBits: 8, stopBits: 1, parity: "none", rtscts: false, xon: false, xoff: false, xany: false, hupcl: true, lock: true, ...options };
    this.#onClose = onClose;
  }

  /** Bytes arriving from the other end. */
  deliver(data: Buffer): void {
    this.#pending.push(Buffer.from(data));
    this.#serve();
  }

  #serve(): void {
    const reader = this.#reader;
    if (reader === undefined || this.#pending.length === 0) return;
    this.#reader = undefined;
    let bytesRead = 0;
    while (bytesRead < reader.length && this.#pending.length > 0) {
      const chunk = this.#pending[0]!;
      const take = Math.min(chunk.length, reader.length - bytesRead);
      chunk.copy(reader.buffer, reader.offset + bytesRead, 0, take);
      bytesRead += take;
      if (take === chunk.length) this.#pending.shift();
      else this.#pending[0] = chunk.subarray(take);
    }
    reader.resolve({ buffer: reader.buffer, bytesRead });
  }

  read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
    if (!this.isOpen) return Promise.reject(Object.assign(new Error("port is closed"), { canceled: true }));
    return new Promise((resolve, reject) => {
      this.#reader = { buffer, offset, length, resolve, reject };
      // Deliver on a later turn, as a device does: never inside the caller's read().
      setImmediate(() => this.#serve());
    });
  }

  async write(buffer: Buffer): Promise<void> {
    if (!this.isOpen) throw Object.assign(new Error("port is closed"), { canceled: true });
    const peer = this.peer;
    if (peer?.isOpen) setImmediate(() => peer.deliver(buffer));
  }

  async close(): Promise<void> {
    if (!this.isOpen) return;
    this.isOpen = false;
    const reader = this.#reader;
    this.#reader = undefined;
    reader?.reject(Object.assign(new Error("port closed"), { canceled: true }));
    this.#onClose();
  }

  async update(): Promise<void> {}
  async set(): Promise<void> {}
  async get(): Promise<{ cts: boolean; dsr: boolean; dcd: boolean }> {
    return { cts: true, dsr: true, dcd: true };
  }
  async flush(): Promise<void> {
    this.#pending = [];
  }
  async drain(): Promise<void> {}
}

/** A binding with two paths, `a` and `b`, wired to each other. */
export class NullModemBinding implements BindingInterface {
  readonly #ports = new Map<string, NullModemPort>();

  constructor(
    readonly a: string,
    readonly b: string,
  ) {}

  async list(): Promise<PortInfo[]> {
    return [this.a, this.b].map((path) => ({
      path,
      manufacturer: undefined,
      serialNumber: undefined,
      pnpId: undefined,
      locationId: undefined,
      productId: undefined,
      vendorId: undefined,
    }));
  }

  async open(options: BindingOpenOptions): Promise<BindingPortInterface> {
    const { path } = options;
    if (path !== this.a && path !== this.b) throw Object.assign(new Error(`Error: No such file or directory, cannot open ${path}`), { code: "ENOENT" });
    if (this.#ports.has(path)) throw Object.assign(new Error(`Error Resource temporarily unavailable Cannot lock port ${path}`), { code: "EBUSY" });
    const port = new NullModemPort(options, () => {
      this.#ports.delete(path);
      const other = this.#ports.get(path === this.a ? this.b : this.a);
      if (other !== undefined) other.peer = undefined;
    });
    this.#ports.set(path, port);
    const other = this.#ports.get(path === this.a ? this.b : this.a);
    if (other !== undefined) {
      other.peer = port;
      port.peer = other;
    }
    return port;
  }
}
