/**
 * Listing serial ports, with a fallback for Linux systems without udev.
 *
 * @module
 */
import { readdirSync, readFileSync, readlinkSync, realpathSync, existsSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { nativeSerialBinding, type PortInfo, type BindingInterface } from "./binding.js";
import { SerialListError } from "./errors.js";

/** Options of {@link listSerialPorts}. */
export interface ListSerialPortsOptions {
  /** Binding to ask; default: serialport's native binding (loaded now). */
  binding?: BindingInterface;
  /** Root of sysfs for the Linux fallback; tests point it at a fake tree. Default `/sys`. */
  sysfs?: string;
  /** Root of the device files for the Linux fallback. Default `/dev`. */
  dev?: string;
}

/** Device names serialport's own Linux listing keeps (the rest are virtual consoles). */
const SERIAL_NAME = /^(tty(S|WCH|ACM|USB|AMA|MFD|O|XRUSB)\d|rfcomm\d)/;

/**
 * Lists the serial ports the binding can see: path, manufacturer, serial
 * number and USB vendor/product ids where known.
 *
 * On Linux, serialport lists ports through `udevadm`; where that program is
 * missing (containers, minimal images) this falls back to reading the same
 * facts from sysfs (`/sys/class/tty/<name>/device` and its USB ancestors).
 *
 * @param options `binding`, `sysfs`, `dev`
 * @returns the ports, in the binding's order (the fallback sorts by path)
 * @throws SerialListError when the binding fails and no fallback applies
 * @example
 * ```ts
 * for (const port of await listSerialPorts()) {
 *   console.log(port.path, port.vendorId, port.productId, port.manufacturer);
 * }
 * ```
 */
export async function listSerialPorts(options: ListSerialPortsOptions = {}): Promise<PortInfo[]> {
  const binding = options.binding ?? nativeSerialBinding();
  try {
    return await binding.list();
  } catch (error) {
    if (options.binding === undefined && process.platform === "linux" && isMissingUdevadm(error)) {
      return listFromSysfs(options.sysfs ?? "/sys", options.dev ?? "/dev");
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new SerialListError("", `serial ports: listing failed: ${reason}`, { cause: error });
  }
}

function isMissingUdevadm(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === "ENOENT" && typeof message === "string" && message.includes("udevadm");
}

/**
 * Reads the serial ports from sysfs, as udev would describe them.
 * @param sysfs root of sysfs
 * @param dev root of the device files
 * @returns the ports, sorted by path
 */
export function listFromSysfs(sysfs: string, dev: string): PortInfo[] {
  const classDir = join(sysfs, "class", "tty");
  let names: string[];
  try {
    names = readdirSync(classDir);
  } catch (error) {
    throw new SerialListError("", `serial ports: cannot read ${classDir}: ${(error as Error).message}`, { cause: error });
  }
  const byId = readById(join(dev, "serial", "by-id"));
  const ports: PortInfo[] = [];
  for (const name of names.sort()) {
    if (!SERIAL_NAME.test(name)) continue;
    const deviceLink = join(classDir, name, "device");
    if (!existsSync(deviceLink)) continue; // virtual terminals have no device
    const path = join(dev, name);
    const usb = findUsbDevice(realpathSync(deviceLink), sysfs);
    ports.push({
      path,
      manufacturer: usb === undefined ? undefined : readAttribute(usb, "manufacturer"),
      serialNumber: usb === undefined ? undefined : readAttribute(usb, "serial"),
      pnpId: byId.get(name),
      locationId: undefined,
      vendorId: usb === undefined ? undefined : readAttribute(usb, "idVendor"),
      productId: usb === undefined ? undefined : readAttribute(usb, "idProduct"),
    });
  }
  return ports;
}

/** Walks up from a tty's device directory to the USB device that carries the ids. */
function findUsbDevice(start: string, sysfs: string): string | undefined {
  for (let dir = start; dir.length > sysfs.length && dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, "idVendor"))) return dir;
  }
  return undefined;
}

function readAttribute(dir: string, name: string): string | undefined {
  try {
    const value = readFileSync(join(dir, name), "utf8").trim();
    return value === "" ? undefined : value;
  } catch {
    return undefined;
  }
}

/** Maps device names (`ttyUSB0`) to their `/dev/serial/by-id` names. */
function readById(dir: string): Map<string, string> {
  const map = new Map<string, string>();
  let links: string[];
  try {
    links = readdirSync(dir);
  } catch {
    return map; // no USB serial devices, or no udev to make the links
  }
  for (const link of links) {
    try {
      map.set(basename(readlinkSync(join(dir, link))), link);
    } catch {
      // not a link: skip it
    }
  }
  return map;
}
