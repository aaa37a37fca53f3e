import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Tymist, type Waker } from "../../src/core/index.js";
import { Serial, SerialCutoffError, SerialNotFoundError, SerialOpenError, SerialPermissionError, type SerialOptions } from "../../src/serial/index.js";
import { settle, TestBinding, until } from "../helpers/serial-mock.js";

const PATH = "/dev/ttyTEST0";
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString("latin1");
const bytes = (value: string) => Buffer.from(value, "latin1");

let binding: TestBinding;
let serials: Serial[];

function make(options: { [K in keyof SerialOptions]?: SerialOptions[K] | undefined } = {}): Serial {
  const serial = new Serial({ path: PATH, binding, ...options } as SerialOptions);
  serials.push(serial);
  return serial;
}

beforeEach(() => {
  binding = new TestBinding();
  binding.plug(PATH);
  serials = [];
});

afterEach(async () => {
  for (const serial of serials) await serial.close();
  binding.reset();
});

describe("Serial options", () => {
  it.each([
    [{ path: undefined }, TypeError, /^path is required/],
    [{ path: "" }, TypeError, /^path must be a non-empty string/],
    [{ baudRate: 0 }, RangeError, /^baudRate must be a whole number > 0/],
    [{ baudRate: "9600" }, TypeError, /^baudRate must be a number/],
    [{ dataBits: 9 }, RangeError, /^dataBits must be 5, 6, 7 or 8/],
    [{ stopBits: 3 }, RangeError, /^stopBits must be 1, 1.5 or 2/],
    [{ parity: "weird" }, RangeError, /^parity must be one of/],
    [{ bufferSize: 0 }, RangeError, /^bufferSize must be a whole number/],
    [{ tymeout: -1 }, RangeError, /^tymeout must be a finite number/],
    [{ rtscts: "yes" }, TypeError, /^rtscts must be a boolean/],
    [{ match: {} }, TypeError, /^match must give at least one/],
  ])("rejects %o naming the option", (bad, type, message) => {
    expect(() => new Serial({ path: PATH, binding, ...(bad as object) } as SerialOptions)).toThrow(type);
    expect(() => new Serial({ path: PATH, binding, ...(bad as object) } as SerialOptions)).toThrow(message);
  });

  it("passes the line settings to the binding", async () => {
    const serial = make({ baudRate: 115200, dataBits: 7, parity: "even", stopBits: 2, rtscts: true });
    await serial.open();
    expect(binding.port(PATH).openOptions).toMatchObject({ path: PATH, baudRate: 115200, dataBits: 7, parity: "even", stopBits: 2, rtscts: true });
  });
});

describe("Serial open and close", () => {
  it("opens by path and reports the state", async () => {
    const serial = make();
    expect(serial.state).toBe("closed");
    const opening = serial.open();
    expect(serial.state).toBe("opening");
    await opening;
    expect([serial.state, serial.opened, serial.opens, serial.name]).toEqual(["open", true, 1, `serial ${PATH}`]);
  });

  it("rejects a missing device with SerialNotFoundError naming the path", async () => {
    const serial = make({ path: "/dev/ttyNOPE" });
    const failure = await serial.open().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SerialNotFoundError);
    expect((failure as SerialNotFoundError).path).toBe("/dev/ttyNOPE");
    expect((failure as Error).message).toContain("serial /dev/ttyNOPE: no such device /dev/ttyNOPE");
    expect([serial.state, serial.error]).toEqual(["closed", failure]);
  });

  it("rejects a device it may not open with SerialPermissionError", async () => {
    binding.openFailures.set(PATH, Object.assign(new Error("Permission denied, cannot open /dev/ttyTEST0"), { code: "EACCES" }));
    const failure = await make()
      .open()
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SerialPermissionError);
    expect((failure as Error).message).toMatch(/permission denied opening \/dev\/ttyTEST0.*dialout/);
  });

  it("rejects other open failures with SerialOpenError", async () => {
    binding.openFailures.set(PATH, new Error("Port is locked cannot open"));
    const failure = await make()
      .open()
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SerialOpenError);
    expect(failure).not.toBeInstanceOf(SerialNotFoundError);
    expect((failure as Error).message).toBe(`serial ${PATH}: cannot open ${PATH}: Port is locked cannot open`);
  });

  it("closes idempotently, ends rxbs and releases the device", async () => {
    const serial = make();
    await serial.open();
    await Promise.all([serial.close(), serial.close()]);
    await serial.close();
    expect([serial.state, serial.rxbs.ended, binding.isOpen(PATH)]).toEqual(["closed", true, false]);
  });

  it("closes what an open in progress opens when closed meanwhile", async () => {
    const serial = make();
    const opening = serial.open().catch((error: unknown) => error);
    await serial.close();
    expect(await opening).toBeInstanceOf(SerialOpenError);
    await until(() => !binding.isOpen(PATH), "the port is released");
    expect(serial.state).toBe("closed");
  });

  it("opens again after close with a fresh rxbs", async () => {
    const serial = make();
    await serial.open();
    await serial.close();
    await serial.open();
    binding.port(PATH).emit("again");
    await until(() => serial.rxbs.length === 5, "bytes arrive");
    expect([serial.rxbs.ended, text(serial.rxbs.read()), serial.opens]).toEqual([false, "again", 2]);
  });
});

