import { afterEach, describe, expect, it } from "vitest";
import { Serial, SerialDoer } from "../../src/serial/index.js";
import { SimSerialPortBinding, type SimNetOptions, type SimSerialLinkOptions } from "../../src/sim/index.js";
import { SimBench, bytes, text } from "../helpers/sim-harness.js";

let bench: SimBench | undefined;
let ports: SimSerialPortBinding[] = [];
afterEach(async () => {
  for (const port of ports) if (port.isOpen) await port.close();
  ports = [];
  bench?.close();
  bench = undefined;
});

async function setup(link: SimSerialLinkOptions = {}, options: SimNetOptions & { tock?: number } = {}) {
  bench = new SimBench({ tock: 0.001, ...options });
  const net = bench.net;
  const cable = net.serialLink("/dev/ttySIM0", link);
  const binding = net.serialBinding();
  bench.step();
  const port = await binding.open({ path: "/dev/ttySIM0", baudRate: link.baudRate ?? 9600 });
  ports.push(port);
  return { bench, net, cable, binding, port };
}

describe("simulated serial link", () => {
  it("paces bytes at the baud rate: 96 bytes at 9600 8N1 take 0.1 s", async () => {
    const { bench: b, cable, port } = await setup();
    const start = b.doist.tyme;
    await port.write(Buffer.alloc(96, 0x55));
    b.runTo(start + 0.05);
    expect(cable.device.rxbs.length).toBeGreaterThan(40);
    expect(cable.device.rxbs.length).toBeLessThan(56);
    b.until(() => cable.device.rxbs.length === 96, 1);
    expect(b.doist.tyme - start).toBeGreaterThanOrEqual(0.1 - 1e-9);
    expect(b.doist.tyme - start).toBeLessThan(0.102);
  });

  it("carries what the device writes to a port read", async () => {
    const { bench: b, cable, port } = await setup();
    cable.device.txbs.write(bytes("OK\r\n"));
    const buffer = Buffer.alloc(16);
    let got = "";
    const reading = (async () => {
      while (got.length < 4) {
        const { bytesRead } = await port.read(buffer, 0, 16);
        got += text(buffer.subarray(0, bytesRead));
      }
    })();
    expect(await b.untilAsync(() => got.length === 4, 1)).toBe(true);
    await reading;
    expect(got).toBe("OK\r\n");
  });

  it("stretches the line with inter-byte gaps", async () => {
    const { bench: b, cable, port } = await setup({ interByteGap: 0.01 });
    const start = b.doist.tyme;
    await port.write(Buffer.alloc(10));
    b.until(() => cable.device.rxbs.length === 10, 1);
    expect(b.doist.tyme - start).toBeGreaterThanOrEqual(10 * (10 / 9600 + 0.01) - 1e-9);
  });

  it("flips bits at about the bit error rate, and counts them", async () => {
    const { bench: b, net, cable, port } = await setup({ bitErrorRate: 0.01, baudRate: 115200 }, { seed: 8 });
    await port.write(Buffer.alloc(1000, 0));
    b.until(() => cable.device.rxbs.length === 1000, 1);
    const received = cable.device.rxbs.read();
    const corrupted = received.filter((byte) => byte !== 0).length;
    expect(corrupted).toBe(net.stats.serialBitErrors);
    expect(corrupted).toBeGreaterThan(40); // expected about 77 (1 - 0.99^8 per byte)
    expect(corrupted).toBeLessThan(120);
    expect(received.every((byte) => byte === 0 || (byte & (byte - 1)) === 0)).toBe(true); // one bit each
  });

  it("garbles every byte when the port's baud rate differs from the device's", async () => {
    const { bench: b, cable, port } = await setup({ baudRate: 9600 });
    await port.update({ baudRate: 19200 });
    await port.write(Buffer.from("hello world, hello world"));
    b.until(() => cable.device.rxbs.length === 24, 1);
    expect(text(cable.device.rxbs.read())).not.toBe("hello world, hello world");
  });

  it("fails an open port's read with EIO when unplugged, and hides the path until replugged", async () => {
    const { bench: b, cable, binding, port } = await setup();
    const read = port.read(Buffer.alloc(8), 0, 8);
    b.step();
    cable.unplug();
    await expect(read).rejects.toMatchObject({ code: "EIO" });
    await expect(binding.open({ path: "/dev/ttySIM0", baudRate: 9600 })).rejects.toMatchObject({ code: "ENOENT" });
    expect(await binding.list()).toEqual([]);
    cable.replug();
    const again = await binding.open({ path: "/dev/ttySIM0", baudRate: 9600 });
    ports.push(again);
    expect(again.isOpen).toBe(true);
  });

  it("refuses a second open of a locked port", async () => {
    const { binding } = await setup();
    await expect(binding.open({ path: "/dev/ttySIM0", baudRate: 9600 })).rejects.toMatchObject({ code: "EBUSY" });
  });

  it("lets a reopenable Serial ride out an unplug and replug", async () => {
    bench = new SimBench({ tock: 0.01 });
    const net = bench.net;
    const cable = net.serialLink("/dev/ttySIM1", { baudRate: 19200 });
    const serial = new Serial({ path: "/dev/ttySIM1", baudRate: 19200, binding: net.serialBinding(), reopenable: true, tymeout: 0.5 });
    bench.add(new SerialDoer({ serial }));
    net.at(1, () => cable.unplug());
    net.at(2, () => cable.replug());
    expect(await bench.untilAsync(() => serial.opened, 1)).toBe(true);
    expect(await bench.untilAsync(() => serial.cutoff, 2)).toBe(true);
    expect(bench.doist.tyme).toBeGreaterThanOrEqual(1);
    expect(await bench.untilAsync(() => serial.opened, 3)).toBe(true);
    expect(bench.doist.tyme).toBeGreaterThanOrEqual(2);
    expect(serial.opens).toBe(2);
    cable.device.txbs.write(bytes("back\n"));
    expect(await bench.untilAsync(() => serial.rxbs.length === 5, 1)).toBe(true);
    expect(text(serial.rxbs.read())).toBe("back\n");
  });
});
