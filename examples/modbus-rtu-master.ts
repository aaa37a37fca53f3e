/**
 * A Modbus RTU master on hio-ts's public API: read holding registers
 * (function 3) and write one or several registers (functions 6 and 16) over a
 * Serial. Frames are cut by the inter-frame silence (3.5 character times,
 * {@link InterByteTimeoutFramer}) and checked with CRC-16/MODBUS
 * ({@link crc16Modbus}); exception responses and bad frames become typed
 * errors.
 *
 * Run it against a device (or a pymodbus server on one end of a socat pty pair):
 *
 * ```sh
 * npx tsx examples/modbus-rtu-master.ts /dev/ttyUSB0 19200 1 0 4
 * #                                      path         baud  unit address count
 * ```
 */
import { pathToFileURL } from "node:url";
import {
  crc16Modbus,
  Doist,
  HioError,
  InterByteTimeoutFramer,
  readFrame,
  ReadTimeoutError,
  Serial,
  SerialDoer,
  writeAll,
  type Reader,
  type SerialHandle,
} from "hio-ts";

/** Base class of the master's errors; each names the unit, the function and the handle. */
export class ModbusError extends HioError {}

/** The device answered with a Modbus exception response. */
export class ModbusExceptionError extends ModbusError {
  /** Exception names by code, as the Modbus specification gives them. */
  static readonly NAMES: Readonly<Record<number, string>> = {
    1: "illegal function",
    2: "illegal data address",
    3: "illegal data value",
    4: "server device failure",
    5: "acknowledge",
    6: "server device busy",
    8: "memory parity error",
    10: "gateway path unavailable",
    11: "gateway target device failed to respond",
  };

  /**
   * @param message what happened, naming unit, function and handle
   * @param unit the unit that answered
   * @param functionCode the function of the request
   * @param exceptionCode the exception code it sent
   */
  constructor(
    message: string,
    readonly unit: number,
    readonly functionCode: number,
    readonly exceptionCode: number,
  ) {
    super(message);
  }
}

/** A response frame failed its CRC check. */
export class ModbusCrcError extends ModbusError {
  /**
   * @param message what happened
   * @param frame the frame as received
   */
  constructor(
    message: string,
    readonly frame: Uint8Array,
  ) {
    super(message);
  }
}

/** A response frame had a good CRC but not the shape the request calls for. */
export class ModbusFrameError extends ModbusError {}

/** No response came within the master's timeout. */
export class ModbusTimeoutError extends ModbusError {}

/** Options of {@link ModbusRtuMaster}. */
export interface ModbusRtuMasterOptions {
  /** The serial handle the bus is on (a Serial, or a Driver over one). */
  serial: SerialHandle;
  /** Seconds of tyme to wait for a response. Default 1. */
  timeout?: number;
  /** Baud rate, for the inter-frame silence. Default: the Serial's, else 9600. */
  baudRate?: number;
  /** Inter-frame silence in seconds. Default: 3.5 characters of 11 bits, or 1.75 ms above 19 200 baud (as the specification says). */
  interval?: number;
}

const READ_HOLDING_REGISTERS = 0x03;
const WRITE_SINGLE_REGISTER = 0x06;
const WRITE_MULTIPLE_REGISTERS = 0x10;

/**
 * A Modbus RTU master. Its methods are readers: call them with `yield*`
 * inside the handler of a {@link SerialDoer}. One request is in flight at a
 * time, as RTU requires.
 *
 * @example
 * ```ts
 * const serial = new Serial({ path: "/dev/ttyUSB0", baudRate: 19200, parity: "even" });
 * const doer = new SerialDoer({
 *   serial,
 *   handler: function* (serial) {
 *     const master = new ModbusRtuMaster({ serial });
 *     const [temperature] = yield* master.readHoldingRegisters(1, 0x10, 1);
 *     yield* master.writeSingleRegister(1, 0x20, 1);
 *   },
 * });
 * await new Doist({ doers: [doer], real: true, tock: 0.001 }).do();
 * ```
 */
