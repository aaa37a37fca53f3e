/**
 * The Modbus RTU master of examples/modbus-rtu-master.ts against a pure-JS
 * slave no one here wrote: modbus-serial's ServerSerial, on the other end of
 * an in-memory null-modem binding (test/helpers/null-modem.ts). It needs
 * nothing but npm, so the master is tested against a real implementation on
 * machines without socat or Python (modbus-rtu.test.ts runs pymodbus over a
 * socat pty pair).
 */
import ModbusRTU from "modbus-serial";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Doist, Serial, SerialDoer, type Reader } from "../../src/index.js";
import { ModbusExceptionError, ModbusRtuMaster } from "../../examples/modbus-rtu-master.js";
import { NullModemBinding } from "../helpers/null-modem.js";

const BAUD = 19200;

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

describe("Modbus RTU master against modbus-serial's ServerSerial over a null-modem binding", () => {
  let binding: NullModemBinding;
  let slave: InstanceType<typeof ModbusRTU.ServerSerial>;
  let serial: Serial;
  let registers: number[];

  beforeEach(async () => {
    binding = new NullModemBinding("/dev/nullmodemA", "/dev/nullmodemB");
    registers = Array.from({ length: 100 }, (_, index) => (index * 11) & 0xffff);
    const vector = {
      getHoldingRegister: (address: number) => {
        if (address >= registers.length) throw Object.assign(new Error("illegal data address"), { modbusErrorCode: 2 });
        return registers[address]!;
      },
      setRegister: (address: number, value: number) => {
        if (address >= registers.length) throw Object.assign(new Error("illegal data address"), { modbusErrorCode: 2 });
        registers[address] = value;
      },
    };
    await new Promise<void>((resolve, reject) => {
      slave = new ModbusRTU.ServerSerial(vector, {
        path: binding.b,
        baudRate: BAUD,
        unitID: 1,
        binding,
        openCallback: (error) => (error ? reject(error) : resolve()),
      } as ConstructorParameters<typeof ModbusRTU.ServerSerial>[1]);
    });
    serial = new Serial({ path: binding.a, baudRate: BAUD, binding });
  });

  afterEach(async () => {
    await serial.close();
    await new Promise<void>((resolve) => slave.close(() => resolve()));
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
    expect(registers[7]).toBe(0xbeef);
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
  });
});
