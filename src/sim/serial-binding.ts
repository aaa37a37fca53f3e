/**
 * A serialport binding (the `BindingInterface` that `@serialport/binding-mock`
 * and the native bindings implement) over simulated serial links.
 *
 * @module
 */
import type { BindingInterface, BindingOpenOptions as OpenOptions, BindingPortInterface, PortInfo } from "../serial/index.js";

type PortStatus = Awaited<ReturnType<BindingPortInterface["get"]>>;
type SetOptions = Parameters<BindingPortInterface["set"]>[0];
import { RingBuffer } from "../io/index.js";
import { SimDeviceLostError, SimNetworkError, SimNoDeviceError } from "./errors.js";
import type { SimSerialLink } from "./serial-link.js";

/** The serialport binding interface (as hio-ts/serial declares it), opening simulated ports. */
export interface SimSerialBinding extends BindingInterface {
  /** Opens a simulated port. */
  open(options: OpenOptions): Promise<SimSerialPortBinding>;
}

/** Bytes the simulated OS buffers for reading (like a tty's 4 KiB). */
const READ_BUFFER = 4096;

/** An error that serialport treats as a cancelled operation (the port was closed). */
class CanceledError extends SimNetworkError {
  readonly canceled = true;
}

interface PendingRead {
  buffer: Buffer;
  offset: number;
  length: number;
  resolve: (result: { buffer: Buffer; bytesRead: number }) => void;
  reject: (error: Error) => void;
}

interface PendingWrite {
  bytes: Uint8Array;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * An open simulated port. Reads resolve when bytes arrive from the device
 * (paced by the link), writes resolve once the bytes are queued on the line,
 * `drain()` once they have all left. All resolution happens from the net's
 * tick, so the order is deterministic; promise callbacks run in the
 * microtask turn after it.
 */
export class SimSerialPortBinding implements BindingPortInterface {
  /** Options it was opened with, defaults filled in. */
  readonly openOptions: Required<OpenOptions>;
  /** Open until `close()`. */
  isOpen = true;
  readonly #link: SimSerialLink;
  readonly #received = new RingBuffer(READ_BUFFER);
  #read: PendingRead | undefined;
  #write: PendingWrite | undefined;
  #drains: (() => void)[] = [];
  #lost = false;

  /**
   * Made by the binding's `open`.
   * @param link the link it opened
   * @param options open options with defaults
   */
  constructor(link: SimSerialLink, options: Required<OpenOptions>) {
    this.#link = link;
    this.openOptions = options;
    link.attach(this, options.baudRate);
  }

  /** Closes the port; pending operations fail as cancelled. */
  async close(): Promise<void> {
    if (!this.isOpen) throw new SimNetworkError("EBADF", `sim serial port ${this.#link.path} is not open`);
    this.isOpen = false;
    this.#link.detach(this);
    this.#received.clear();
    const read = this.#read;
    this.#read = undefined;
    read?.reject(new CanceledError("ECANCELED", `read on ${this.#link.path} canceled: port closed`));
    const write = this.#write;
    this.#write = undefined;
    write?.reject(new CanceledError("ECANCELED", `write on ${this.#link.path} canceled: port closed`));
    this.#settleDrains();
  }