export class ModbusRtuMaster {
  /** The handle the bus is on. */
  readonly serial: SerialHandle;
  /** Seconds of tyme to wait for a response. */
  readonly timeout: number;
  /** Inter-frame silence in seconds. */
  readonly interval: number;

  /**
   * @param options `serial`, `timeout`, `baudRate`, `interval`
   * @throws TypeError/RangeError naming a bad option
   */
  constructor(options: ModbusRtuMasterOptions) {
    this.serial = options.serial;
    this.timeout = options.timeout ?? 1;
    if (!(this.timeout > 0)) throw new RangeError(`timeout must be a number of seconds > 0, got ${String(options.timeout)}`);
    const baudRate = options.baudRate ?? (options.serial instanceof Serial ? options.serial.baudRate : 9600);
    this.interval = options.interval ?? (baudRate > 19_200 ? 0.00175 : (3.5 * 11) / baudRate);
  }

  /**
   * Reads `count` holding registers from `address` (function 3).
   * @param unit the server's unit id, 1..247
   * @param address the first register, 0..65535
   * @param count how many, 1..125
   * @returns the register values, 0..65535 each
   * @throws ModbusExceptionError, ModbusCrcError, ModbusFrameError, ModbusTimeoutError
   */
  *readHoldingRegisters(unit: number, address: number, count: number): Reader<number[]> {
    checkRange("count", count, 1, 125);
    const pdu = Uint8Array.of(READ_HOLDING_REGISTERS, address >> 8, address & 0xff, count >> 8, count & 0xff);
    const reply = yield* this.#transact(unit, address, pdu);
    if (reply.length !== 2 + 2 * count || reply[1] !== 2 * count) {
      throw new ModbusFrameError(`${this.#who(unit, READ_HOLDING_REGISTERS)}: expected ${2 * count} data bytes, got a ${reply.length}-byte response`);
    }
    const values: number[] = [];
    for (let i = 0; i < count; i++) values.push((reply[2 + 2 * i]! << 8) | reply[3 + 2 * i]!);
    return values;
  }

  /**
   * Writes one register (function 6); the server echoes the request.
   * @param unit the server's unit id, 1..247
   * @param address the register, 0..65535
   * @param value the value, 0..65535
   * @throws ModbusExceptionError, ModbusCrcError, ModbusFrameError, ModbusTimeoutError
   */
  *writeSingleRegister(unit: number, address: number, value: number): Reader<void> {
    checkRange("value", value, 0, 0xffff);
    const pdu = Uint8Array.of(WRITE_SINGLE_REGISTER, address >> 8, address & 0xff, value >> 8, value & 0xff);
    const reply = yield* this.#transact(unit, address, pdu);
    if (!sameBytes(reply, pdu)) throw new ModbusFrameError(`${this.#who(unit, WRITE_SINGLE_REGISTER)}: the response does not echo the request`);
  }

  /**
   * Writes consecutive registers from `address` (function 16).
   * @param unit the server's unit id, 1..247
   * @param address the first register, 0..65535
   * @param values 1..123 values, 0..65535 each
   * @throws ModbusExceptionError, ModbusCrcError, ModbusFrameError, ModbusTimeoutError
   */
  *writeMultipleRegisters(unit: number, address: number, values: readonly number[]): Reader<void> {
    checkRange("values.length", values.length, 1, 123);
    const pdu = new Uint8Array(6 + 2 * values.length);
    pdu.set([WRITE_MULTIPLE_REGISTERS, address >> 8, address & 0xff, values.length >> 8, values.length & 0xff, 2 * values.length]);
    values.forEach((value, index) => {
      checkRange(`values[${index}]`, value, 0, 0xffff);
      pdu[6 + 2 * index] = value >> 8;
      pdu[7 + 2 * index] = value & 0xff;
    });
    const reply = yield* this.#transact(unit, address, pdu);
    if (!sameBytes(reply, pdu.subarray(0, 5))) {
      throw new ModbusFrameError(`${this.#who(unit, WRITE_MULTIPLE_REGISTERS)}: the response does not confirm address ${address} and count ${values.length}`);
    }
  }

