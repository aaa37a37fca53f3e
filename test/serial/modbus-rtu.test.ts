/**
 * The Modbus RTU master of examples/modbus-rtu-master.ts against a real peer
 * no one here wrote: Debian's pymodbus 3.0 serving holding registers on one
 * end of a socat pty pair. Corrupt and missing replies come from a mock device.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { crc16Modbus, Doist, Serial, SerialDoer, type Reader } from "../../src/index.js";
import { ModbusCrcError, ModbusExceptionError, ModbusRtuMaster, ModbusTimeoutError } from "../../examples/modbus-rtu-master.js";
import { settle, TestBinding } from "../helpers/serial-mock.js";
import { eventually, PtyPair } from "../helpers/serial-pty.js";
import { needPeers } from "../helpers/peers.js";

const BAUD = 19200;

const pymodbus = needPeers("socat", { python: ["pymodbus"] });

/** Runs `body` as a SerialDoer handler in a real-time Doist; returns or throws what it did. */
async function withMaster<T>(serial: Serial, body: (master: ModbusRtuMaster) => Reader<T>): Promise<T> {
  let outcome: { value: T } | { error: unknown } | undefined;
  const doer = new SerialDoer({
    serial,
    handler: function* (serial) {
      try {
        outcome = { value: yield* body(new ModbusRtuMaster({ serial, timeout: 2 })) };
      } catch (error) {
        outcome = { error };
      }
    },
  });
  await new Doist({ doers: [doer], real: true, tock: 0.001, limit: 15, signals: false }).do();
  if (outcome === undefined) throw new Error("the master did not finish within the limit");
  if ("error" in outcome) throw outcome.error;
  return outcome.value;
}

pymodbus.describe("Modbus RTU master against pymodbus over a pty pair", () => {
  let pair: PtyPair;
  let server: ChildProcess | undefined;
  let serial: Serial;

  beforeEach(async () => {
    pair = await PtyPair.create();
    const child = spawn(pymodbus.python, ["test/helpers/serial-modbus-server.py", pair.b, String(BAUD)], { stdio: ["ignore", "pipe", "pipe"] });
    server = child;
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    await eventually(() => output.includes("ready") || child.exitCode !== null, "pymodbus serves", 20_000);
    if (!output.includes("ready")) throw new Error(`pymodbus server failed: ${output}`);
    serial = new Serial({ path: pair.a, baudRate: BAUD });
  });

  afterEach(async () => {
    await serial.close();
    if (server !== undefined && server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((resolve) => server!.once("exit", resolve));
      server.kill("SIGTERM");
      await exited;
    }
    await pair.dispose();
  });

  it("reads holding registers (function 3)", async () => {
    expect(await withMaster(serial, (master) => master.readHoldingRegisters(1, 0, 5))).toEqual([0, 11, 22, 33, 44]);
  });

  it("writes a single register (function 6) and reads it back", async () => {
    const values = await withMaster(serial, function* (master) {
      yield* master.writeSingleRegister(1, 7, 0xbeef);
      return yield* master.readHoldingRegisters(1, 6, 3);
    });
    expect(values).toEqual([66, 0xbeef, 88]);
  });

  it("writes multiple registers (function 16) and reads them back", async () => {
    const values = await withMaster(serial, function* (master) {
      yield* master.writeMultipleRegisters(1, 20, [1, 2, 65535]);
      return yield* master.readHoldingRegisters(1, 19, 5);
    });
    expect(values).toEqual([209, 1, 2, 65535, 253]);
  });

  it("turns an exception response into ModbusExceptionError", async () => {
    const failure = await withMaster(serial, (master) => master.readHoldingRegisters(1, 1000, 2)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ModbusExceptionError);
    expect(failure).toMatchObject({ unit: 1, functionCode: 3, exceptionCode: 2 });
    expect((failure as Error).message).toBe(`modbus unit 1 function 3 on serial ${pair.a}: exception 2 (illegal data address)`);
  });
});

describe("Modbus RTU master against a misbehaving device", () => {
  const PATH = "/dev/ttyRTU";
  let binding: TestBinding;

  beforeEach(() => {
    binding = new TestBinding();
    binding.plug(PATH);
  });

  afterEach(() => binding.reset());

  /** Runs `body` in a hand-stepped Doist; `reply` answers each request the device sees. */
  async function run(body: (master: ModbusRtuMaster) => Reader<unknown>, reply: (request: Buffer) => Uint8Array | Uint8Array[] | undefined): Promise<unknown> {
    const serial = new Serial({ path: PATH, binding, baudRate: 9600 });
    let failure: unknown;
    const doer = new SerialDoer({
      serial,
      handler: function* (serial) {
        try {
          yield* body(new ModbusRtuMaster({ serial, timeout: 0.5 }));
        } catch (error) {
          failure = error;
        }
      },
    });
    const doist = new Doist({ doers: [doer], tock: 0.001 });
    doist.enter();
    try {
      let answered = 0;
      for (let pass = 0; pass < 2000 && doer.done !== true; pass++) {
        doist.recur();
        await settle();
        if (!binding.isOpen(PATH)) continue;
        const port = binding.port(PATH);
        for (; answered < port.writes.length; answered++) {
          const answer = reply(port.writes[answered]!);
          for (const chunk of answer === undefined ? [] : Array.isArray(answer) ? answer : [answer]) port.emit(chunk);
        }
      }
    } finally {
      doist.exit();
      await serial.close();
    }
    return failure;
  }

  it("rejects a response with a bad CRC with ModbusCrcError", async () => {
    const failure = await run(
      (master) => master.readHoldingRegisters(1, 0, 1),
      () => {
        const frame = Uint8Array.of(1, 3, 2, 0x12, 0x34, 0, 0);
        const crc = crc16Modbus(frame.subarray(0, 5)) ^ 0x0100; // one bit wrong
        frame[5] = crc & 0xff;
        frame[6] = crc >> 8;
        return frame;
      },
    );
    expect(failure).toBeInstanceOf(ModbusCrcError);
    expect((failure as Error).message).toMatch(/^modbus unit 1 function 3 on serial \/dev\/ttyRTU: CRC 0x[0-9a-f]{4} received, 0x[0-9a-f]{4} computed$/);
  });

  it("gives up with ModbusTimeoutError when the device stays silent", async () => {
    const failure = await run(
      (master) => master.writeSingleRegister(1, 1, 1),
      () => undefined,
    );
    expect(failure).toBeInstanceOf(ModbusTimeoutError);
    expect((failure as Error).message).toBe("modbus unit 1 function 6 on serial /dev/ttyRTU: no response within 0.5 s");
  });

  it("accepts a response that arrives in pieces within the inter-frame silence", async () => {
    let values: unknown;
    const failure = await run(
      function* (master) {
        values = yield* master.readHoldingRegisters(1, 0, 2);
      },
      () => {
        const frame = Uint8Array.of(1, 3, 4, 0, 1, 0, 2, 0, 0);
        const crc = crc16Modbus(frame.subarray(0, 7));
        frame[7] = crc & 0xff;
        frame[8] = crc >> 8;
        return [frame.subarray(0, 4), frame.subarray(4)];
      },
    );
    expect([failure, values]).toEqual([undefined, [1, 2]]);
  });
});
