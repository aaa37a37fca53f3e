import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { listSerialPorts, SerialListError, type BindingInterface } from "../../src/serial/index.js";
import { listFromSysfs } from "../../src/serial/list-ports.js";
import { TestBinding } from "../helpers/serial-mock.js";

describe("listSerialPorts", () => {
  it("asks the binding it is given", async () => {
    const binding = new TestBinding();
    binding.plug("/dev/ttyACM0", { vendorId: "2341", productId: "0043" });
    const ports = await listSerialPorts({ binding });
    expect(ports).toMatchObject([{ path: "/dev/ttyACM0", vendorId: "2341", productId: "0043" }]);
    binding.reset();
  });

  it("wraps a binding's failure in SerialListError", async () => {
    const binding: BindingInterface = {
      list: () => Promise.reject(new Error("bus on fire")),
      open: () => Promise.reject(new Error("unused")),
    };
    await expect(listSerialPorts({ binding })).rejects.toThrow(SerialListError);
    await expect(listSerialPorts({ binding })).rejects.toThrow("serial ports: listing failed: bus on fire");
  });

  it("lists this machine's ports with the native binding, udevadm or not", async () => {
    const ports = await listSerialPorts();
    expect(Array.isArray(ports)).toBe(true);
    for (const port of ports) expect(port.path).toMatch(/^\/dev\//);
  });
});

describe("listFromSysfs (Linux without udevadm)", () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "hio-sysfs-"));
    const sys = join(root, "sys");
    const usb = join(sys, "devices", "pci0000:00", "usb1", "1-1");
    const usbTty = join(usb, "1-1:1.0", "ttyUSB0");
    mkdirSync(usbTty, { recursive: true });
    writeFileSync(join(usb, "idVendor"), "0403\n");
    writeFileSync(join(usb, "idProduct"), "6001\n");
    writeFileSync(join(usb, "manufacturer"), "FTDI\n");
    writeFileSync(join(usb, "serial"), "A1B2C3\n");
    const platform = join(sys, "devices", "platform", "serial8250");
    mkdirSync(platform, { recursive: true });
    const classDir = join(sys, "class", "tty");
    for (const name of ["ttyUSB0", "ttyS0", "tty1", "console"]) mkdirSync(join(classDir, name), { recursive: true });
    symlinkSync(usbTty, join(classDir, "ttyUSB0", "device"));
    symlinkSync(platform, join(classDir, "ttyS0", "device"));
    const byId = join(root, "dev", "serial", "by-id");
    mkdirSync(byId, { recursive: true });
    symlinkSync("../../ttyUSB0", join(byId, "usb-FTDI_FT232R_A1B2C3-if00-port0"));
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("lists ports that have a device, with USB ids read from their USB ancestor", () => {
    expect(listFromSysfs(join(root, "sys"), join(root, "dev"))).toEqual([
      { path: join(root, "dev", "ttyS0"), manufacturer: undefined, serialNumber: undefined, pnpId: undefined, locationId: undefined, vendorId: undefined, productId: undefined },
      {
        path: join(root, "dev", "ttyUSB0"),
        manufacturer: "FTDI",
        serialNumber: "A1B2C3",
        pnpId: "usb-FTDI_FT232R_A1B2C3-if00-port0",
        locationId: undefined,
        vendorId: "0403",
        productId: "6001",
      },
    ]);
  });

  it("fails with SerialListError when sysfs has no tty class", () => {
    expect(() => listFromSysfs(join(root, "nowhere"), join(root, "dev"))).toThrow(SerialListError);
  });
});
