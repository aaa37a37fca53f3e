/**
 * A simulated serial cable between a device (simulated by your doers) and a
 * port path that serial code opens through the simulated binding.
 *
 * @module
 */
import { Signal, type Waker } from "../core/index.js";
import { RingBuffer } from "../io/index.js";
import type { SimKernel } from "./kernel.js";
import type { SimRandom } from "./random.js";
import { DEFAULT_SERIAL_CONDITIONS, mergeSerialConditions, SerialLine, type SerialConditions, type SerialSink } from "./serial-line.js";

/** Options of `net.serialLink`. */
export interface SimSerialLinkOptions extends Partial<SerialConditions> {
  /** Bytes of the device's `rxbs` and `txbs`. Default 4096. */
  deviceBufferSize?: number;
  /** Bytes each direction's transmit queue holds (the UART and driver buffers). Default 4096. */
  queueSize?: number;
  /** Plugged in at the start. Default true. */
  plugged?: boolean;
  /** Fields `list()` reports for the port. */
  info?: SimSerialLinkInfo;
}

/** What `list()` reports about a simulated port besides its path. */
export interface SimSerialLinkInfo {
  /** Manufacturer, as the USB descriptor would give it. */
  manufacturer?: string;
  /** Serial number of the device. */
  serialNumber?: string;
  /** USB vendor id, 4 hex digits. */
  vendorId?: string;
  /** USB product id, 4 hex digits. */
  productId?: string;
}

/**
 * The port side of a link, as the simulated binding sees it. Internal:
 * `SimSerialPortBinding` fits it without an `implements` clause, so that it
 * stays out of the API docs; `attach` checks the fit.
 */
export interface SerialPortEnd {
  /** A byte arrived from the device; false on overrun. */
  take(byte: number): boolean;
  /** The line toward the device made progress. */
  sent(idle: boolean): void;
  /** The device was unplugged while the port was open. */
  lost(): void;
}

/**
 * The device end of a link: what the simulated device reads (`rxbs`) and
 * writes (`txbs`). A device is ordinary hio code: a doer that reads `rxbs`
 * with `readFrame`/`readExactly` and writes its answers to `txbs`; the link
 * paces them onto the wire at the baud rate.
 */
export class SimSerialDevice {
  /** Bytes that came down the cable from the port. */
  readonly rxbs: RingBuffer;
  /** Bytes to send up the cable to the port. */
  readonly txbs: RingBuffer;
  /**
   * @param path the link's path, for ring names
   * @param size ring capacity
   */
  constructor(path: string, size: number) {
    this.rxbs = new RingBuffer({ capacity: size, name: `sim serial device ${path} rxbs` });
    this.txbs = new RingBuffer({ capacity: size, name: `sim serial device ${path} txbs` });
  }
}

/**
 * A serial cable: one line carries what the port writes to the device, the
 * other what the device writes to the port, each paced at the baud rate with
 * the link's gaps and bit errors. `unplug()` makes the path vanish (an open port fails with `EIO`,
 * an open() fails with `ENOENT`) until `replug()`: so reopen logic can be
 * tested without hardware.
 *
 * @example
 * ```ts
 * const link = net.serialLink("/dev/ttySIM0", { baudRate: 19200, bitErrorRate: 1e-4 });
 * const serial = new Serial({ path: "/dev/ttySIM0", baudRate: 19200, binding: net.serialBinding() });
 * net.at(5, () => link.unplug());
 * net.at(7, () => link.replug());
 * ```
 */
export class SimSerialLink {
  /** The port path serial code opens. */
  readonly path: string;
  /** The device end. */
  readonly device: SimSerialDevice;
  /**
   * Port → device.
   * @internal
   */
  readonly toDevice: SerialLine;
  /**
   * Device → port.
   * @internal
   */
  readonly toPort: SerialLine;
  /** Notified on plug and unplug. */
  readonly changed = new Signal();
  /** What `list()` reports besides the path. */
  readonly info: Readonly<SimSerialLinkInfo>;
  readonly #kernel: SimKernel;
  #plugged: boolean;
  #port: SerialPortEnd | undefined;
  readonly #deviceWaker: Waker;

