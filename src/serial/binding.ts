/**
 * The seam between a Serial and the device: the binding interface that
 * `serialport` defines (and that `@serialport/binding-mock` and the simulated
 * serial link also implement), and the lazy loader of the real binding.
 *
 * The types are written out here, structurally identical to
 * `@serialport/bindings-interface`, so hio-ts's declarations do not depend on
 * a package it only reaches through `serialport`.
 *
 * @module
 */
import { read as fsRead } from "node:fs";
import { createRequire } from "node:module";
import { SerialBindingMissingError } from "./errors.js";

/** Settings a port is opened with, as serialport's bindings take them. */
export interface BindingOpenOptions {
  /** Device path, e.g. `/dev/ttyUSB0` or `COM3`. */
  path: string;
  /** Bits per second. */
  baudRate: number;
  /** Bits per character. */
  dataBits?: 5 | 6 | 7 | 8;
  /** Stop bits per character. */
  stopBits?: 1 | 1.5 | 2;
  /** `none`, `even`, `odd`, `mark` or `space`. */
  parity?: string;
  /** Hardware (RTS/CTS) flow control. */
  rtscts?: boolean;
  /** Software flow control: honour XON from the device. */
  xon?: boolean;
  /** Software flow control: honour XOFF from the device. */
  xoff?: boolean;
  /** Software flow control: any character restarts output. */
  xany?: boolean;
  /** Drop DTR when closing. */
  hupcl?: boolean;
  /** Lock the port against other processes. */
  lock?: boolean;
}

/** What listing says about one port; only `path` is guaranteed. */
export interface PortInfo {
  /** Device path to open. */
  path: string;
  /** Manufacturer as the USB descriptor gives it. */
  manufacturer: string | undefined;
  /** Serial number of the device. */
  serialNumber: string | undefined;
  /** Plug-and-play id (Linux: the `/dev/serial/by-id` name). */
  pnpId: string | undefined;
  /** Location on the bus. */
  locationId: string | undefined;
  /** USB product id, 4 hex digits. */
  productId: string | undefined;
  /** USB vendor id, 4 hex digits. */
  vendorId: string | undefined;
}

/** One open port of a binding; every call returns a Promise. */
export interface BindingPortInterface {
  /** The settings it was opened with. */
  readonly openOptions: Required<BindingOpenOptions>;
  /** Open until `close()` resolves. */
  readonly isOpen: boolean;
  /** Closes the port; a pending read or write rejects with `canceled: true`. */
  close(): Promise<void>;
  /** Resolves once at least one byte was read into `buffer` at `offset`. */
  read(
    buffer: Buffer,
    offset: number,
    length: number,
  ): Promise<{
    /** The buffer that was read into. */
    buffer: Buffer;
    /** How many bytes were read, from `offset`. */
    bytesRead: number;
  }>;
  /** Resolves once the OS took all of `buffer`; one write at a time. */
  write(buffer: Buffer): Promise<void>;
  /** Changes the baud rate of the open port. */
  update(options: { baudRate: number }): Promise<void>;
  /** Sets the control lines. */
  set(options: { brk?: boolean; cts?: boolean; dsr?: boolean; dtr?: boolean; rts?: boolean }): Promise<void>;
  /** Reads the status lines. */
  get(): Promise<{
    /** Clear To Send. */
    cts: boolean;
    /** Data Set Ready. */
    dsr: boolean;
    /** Data Carrier Detect. */
    dcd: boolean;
  }>;
  /** Discards what was received but not read and written but not sent. */
  flush(): Promise<void>;
  /** Waits until everything written has been transmitted. */
  drain(): Promise<void>;
}

/**
 * A binding: how ports are listed and opened. serialport's native binding,
 * `MockBinding` from `@serialport/binding-mock` and the simulated link all
 * fit it.
 */
export interface BindingInterface {
  /** Lists the ports the binding can see. */
  list(): Promise<PortInfo[]>;
  /** Opens a port. */
  open(options: BindingOpenOptions): Promise<BindingPortInterface>;
}

/** The error shape bindings reject with. */
export interface BindingError extends Error {
  /** True when the operation was cancelled because the port was closed. */
  canceled?: boolean;
  /** Node's error code, when the failure came from a system call. */
  code?: string;
}

/** The package that holds serialport's native bindings: an optional dependency of hio-ts. */
export const SERIAL_BINDINGS_PACKAGE = "@serialport/bindings-cpp";

let nativeBinding: BindingInterface | undefined;

