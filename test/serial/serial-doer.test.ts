import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Doist, WAIT } from "../../src/core/index.js";
import { EndOfStreamError, readLine, writeAll } from "../../src/io/index.js";
import { Serial, SerialDoer, SerialNotFoundError, type SerialOptions } from "../../src/serial/index.js";
import { settle, TestBinding } from "../helpers/serial-mock.js";

const PATH = "/dev/ttyDOER";
const bytes = (value: string) => Buffer.from(value, "latin1");
const text = (value: Uint8Array) => Buffer.from(value).toString("latin1");

let binding: TestBinding;
let doists: Doist[];

beforeEach(() => {
  binding = new TestBinding();
  binding.plug(PATH);
  doists = [];
});

afterEach(() => {
  for (const doist of doists) doist.exit();
  binding.reset();
});

function serialAt(options: Partial<SerialOptions> = {}): Serial {
  return new Serial({ path: PATH, binding, ...options });
}

function start(doer: SerialDoer, tock = 0.125): Doist {
  const doist = new Doist({ doers: [doer], tock });
  doists.push(doist);
  doist.enter();
  return doist;
}

/** Steps the Doist a pass at a time, letting I/O callbacks run between passes. */
async function stepUntil(doist: Doist, condition: () => boolean, what: string, passes = 400): Promise<void> {
  for (let pass = 0; pass < passes; pass++) {
    if (condition()) return;
    doist.recur();
    await settle();
  }
  throw new Error(`no ${what} after ${passes} passes`);
}

describe("SerialDoer", () => {
  it("runs a handler that answers each line", async () => {
    const serial = serialAt();
    const doer = new SerialDoer({
      serial,
      handler: function* (serial) {
        for (;;) {
          const line = yield* readLine(serial.rxbs);
          yield* writeAll(serial.txbs, bytes(`echo:${text(line)}\n`));
        }
      },
    });
    const doist = start(doer);
    await stepUntil(doist, () => serial.opened, "open");
    binding.port(PATH).emit("one\ntw");
    binding.port(PATH).emit("o\n");
    await stepUntil(doist, () => binding.port(PATH).written() === "echo:one\necho:two\n", "echoes");
  });

  it("is done when its handler returned and the reply left, then closes the serial", async () => {
    const serial = serialAt();
    const doer = new SerialDoer({
      serial,
      handler: function* (serial) {
        const line = yield* readLine(serial.rxbs);
        serial.txbs.write(bytes(`bye ${text(line)}\n`));
      },
    });
    const doist = start(doer);
    await stepUntil(doist, () => serial.opened, "open");
    const port = binding.port(PATH);
    port.emit("now\n");
    await stepUntil(doist, () => doer.done === true, "done");
    expect([port.written(), serial.state]).toEqual(["bye now\n", "closed"]);
  });

  it("sleeps while there is nothing to do", async () => {
    const serial = serialAt();
    const doer = new SerialDoer({
      serial,
      handler: function* (serial) {
        yield* readLine(serial.rxbs);
      },
    });
    const doist = start(doer);
    await stepUntil(doist, () => serial.opened, "open");
    doist.recur();
    expect(doist.deeds[0]?.retyme).toBe(WAIT);
    expect(doer.deeds[0]?.retyme).toBe(WAIT);
  });

  it("is woken when bytes arrive", async () => {
    const serial = serialAt();
    const doer = new SerialDoer({
      serial,
      handler: function* (serial) {
        yield* readLine(serial.rxbs);
      },
    });
    const doist = start(doer);
    await stepUntil(doist, () => serial.opened, "open");
    doist.recur();
    expect(doist.deeds[0]?.retyme).toBe(WAIT);
    binding.port(PATH).emit("x");
    await settle();
    expect(doist.deeds[0]?.retyme).toBeLessThanOrEqual(doist.tyme);
  });

  it("makes doist.do() reject with the typed error when the device is missing", async () => {
    const doer = new SerialDoer({ serial: new Serial({ path: "/dev/ttyMISSING", binding }) });
    const doist = new Doist({ doers: [doer], limit: 1 });
    await expect(doist.do()).rejects.toThrow(SerialNotFoundError);
    expect(doer.serial.state).toBe("closed");
  });

  it("sleeps until the next reopen attempt is due, then reopens and resends", async () => {
    const serial = serialAt({ reopenable: true, tymeout: 1 });
    const doer = new SerialDoer({ serial });
    const doist = start(doer, 0.125);
    await stepUntil(doist, () => serial.opened, "open");
    binding.unplug(PATH);
    await stepUntil(doist, () => serial.cutoff, "cutoff");
    serial.txbs.write(bytes("queued"));
    const cutAt = serial.due - 1;
    doist.recur();
    expect(doist.deeds[0]?.retyme).toBe(cutAt + 1);
    binding.plug(PATH);
    await stepUntil(doist, () => serial.opened, "reopen");
    expect(doist.tyme).toBeGreaterThanOrEqual(cutAt + 1);
    await stepUntil(doist, () => serial.drained, "drained");
    expect(binding.port(PATH).written()).toBe("queued");
  });

  it("without a handler, is done when its serial is cut off for good; readers see the end", async () => {
    const serial = serialAt();
    const doer = new SerialDoer({ serial });
    let seen: unknown;
    const doist = start(doer);
    await stepUntil(doist, () => serial.opened, "open");
    const reader = (function* () {
      try {
        yield* readLine(serial.rxbs);
      } catch (error) {
        seen = error;
      }
    })();
    reader.next();
    binding.unplug(PATH);
    await stepUntil(doist, () => doer.done === true, "done");
    reader.next(doist.tyme);
    expect(seen).toBeInstanceOf(EndOfStreamError);
  });

  it("closes the serial when the Doist force-closes it", async () => {
    const serial = serialAt();
    const doist = start(new SerialDoer({ serial }));
    await stepUntil(doist, () => serial.opened, "open");
    doist.exit();
    await settle();
    expect([serial.state, binding.isOpen(PATH)]).toEqual(["closed", false]);
  });
});
