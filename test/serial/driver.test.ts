import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Doist } from "../../src/core/index.js";
import { readLine, ReadTimeoutError } from "../../src/io/index.js";
import { Console, Driver, Serial, SerialDoer } from "../../src/serial/index.js";
import { settle, TestBinding, until } from "../helpers/serial-mock.js";

const PATH = "/dev/ttyMODEM";
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString("latin1");

let binding: TestBinding;
let drivers: Driver[];

beforeEach(() => {
  binding = new TestBinding();
  binding.plug(PATH);
  drivers = [];
});

afterEach(async () => {
  for (const driver of drivers) await driver.close();
  binding.reset();
});

function modem(options: { name?: string; uid?: number } = {}): Driver {
  const driver = new Driver({ ...options, serial: { path: PATH, binding } });
  drivers.push(driver);
  return driver;
}

/** Runs a handler on the driver in a hand-stepped Doist until it is done. */
async function runHandler(
  driver: Driver,
  handler: (driver: Driver) => Generator<number | undefined, unknown, number>,
  reply?: (written: string) => string | undefined,
): Promise<SerialDoer<Driver>> {
  const doer = new SerialDoer({ serial: driver, handler });
  const doist = new Doist({ doers: [doer], tock: 0.25 });
  doist.enter();
  try {
    let answered = 0;
    for (let pass = 0; pass < 200 && doer.done !== true; pass++) {
      doist.recur();
      await settle();
      if (reply !== undefined && binding.isOpen(PATH)) {
        const writes = binding.port(PATH).writes;
        for (; answered < writes.length; answered++) {
          const answer = reply(writes[answered]!.toString("latin1"));
          if (answer !== undefined) binding.port(PATH).emit(answer);
        }
      }
    }
  } finally {
    doist.exit();
  }
  return doer;
}

describe("Driver", () => {
  it("names the device and drives a Serial made from options", () => {
    const driver = modem({ name: "modem", uid: 7 });
    expect([driver.name, driver.uid, driver.handle instanceof Serial, driver.state]).toEqual(["modem", 7, true, "closed"]);
    expect(modem().name).toBe(`serial ${PATH}`);
  });

  it("requires exactly one of handle and serial", () => {
    expect(() => new Driver({})).toThrow(TypeError);
    expect(() => new Driver({ handle: new Console({ input: new PassThrough(), output: new PassThrough() }), serial: { path: PATH } })).toThrow(
      "handle or serial is required (one of them, not both)",
    );
  });

  it("queues with tx, scans and clears what it received", async () => {
    const driver = modem();
    await driver.open();
    expect(driver.tx("AT\r")).toBe(3);
    await until(() => driver.drained, "sent");
    binding.port(PATH).emit("noise$GPGGA,1*00");
    await until(() => driver.rxbs.length === 16, "bytes arrive");
    expect(driver.scan(0x24)).toBe(5);
    expect(driver.scan(Buffer.from("GGA"))).toBe(8);
    driver.clearRxbs();
    expect([driver.rxbs.length, binding.port(PATH).written()]).toEqual([0, "AT\r"]);
  });

  it("exchanges a request for its reply inside a handler, dropping stale bytes first", async () => {
    const driver = modem();
    let reply = "";
    await driver.open();
    binding.port(PATH).emit("stale\n");
    await until(() => driver.rxbs.length === 6, "stale bytes arrive");
    await runHandler(
      driver,
      function* (driver) {
        reply = text(yield* driver.exchange("ATI\r\n", (rxbs) => readLine(rxbs, { timeout: 5 }), { clear: true }));
      },
      (written) => (written === "ATI\r\n" ? "Modem 1.0\r\n" : undefined),
    );
    expect(reply).toBe("Modem 1.0");
  });

  it("times out an exchange the device does not answer", async () => {
    const driver = modem();
    let failure: unknown;
    await runHandler(driver, function* (driver) {
      try {
        yield* driver.exchange("ATZ\r\n", (rxbs) => readLine(rxbs, { timeout: 1 }));
      } catch (error) {
        failure = error;
      }
    });
    expect(failure).toBeInstanceOf(ReadTimeoutError);
  });

  it("drives a Console handle just as well", async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const driver = new Driver({ name: "operator", handle: new Console({ input, output }) });
    drivers.push(driver);
    await driver.open();
    input.write("yes\n");
    await until(() => driver.scan(0x0a) === 3, "a line");
    expect([driver.name, driver.opened]).toEqual(["operator", true]);
  });
});