  /**
   * Made by `net.serialLink`; not by applications.
   * @param kernel the net
   * @param path the port path
   * @param random the link's random stream
   * @param options conditions and sizes
   * @internal
   */
  constructor(kernel: SimKernel, path: string, random: SimRandom, options: SimSerialLinkOptions = {}) {
    this.#kernel = kernel;
    this.path = path;
    const { deviceBufferSize = 4096, queueSize = 4096, plugged = true, info = {}, ...changes } = options;
    const conditions = mergeSerialConditions(DEFAULT_SERIAL_CONDITIONS, changes);
    this.device = new SimSerialDevice(path, deviceBufferSize);
    this.toDevice = new SerialLine(kernel, `${path} to device`, conditions, random.derive("to device"), queueSize);
    this.toPort = new SerialLine(kernel, `${path} to port`, conditions, random.derive("to port"), queueSize);
    this.info = info;
    this.#plugged = plugged;
    const device = this.device;
    this.toDevice.sink = {
      take: (byte) => {
        if (!this.#plugged || device.rxbs.ended || device.rxbs.isFull) return false;
        scratch[0] = byte;
        device.rxbs.write(scratch);
        return true;
      },
      sent: () => this.#port?.sent(this.toDevice.idle),
    };
    this.toPort.sink = {
      take: (byte) => this.#plugged && this.#port !== undefined && this.#port.take(byte),
      sent: () => this.#pumpDevice(),
    } satisfies SerialSink;
    this.#deviceWaker = { wake: () => this.#pumpDevice() };
    device.txbs.dataSignal.subscribe(this.#deviceWaker);
  }

  /** The device is plugged in: the path exists. */
  get plugged(): boolean {
    return this.#plugged;
  }

  /** A port has the path open. */
  get opened(): boolean {
    return this.#port !== undefined;
  }

  /**
   * Changes the conditions of both directions.
   * @param changes fields to change
   */
  configure(changes: Partial<SerialConditions>): void {
    this.toDevice.configure(changes);
    this.toPort.configure(changes);
  }

  /** Pulls the plug: bytes on the wire are lost, an open port fails, the path vanishes. */
  unplug(): void {
    if (!this.#plugged) return;
    this.#plugged = false;
    if (this.#kernel.tracing) this.#kernel.trace("unplug", this.path);
    this.toDevice.flush();
    this.toPort.flush();
    const port = this.#port;
    this.#port = undefined;
    port?.lost();
    this.changed.notify();
  }

  /** Plugs it back in: the path can be opened again. */
  replug(): void {
    if (this.#plugged) return;
    this.#plugged = true;
    if (this.#kernel.tracing) this.#kernel.trace("replug", this.path);
    this.changed.notify();
  }

  /**
   * Attaches an opened port. Internal: the binding calls it.
   * @param port the port end
   * @param baudRate the rate the port was opened at; a mismatch garbles every byte
   * @internal
   */
  attach(port: SerialPortEnd, baudRate: number): void {
    this.#port = port;
    this.setPortBaudRate(baudRate);
  }

  /**
   * Detaches the port (it closed). Internal.
   * @param port the port end
   * @internal
   */
  detach(port: SerialPortEnd): void {
    if (this.#port === port) this.#port = undefined;
  }

  /**
   * The port changed its baud rate. Internal.
   * @param baudRate the port's rate
   */
  setPortBaudRate(baudRate: number): void {
    const garbled = baudRate !== this.toDevice.conditions.baudRate;
    this.toDevice.garbled = garbled;
    this.toPort.garbled = garbled;
  }

  /**
   * Queues bytes the port writes. Internal: the binding calls it.
   * @param bytes the bytes
   * @returns how many fit
   */
  portWrite(bytes: Uint8Array): number {
    return this.#plugged ? this.toDevice.write(bytes) : bytes.length;
  }

  #pumpDevice(): void {
    const txbs = this.device.txbs;
    while (txbs.length > 0 && this.toPort.free > 0) {
      const [region] = txbs.readRegions();
      if (region === undefined) break;
      const taken = this.#plugged ? this.toPort.write(region) : region.length; // unplugged: the bytes go nowhere
      if (!this.#plugged) this.#kernel.stats.serialBytesDropped += taken;
      txbs.consume(taken);
      if (taken === 0) break;
    }
    txbs.dataSignal.subscribe(this.#deviceWaker);
  }
}

const scratch = new Uint8Array(1);