describe("Serial data", () => {
  it("puts what the device sends into rxbs and wakes its waker", async () => {
    const serial = make();
    let wakes = 0;
    serial.waker = { wake: () => wakes++ } satisfies Waker;
    await serial.open();
    wakes = 0;
    binding.port(PATH).emit("hello");
    await until(() => serial.rxbs.length === 5, "bytes arrive");
    expect([text(serial.rxbs.read()), serial.bytesReceived]).toEqual(["hello", 5]);
    expect(wakes).toBeGreaterThan(0);
  });

  it("sends what is written to txbs without a service call", async () => {
    const serial = make();
    await serial.open();
    serial.txbs.write(bytes("ping"));
    await until(() => serial.bytesSent === 4, "bytes are sent");
    expect([binding.port(PATH).written(), serial.drained]).toEqual(["ping", true]);
  });

  it("sends what was queued before it opened", async () => {
    const serial = make();
    serial.txbs.write(bytes("early"));
    await serial.open();
    await until(() => serial.drained, "txbs drains");
    expect(binding.port(PATH).written()).toBe("early");
  });

  it("stops reading while rxbs is full and loses nothing", async () => {
    const serial = make({ bufferSize: 8 });
    await serial.open();
    const sent = "abcdefghijklmnopqrstuvwxyz";
    binding.port(PATH).emit(sent);
    await until(() => serial.rxbs.isFull, "rxbs fills");
    await settle();
    expect(serial.bytesReceived).toBe(8); // no read is in flight while rxbs is full
    let received = "";
    await until(() => {
      received += text(serial.rxbs.read());
      return received.length === sent.length;
    }, "every byte arrives");
    expect(received).toBe(sent);
  });

  it("holds txbs while the device does not take bytes, then sends all in order", async () => {
    const serial = make({ bufferSize: 16 });
    await serial.open();
    const port = binding.port(PATH);
    port.holdWrites();
    let offered = 0;
    const message = "0123456789".repeat(5);
    offered += serial.txbs.write(bytes(message));
    await settle();
    offered += serial.txbs.write(bytes(message.slice(offered)));
    expect(serial.txbs.isFull).toBe(true);
    expect(serial.unsent).toBe(offered);
    port.releaseWrites();
    await until(() => {
      if (offered < message.length) offered += serial.txbs.write(bytes(message.slice(offered)));
      return serial.drained && offered === message.length;
    }, "everything is sent");
    expect(port.written()).toBe(message);
  });

  it("records rx and tx chunks in its wirelog with the path", async () => {
    const entries: Array<[string, string, string]> = [];
    const serial = make({
      wirelog: {
        rx: (chunk, peer) => entries.push(["rx", text(chunk), peer]),
        tx: (chunk, peer) => entries.push(["tx", text(chunk), peer]),
      },
    });
    await serial.open();
    serial.txbs.write(bytes("req"));
    await until(() => serial.drained, "request sent");
    binding.port(PATH).emit("rep");
    await until(() => serial.rxbs.length === 3, "reply arrives");
    expect(entries).toEqual([
      ["tx", "req", PATH],
      ["rx", "rep", PATH],
    ]);
  });
});