/**
 * Returns serialport's native binding for this platform (`autoDetect()` of
 * `@serialport/bindings-cpp`), loading the package and its native addon the
 * first time it is called. Nothing else in hio-ts loads it, so a program that
 * never opens or lists a serial port never loads the addon, and hio-ts
 * installs and runs without it (it is an optional dependency: on a platform
 * with no prebuilt addon and no compiler, TCP and UDP still work).
 *
 * On Linux and macOS the ports it opens read with a hang-up-aware read
 * instead of serialport's own read, which retries forever (and spins a core)
 * when the device hung up and every read returns end of file.
 *
 * The load is synchronous (`require`), so it can run inside a Doer's enter.
 *
 * @returns the auto-detected native binding
 * @throws SerialBindingMissingError naming `@serialport/bindings-cpp` when the
 *   package is not installed or its addon cannot load here
 * @example
 * ```ts
 * try {
 *   console.log(await nativeSerialBinding().list());
 * } catch (error) {
 *   if (error instanceof SerialBindingMissingError) console.error(error.message); // says what to install
 *   else throw error;
 * }
 * ```
 */
export function nativeSerialBinding(): BindingInterface {
  if (nativeBinding === undefined) {
    let binding: BindingInterface;
    try {
      const require = createRequire(import.meta.url);
      const loaded = require(SERIAL_BINDINGS_PACKAGE) as { autoDetect(): BindingInterface };
      binding = loaded.autoDetect();
    } catch (error) {
      throw bindingMissing(error);
    }
    nativeBinding = {
      list: () => binding.list(),
      open: async (options) => withHangupAwareRead(await binding.open(options)),
    };
  }
  return nativeBinding;
}

function bindingMissing(error: unknown): SerialBindingMissingError {
  const code = (error as { code?: unknown } | undefined)?.code;
  const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
  const what =
    code === "MODULE_NOT_FOUND" || code === "ERR_MODULE_NOT_FOUND"
      ? `the package ${SERIAL_BINDINGS_PACKAGE} is not installed`
      : `the package ${SERIAL_BINDINGS_PACKAGE} cannot load its native addon on ${process.platform}-${process.arch} (${reason})`;
  return new SerialBindingMissingError(
    SERIAL_BINDINGS_PACKAGE,
    `serial ports need ${SERIAL_BINDINGS_PACKAGE}, an optional dependency of hio-ts, and ${what}: install it with "npm install ${SERIAL_BINDINGS_PACKAGE}" (it needs a prebuilt binary for this platform or a C++ compiler)`,
    { cause: error },
  );
}

/** What a Unix port of serialport's native binding has besides the interface. */
interface UnixPort extends BindingPortInterface {
  fd: number | null;
  poller: { once(event: "readable", callback: (error?: Error | null) => void): unknown };
}

/**
 * Gives a Unix port of serialport's native binding the hang-up-aware read
 * (see {@link nativeSerialBinding}); other ports are returned unchanged.
 * @param port a port the native binding opened
 * @returns the same port
 * @internal
 */
export function withHangupAwareRead(port: BindingPortInterface): BindingPortInterface {
  const unix = port as Partial<UnixPort>;
  if (typeof unix.fd !== "number" || typeof unix.poller?.once !== "function") return port; // Windows: its own read
  port.read = (buffer, offset, length) => hangupAwareRead(unix as UnixPort, buffer, offset, length);
  return port;
}

/**
 * Reads a non-blocking Unix serial port like serialport's own read (waiting
 * for the poller while the port has nothing), except at end of file: a tty in
 * raw mode reads 0 bytes only when it hung up (a pty whose other end closed, a
 * device that went away), and serialport would retry that read forever. Here
 * a read of 0 bytes waits for the poller once and reads again; a second one
 * rejects with an `EOF` error marked `disconnect`, so the Serial reports cutoff.
 */
async function hangupAwareRead(port: UnixPort, buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
  let ends = 0;
  for (;;) {
    const fd = port.fd;
    if (!port.isOpen || fd === null) throw canceled();
    try {
      const bytesRead = await new Promise<number>((resolve, reject) =>
        fsRead(fd, buffer, offset, length, null, (error, count) => (error === null ? resolve(count) : reject(error))),
      );
      if (bytesRead > 0) return { buffer, bytesRead };
      if (++ends >= 2) {
        throw Object.assign(new Error("end of file: the device hung up"), { code: "EOF", disconnect: true });
      }
    } catch (error) {
      const code = (error as BindingError).code;
      if (code !== "EAGAIN" && code !== "EWOULDBLOCK" && code !== "EINTR") throw error;
    }
    if (!port.isOpen) throw canceled();
    await new Promise<void>((resolve, reject) => port.poller.once("readable", (error) => (error ? reject(error) : resolve())));
  }
}

function canceled(): BindingError {
  return Object.assign(new Error("Port is not open"), { canceled: true });
}