  /**
   * Reads at least one byte, waiting for it.
   * @param buffer where to put the bytes
   * @param offset where in `buffer`
   * @param length most bytes to read
   * @returns the buffer and the count read
   */
  read(
    buffer: Buffer,
    offset: number,
    length: number,
  ): Promise<{
    /** The buffer that was read into. */
    buffer: Buffer;
    /** How many bytes were read, from `offset`. */
    bytesRead: number;
  }> {
    if (!this.isOpen) return Promise.reject(new SimNetworkError("EBADF", `read on closed sim serial port ${this.#link.path}`));
    if (this.#read !== undefined) return Promise.reject(new SimNetworkError("EBUSY", `a read on ${this.#link.path} is already pending`));
    return new Promise((resolve, reject) => {
      this.#read = { buffer, offset, length, resolve, reject };
      this.#fillRead();
    });
  }

  /**
   * Queues bytes on the line to the device.
   * @param buffer the bytes
   * @returns resolves once every byte is queued
   */
  write(buffer: Buffer): Promise<void> {
    if (!this.isOpen || this.#lost) return Promise.reject(new SimDeviceLostError(this.#link.path));
    if (this.#write !== undefined) return Promise.reject(new SimNetworkError("EBUSY", `a write on ${this.#link.path} is already pending`));
    return new Promise((resolve, reject) => {
      this.#write = { bytes: Uint8Array.prototype.slice.call(buffer), resolve, reject };
      this.#fillWrite();
    });
  }

  /**
   * Changes the baud rate; a rate the device does not use garbles every byte.
   * @param options `baudRate`
   */
  async update(options: { baudRate: number }): Promise<void> {
    if (typeof options?.baudRate !== "number") throw new TypeError(`options.baudRate must be a number, got ${typeof options?.baudRate}`);
    this.#checkOpen();
    this.openOptions.baudRate = options.baudRate;
    this.#link.setPortBaudRate(options.baudRate);
  }

  /** Accepts control flags (the simulation has no modem lines). */
  async set(options: SetOptions): Promise<void> {
    void options;
    this.#checkOpen();
  }

  /** Reports the modem lines of an always-ready device. */
  async get(): Promise<PortStatus> {
    this.#checkOpen();
    return { cts: true, dsr: true, dcd: false };
  }

  /** Reports the baud rate. */
  async getBaudRate(): Promise<{
    /** The rate the port was opened at or last updated to. */
    baudRate: number;
  }> {
    this.#checkOpen();
    return { baudRate: this.openOptions.baudRate };
  }

  /** Drops unread input and unsent output. */
  async flush(): Promise<void> {
    this.#checkOpen();
    this.#received.clear();
    this.#link.toDevice.flush();
  }

  /** Resolves once every written byte has left the line. */
  drain(): Promise<void> {
    if (!this.isOpen) return Promise.reject(new SimNetworkError("EBADF", `drain on closed sim serial port ${this.#link.path}`));
    if (this.#write === undefined && this.#link.toDevice.idle) return Promise.resolve();
    return new Promise((resolve) => this.#drains.push(resolve));
  }

  /**
   * A byte arrived from the device.
   * @internal
   */
  take(byte: number): boolean {
    if (this.#received.isFull) return false; // overrun
    scratch[0] = byte;
    this.#received.write(scratch);
    this.#fillRead();
    return true;
  }

  /**
   * The line to the device made progress.
   * @internal
   */
  sent(idle: boolean): void {
    this.#fillWrite();
    if (idle && this.#write === undefined) this.#settleDrains();
  }

  /**
   * The device was unplugged.
   * @internal
   */
  lost(): void {
    this.#lost = true;
    this.#received.clear();
    const read = this.#read;
    this.#read = undefined;
    read?.reject(new SimDeviceLostError(this.#link.path));
    const write = this.#write;
    this.#write = undefined;
    write?.reject(new SimDeviceLostError(this.#link.path));
    this.#settleDrains();
  }

  #fillRead(): void {
    const read = this.#read;
    if (read === undefined || this.#received.length === 0 || this.#lost) return;
    this.#read = undefined;
    const bytes = this.#received.read(read.length);
    read.buffer.set(bytes, read.offset);
    read.resolve({ buffer: read.buffer, bytesRead: bytes.length });
  }

  #fillWrite(): void {
    const write = this.#write;
    if (write === undefined) return;
    const taken = this.#link.portWrite(write.bytes);
    if (taken < write.bytes.length) {
      write.bytes = write.bytes.subarray(taken);
      return;
    }
    this.#write = undefined;
    write.resolve();
  }

  #settleDrains(): void {
    const drains = this.#drains;
    if (drains.length === 0) return;
    this.#drains = [];
    for (const resolve of drains) resolve();
  }

  #checkOpen(): void {
    if (!this.isOpen) throw new SimNetworkError("EBADF", `sim serial port ${this.#link.path} is not open`);
  }
}

const scratch = new Uint8Array(1);

/**
 * Makes a serialport binding over the links `links()` returns. Use
 * `net.serialBinding()`, which passes the net's links.
 * @param links the current links by path
 * @returns the binding: pass it where serial code takes a `binding`
 */
export function createSerialBinding(links: () => ReadonlyMap<string, SimSerialLink>): SimSerialBinding {
  const open = new Map<string, SimSerialPortBinding>();
  return {
    async list(): Promise<PortInfo[]> {
      const infos: PortInfo[] = [];
      for (const link of links().values()) {
        if (!link.plugged) continue;
        infos.push({
          path: link.path,
          manufacturer: link.info.manufacturer ?? "hio-ts sim",
          serialNumber: link.info.serialNumber,
          pnpId: undefined,
          locationId: undefined,
          vendorId: link.info.vendorId,
          productId: link.info.productId,
        });
      }
      return infos;
    },
    async open(options: OpenOptions): Promise<SimSerialPortBinding> {
      if (typeof options !== "object" || options === null) throw new TypeError(`options must be an object, got ${typeof options}`);
      if (typeof options.path !== "string" || options.path === "") throw new TypeError(`path must be a serial path, got ${typeof options.path}`);
      if (typeof options.baudRate !== "number") throw new TypeError(`baudRate must be a number, got ${typeof options.baudRate}`);
      const link = links().get(options.path);
      if (link === undefined || !link.plugged) throw new SimNoDeviceError(options.path);
      const current = open.get(options.path);
      if (current?.isOpen === true && link.opened) throw new SimNetworkError("EBUSY", `sim serial port ${options.path} is already open (locked)`);
      const port = new SimSerialPortBinding(link, {
        dataBits: 8,
        lock: true,
        stopBits: 1,
        parity: "none",
        rtscts: false,
        xon: false,
        xoff: false,
        xany: false,
        hupcl: true,
        ...options,
      } as Required<OpenOptions>);
      open.set(options.path, port);
      return port;
    },
  };
}