describe("Serial cutoff and reopen", () => {
  it("reports a vanished device as cutoff with SerialCutoffError and ends rxbs", async () => {
    const serial = make();
    await serial.open();
    binding.port(PATH).emit("last");
    await until(() => serial.rxbs.length === 4, "bytes arrive");
    binding.unplug(PATH);
    await until(() => serial.cutoff, "cutoff");
    expect(serial.error).toBeInstanceOf(SerialCutoffError);
    expect(serial.error?.message).toContain(`serial ${PATH}: device ${PATH} went away`);
    expect([serial.rxbs.ended, text(serial.rxbs.read())]).toEqual([true, "last"]);
  });

  it("retries every tymeout of tyme until the device is back, then sends what waited", async () => {
    const tymist = new Tymist({ tock: 0.25 });
    const serial = make({ reopenable: true, tymeout: 1, tymth: tymist.tymen() });
    await serial.open();
    const port = binding.port(PATH);
    port.holdWrites();
    serial.txbs.write(bytes("in flight"));
    await settle();
    serial.txbs.write(bytes(" and queued"));
    binding.unplug(PATH);
    await until(() => serial.cutoff, "cutoff");
    expect([serial.unsent, serial.rxbs.ended, serial.due]).toEqual([20, false, 1]);
    const attempts = () => binding.attempts.get(PATH) ?? 0;
    const before = attempts();
    for (let tick = 0; tick < 12; tick++) {
      serial.service();
      await settle();
      tymist.tick();
    }
    expect(attempts() - before).toBe(2); // tymes 0 to 2.75: at 1 and 2, not every tick
    binding.plug(PATH);
    while (!serial.opened) {
      serial.service();
      await settle();
      tymist.tick();
    }
    await until(() => serial.drained, "txbs drains after reopen");
    expect([binding.port(PATH).written(), serial.opens, serial.error]).toEqual(["in flight and queued", 2, undefined]);
  });

  it("keeps retrying a first open that fails when reopenable", async () => {
    const tymist = new Tymist({ tock: 0.5 });
    const serial = make({ path: "/dev/ttyLATER", reopenable: true, tymeout: 0.5, tymth: tymist.tymen() });
    await expect(serial.open()).rejects.toBeInstanceOf(SerialNotFoundError);
    expect(serial.state).toBe("cutoff");
    binding.plug("/dev/ttyLATER");
    tymist.tick();
    serial.service();
    await until(() => serial.opened, "opened on retry");
    expect(serial.opens).toBe(1);
  });

  it("finds the device by vendor and product id wherever it reappears", async () => {
    binding.plug("/dev/ttyUSB0", { vendorId: "0403", productId: "6001" });
    const tymist = new Tymist({ tock: 1 });
    const serial = make({ path: undefined, match: { vendorId: "0403", productId: "6001" }, reopenable: true, tymeout: 1, tymth: tymist.tymen() });
    await serial.open();
    expect(serial.path).toBe("/dev/ttyUSB0");
    binding.unplug("/dev/ttyUSB0");
    await until(() => serial.cutoff, "cutoff");
    binding.plug("/dev/ttyUSB1", { vendorId: "0403", productId: "6001" });
    tymist.tick();
    serial.service();
    await until(() => serial.opened, "reopened");
    expect([serial.path, serial.name]).toEqual(["/dev/ttyUSB1", "serial /dev/ttyUSB1"]);
  });

  it("fails to find an unplugged device by ids with SerialNotFoundError naming the ids", async () => {
    const serial = make({ path: undefined, match: { vendorId: "dead", productId: "beef" } });
    await expect(serial.open()).rejects.toThrow("serial usb dead:beef: no device matching usb dead:beef is plugged in");
  });
});