  /** Sends one request ADU and returns the response PDU (function code first). */
  *#transact(unit: number, address: number, pdu: Uint8Array): Reader<Uint8Array> {
    checkRange("unit", unit, 1, 247);
    checkRange("address", address, 0, 0xffff);
    const functionCode = pdu[0]!;
    const adu = new Uint8Array(pdu.length + 3);
    adu[0] = unit;
    adu.set(pdu, 1);
    const crc = crc16Modbus(adu.subarray(0, adu.length - 2));
    adu[adu.length - 2] = crc & 0xff; // CRC goes low byte first
    adu[adu.length - 1] = crc >> 8;
    // A fresh framer and an empty ring per request: a late reply to an
    // earlier request that timed out must not pass for this one's.
    this.serial.rxbs.clear();
    const framer = new InterByteTimeoutFramer({ interval: this.interval, max: 256 });
    yield* writeAll(this.serial.txbs, adu);
    let frame: Uint8Array;
    try {
      frame = yield* readFrame(this.serial.rxbs, framer, { timeout: this.timeout });
    } catch (error) {
      if (error instanceof ReadTimeoutError) throw new ModbusTimeoutError(`${this.#who(unit, functionCode)}: no response within ${this.timeout} s`, { cause: error });
      throw error;
    }
    if (frame.length < 5) throw new ModbusFrameError(`${this.#who(unit, functionCode)}: a ${frame.length}-byte frame is too short`);
    const expected = crc16Modbus(frame.subarray(0, frame.length - 2));
    const received = frame[frame.length - 2]! | (frame[frame.length - 1]! << 8);
    if (expected !== received) {
      throw new ModbusCrcError(`${this.#who(unit, functionCode)}: CRC ${hex(received)} received, ${hex(expected)} computed`, frame);
    }
    if (frame[0] !== unit) throw new ModbusFrameError(`${this.#who(unit, functionCode)}: the response came from unit ${frame[0]}`);
    if (frame[1] === (functionCode | 0x80)) {
      const code = frame[2]!;
      const name = ModbusExceptionError.NAMES[code] ?? "unknown exception";
      throw new ModbusExceptionError(`${this.#who(unit, functionCode)}: exception ${code} (${name})`, unit, functionCode, code);
    }
    if (frame[1] !== functionCode) throw new ModbusFrameError(`${this.#who(unit, functionCode)}: the response is for function ${frame[1]}`);
    return frame.subarray(1, frame.length - 2);
  }

  #who(unit: number, functionCode: number): string {
    return `modbus unit ${unit} function ${functionCode} on ${this.serial.name}`;
  }
}

function checkRange(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`${name} must be a whole number from ${min} to ${max}, got ${value}`);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}

const hex = (value: number) => `0x${value.toString(16).padStart(4, "0")}`;

/** Reads `count` registers from the command line's device and prints them. */
async function main(argv: string[]): Promise<void> {
  const [path, baud = "19200", unit = "1", address = "0", count = "4"] = argv;
  if (path === undefined) {
    console.error("usage: tsx examples/modbus-rtu-master.ts <path> [baud] [unit] [address] [count]");
    process.exitCode = 2;
    return;
  }
  const serial = new Serial({ path, baudRate: Number(baud) });
  const doer = new SerialDoer({
    serial,
    handler: function* (serial) {
      const master = new ModbusRtuMaster({ serial });
      const values = yield* master.readHoldingRegisters(Number(unit), Number(address), Number(count));
      values.forEach((value, index) => console.log(`register ${Number(address) + index} = ${value}`));
    },
  });
  await new Doist({ doers: [doer], real: true, tock: 0.001, limit: 10 }).do();
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
