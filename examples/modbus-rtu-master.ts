/**
 * A Modbus RTU master on hio-ts's public API: read coils, discrete inputs,
 * holding and input registers (functions 1, 2, 3, 4), write one or several
 * coils (5, 15) and one or several registers (6, 16) over a Serial. Frames are cut by the inter-frame silence (3.5 character times,
 * {@link InterByteTimeoutFramer}) and checked with CRC-16/MODBUS
 * ({@link crc16Modbus}); exception responses and bad frames become typed
 * errors.
 *
 * Run it against a device (or a pymodbus server on one end of a socat pty pair):
 *
 * ```sh
 * npx tsx examples/modbus-rtu-master.ts /dev/ttyUSB0 19200 1 0 4
 * #                                      path         baud  unit address count (function 3)
 * npx tsx examples/modbus-rtu-master.ts /dev/ttyUSB0 --baud 19200 --unit 1 read-coils 0 8
 * npx tsx examples/modbus-rtu-master.ts /dev/ttyUSB0 write-registers 10 1,2,3
 * npx tsx examples/modbus-rtu-master.ts --help
 * ```
 */
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { crc16Modbus, Doist, HioError, InterByteTimeoutFramer, readFrame, ReadTimeoutError, Serial, SerialDoer, writeAll, type Operation, type SerialHandle } from "hio-ts";

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

const READ_COILS = 0x01;
const READ_DISCRETE_INPUTS = 0x02;
const READ_HOLDING_REGISTERS = 0x03;
const READ_INPUT_REGISTERS = 0x04;
const WRITE_SINGLE_COIL = 0x05;
const WRITE_SINGLE_REGISTER = 0x06;
const WRITE_MULTIPLE_COILS = 0x0f;
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
   * Reads `count` coils from `address` (function 1).
   * @param unit the server's unit id, 1..247
   * @param address the first coil, 0..65535
   * @param count how many, 1..2000
   * @returns the coils, true for on
   * @throws ModbusExceptionError, ModbusCrcError, ModbusFrameError, ModbusTimeoutError
   */
  *readCoils(unit: number, address: number, count: number): Operation<boolean[]> {
    return yield* this.#readBits(READ_COILS, unit, address, count);
  }

  /**
   * Reads `count` discrete inputs from `address` (function 2).
   * @param unit the server's unit id, 1..247
   * @param address the first input, 0..65535
   * @param count how many, 1..2000
   * @returns the inputs, true for on
   * @throws ModbusExceptionError, ModbusCrcError, ModbusFrameError, ModbusTimeoutError
   */
  *readDiscreteInputs(unit: number, address: number, count: number): Operation<boolean[]> {
    return yield* this.#readBits(READ_DISCRETE_INPUTS, unit, address, count);
  }

  /**
   * Reads `count` holding registers from `address` (function 3).
   * @param unit the server's unit id, 1..247
   * @param address the first register, 0..65535
   * @param count how many, 1..125
   * @returns the register values, 0..65535 each
   * @throws ModbusExceptionError, ModbusCrcError, ModbusFrameError, ModbusTimeoutError
   */
  *readHoldingRegisters(unit: number, address: number, count: number): Operation<number[]> {
    return yield* this.#readWords(READ_HOLDING_REGISTERS, unit, address, count);
  }

  /**
   * Reads `count` input registers from `address` (function 4).
   * @param unit the server's unit id, 1..247
   * @param address the first register, 0..65535
   * @param count how many, 1..125
   * @returns the register values, 0..65535 each
   * @throws ModbusExceptionError, ModbusCrcError, ModbusFrameError, ModbusTimeoutError
   */
  *readInputRegisters(unit: number, address: number, count: number): Operation<number[]> {
    return yield* this.#readWords(READ_INPUT_REGISTERS, unit, address, count);
  }

  /**
   * Sets one coil on or off (function 5); the server echoes the request.
   * @param unit the server's unit id, 1..247
   * @param address the coil, 0..65535
   * @param on true for on
   * @throws ModbusExceptionError, ModbusCrcError, ModbusFrameError, ModbusTimeoutError
   */
  *writeSingleCoil(unit: number, address: number, on: boolean): Operation<void> {
    const pdu = Uint8Array.of(WRITE_SINGLE_COIL, address >> 8, address & 0xff, on ? 0xff : 0x00, 0x00);
    const reply = yield* this.#transact(unit, address, pdu);
    if (!sameBytes(reply, pdu)) throw new ModbusFrameError(`${this.#who(unit, WRITE_SINGLE_COIL)}: the response does not echo the request`);
  }

  /**
   * Sets consecutive coils from `address` (function 15).
   * @param unit the server's unit id, 1..247
   * @param address the first coil, 0..65535
   * @param values 1..1968 coils, true for on
   * @throws ModbusExceptionError, ModbusCrcError, ModbusFrameError, ModbusTimeoutError
   */
  *writeMultipleCoils(unit: number, address: number, values: readonly boolean[]): Operation<void> {
    checkRange("values.length", values.length, 1, 1968);
    const bytes = Math.ceil(values.length / 8);
    const pdu = new Uint8Array(6 + bytes);
    pdu.set([WRITE_MULTIPLE_COILS, address >> 8, address & 0xff, values.length >> 8, values.length & 0xff, bytes]);
    values.forEach((on, index) => {
      if (on) pdu[6 + (index >> 3)]! |= 1 << (index & 7); // first coil in the lowest bit
    });
    const reply = yield* this.#transact(unit, address, pdu);
    if (!sameBytes(reply, pdu.subarray(0, 5))) {
      throw new ModbusFrameError(`${this.#who(unit, WRITE_MULTIPLE_COILS)}: the response does not confirm address ${address} and count ${values.length}`);
    }
  }

  /**
   * Writes one register (function 6); the server echoes the request.
   * @param unit the server's unit id, 1..247
   * @param address the register, 0..65535
   * @param value the value, 0..65535
   * @throws ModbusExceptionError, ModbusCrcError, ModbusFrameError, ModbusTimeoutError
   */
  *writeSingleRegister(unit: number, address: number, value: number): Operation<void> {
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
  *writeMultipleRegisters(unit: number, address: number, values: readonly number[]): Operation<void> {
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

  /** Functions 1 and 2: `count` bits, packed eight to a byte, first in the lowest bit. */
  *#readBits(functionCode: number, unit: number, address: number, count: number): Operation<boolean[]> {
    checkRange("count", count, 1, 2000);
    const pdu = Uint8Array.of(functionCode, address >> 8, address & 0xff, count >> 8, count & 0xff);
    const reply = yield* this.#transact(unit, address, pdu);
    const bytes = Math.ceil(count / 8);
    if (reply.length !== 2 + bytes || reply[1] !== bytes) {
      throw new ModbusFrameError(`${this.#who(unit, functionCode)}: expected ${bytes} data bytes, got a ${reply.length}-byte response`);
    }
    const values: boolean[] = [];
    for (let i = 0; i < count; i++) values.push((reply[2 + (i >> 3)]! & (1 << (i & 7))) !== 0);
    return values;
  }

  /** Functions 3 and 4: `count` 16-bit registers, high byte first. */
  *#readWords(functionCode: number, unit: number, address: number, count: number): Operation<number[]> {
    checkRange("count", count, 1, 125);
    const pdu = Uint8Array.of(functionCode, address >> 8, address & 0xff, count >> 8, count & 0xff);
    const reply = yield* this.#transact(unit, address, pdu);
    if (reply.length !== 2 + 2 * count || reply[1] !== 2 * count) {
      throw new ModbusFrameError(`${this.#who(unit, functionCode)}: expected ${2 * count} data bytes, got a ${reply.length}-byte response`);
    }
    const values: number[] = [];
    for (let i = 0; i < count; i++) values.push((reply[2 + 2 * i]! << 8) | reply[3 + 2 * i]!);
    return values;
  }

  /** Sends one request ADU and returns the response PDU (function code first). */
  *#transact(unit: number, address: number, pdu: Uint8Array): Operation<Uint8Array> {
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

/** The example's `--help`. */
export const USAGE = `usage: tsx examples/modbus-rtu-master.ts PATH [BAUD] [UNIT] [ADDRESS] [COUNT]
       tsx examples/modbus-rtu-master.ts PATH [options] COMMAND ADDRESS ARG

The first form reads COUNT holding registers (function 3; defaults 19200
baud, unit 1, address 0, count 4). The second runs one request:

  read-coils ADDRESS COUNT               function 1
  read-discrete-inputs ADDRESS COUNT     function 2
  read-holding-registers ADDRESS COUNT   function 3
  read-input-registers ADDRESS COUNT     function 4
  write-coil ADDRESS on|off              function 5
  write-register ADDRESS VALUE           function 6
  write-coils ADDRESS 1,0,1,...          function 15
  write-registers ADDRESS V1,V2,...      function 16

Reads print one "coil 3 = 1" or "register 10 = 42" line per item; writes
print "ok". Exit codes: 0 done, 1 a Modbus error (exception, timeout, CRC),
2 bad arguments.

options:
  --baud N       baud rate (default 19200)
  --parity P     none (default), even or odd
  --unit N       the server's unit id (default 1)
  --timeout S    seconds to wait for each response (default 1)
  -h, --help     show this help`;

/** What the command line asks for: one request. */
export interface Request {
  path: string;
  baud: number;
  parity: "none" | "even" | "odd";
  unit: number;
  timeout: number;
  command: keyof typeof COMMANDS;
  address: number;
  arg: string;
}

const COMMANDS = {
  "read-coils": READ_COILS,
  "read-discrete-inputs": READ_DISCRETE_INPUTS,
  "read-holding-registers": READ_HOLDING_REGISTERS,
  "read-input-registers": READ_INPUT_REGISTERS,
  "write-coil": WRITE_SINGLE_COIL,
  "write-register": WRITE_SINGLE_REGISTER,
  "write-coils": WRITE_MULTIPLE_COILS,
  "write-registers": WRITE_MULTIPLE_REGISTERS,
} as const;

/** A command-line mistake; `main` prints it with the usage and exits 2. */
export class UsageError extends Error {}

function whole(name: string, text: string | undefined, min: number, max: number): number {
  const value = text !== undefined && /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= min && value <= max)) throw new UsageError(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text ?? "")}`);
  return value;
}

/**
 * Parses the command line.
 * @param argv the arguments after the script
 * @returns the request, or "help"
 * @throws UsageError naming what is wrong
 */
export function parseCommandLine(argv: string[]): Request | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        help: { type: "boolean", short: "h" },
        baud: { type: "string" },
        parity: { type: "string", default: "none" },
        unit: { type: "string" },
        timeout: { type: "string", default: "1" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help === true) return "help";
  const [path, ...rest] = positionals;
  if (path === undefined) throw new UsageError("a device PATH is required");
  const parity = values.parity;
  if (parity !== "none" && parity !== "even" && parity !== "odd") throw new UsageError(`--parity must be none, even or odd, got ${JSON.stringify(parity)}`);
  const timeout = Number(values.timeout);
  if (!(timeout > 0)) throw new UsageError(`--timeout must be a number of seconds > 0, got ${JSON.stringify(values.timeout)}`);
  const first = rest[0];
  if (first !== undefined && first in COMMANDS) {
    if (rest.length !== 3) throw new UsageError(`${first} takes ADDRESS and ${first.startsWith("read") ? "COUNT" : "a value"}`);
    return {
      path,
      baud: whole("--baud", values.baud ?? "19200", 1, 4_000_000),
      parity,
      unit: whole("--unit", values.unit ?? "1", 1, 247),
      timeout,
      command: first as keyof typeof COMMANDS,
      address: whole("ADDRESS", rest[1], 0, 0xffff),
      arg: rest[2]!,
    };
  }
  if (first !== undefined && !/^\d+$/.test(first)) throw new UsageError(`unknown command ${JSON.stringify(first)} (${Object.keys(COMMANDS).join(", ")})`);
  // The first form: PATH [BAUD] [UNIT] [ADDRESS] [COUNT], function 3.
  if (rest.length > 4) throw new UsageError(`unexpected argument ${JSON.stringify(rest[4])}`);
  const [baud = values.baud ?? "19200", unit = values.unit ?? "1", address = "0", count = "4"] = rest;
  return {
    path,
    baud: whole("BAUD", baud, 1, 4_000_000),
    parity,
    unit: whole("UNIT", unit, 1, 247),
    timeout,
    command: "read-holding-registers",
    address: whole("ADDRESS", address, 0, 0xffff),
    arg: count,
  };
}

function list(text: string, name: string, parse: (item: string) => number | boolean): (number | boolean)[] {
  const items = text.split(",");
  if (items.some((item) => item === "")) throw new UsageError(`${name} must be a comma-separated list, got ${JSON.stringify(text)}`);
  return items.map(parse);
}

function coil(text: string): boolean {
  const value = text.toLowerCase();
  if (value === "1" || value === "on" || value === "true") return true;
  if (value === "0" || value === "off" || value === "false") return false;
  throw new UsageError(`a coil is on or off (1 or 0), got ${JSON.stringify(text)}`);
}

/**
 * Runs one request on `master` and returns the lines to print.
 * @param master the master
 * @param request what to do
 * @returns e.g. `["register 0 = 0", "register 1 = 11"]` or `["ok"]`
 * @throws UsageError for a bad ARG; ModbusError for what the device answered
 */
export function* perform(master: ModbusRtuMaster, request: Request): Operation<string[]> {
  const { unit, address, arg } = request;
  const bits = (values: boolean[], noun: string) => values.map((on, index) => `${noun} ${address + index} = ${on ? 1 : 0}`);
  const words = (values: number[]) => values.map((value, index) => `register ${address + index} = ${value}`);
  switch (request.command) {
    case "read-coils":
      return bits(yield* master.readCoils(unit, address, whole("COUNT", arg, 1, 2000)), "coil");
    case "read-discrete-inputs":
      return bits(yield* master.readDiscreteInputs(unit, address, whole("COUNT", arg, 1, 2000)), "input");
    case "read-holding-registers":
      return words(yield* master.readHoldingRegisters(unit, address, whole("COUNT", arg, 1, 125)));
    case "read-input-registers":
      return words(yield* master.readInputRegisters(unit, address, whole("COUNT", arg, 1, 125)));
    case "write-coil":
      yield* master.writeSingleCoil(unit, address, coil(arg));
      return ["ok"];
    case "write-register":
      yield* master.writeSingleRegister(unit, address, whole("VALUE", arg, 0, 0xffff));
      return ["ok"];
    case "write-coils":
      yield* master.writeMultipleCoils(unit, address, list(arg, "the coils", coil) as boolean[]);
      return ["ok"];
    case "write-registers":
      yield* master.writeMultipleRegisters(unit, address, list(arg, "the values", (item) => whole("a value", item, 0, 0xffff)) as number[]);
      return ["ok"];
  }
}

/**
 * Runs the command line: one request on the device, its result on stdout.
 * @param argv the arguments after the script
 * @returns the exit code: 0 done, 1 a Modbus or device error, 2 bad arguments
 */
export async function main(argv: string[]): Promise<number> {
  let request: Request | "help";
  try {
    request = parseCommandLine(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`modbus-rtu-master: ${error.message}\n${USAGE}`);
    return 2;
  }
  if (request === "help") {
    console.log(USAGE);
    return 0;
  }
  const serial = new Serial({ path: request.path, baudRate: request.baud, parity: request.parity });
  const job = request;
  let failure: unknown;
  let lines: string[] = [];
  const doer = new SerialDoer({
    serial,
    handler: function* (serial) {
      try {
        lines = yield* perform(new ModbusRtuMaster({ serial, timeout: job.timeout }), job);
      } catch (error) {
        failure = error;
      }
    },
  });
  try {
    await new Doist({ doers: [doer], real: true, tock: 0.001, limit: 10 }).do();
  } finally {
    await serial.close();
  }
  if (failure instanceof UsageError) {
    console.error(`modbus-rtu-master: ${failure.message}`);
    return 2;
  }
  if (failure !== undefined) throw failure;
  if (serial.error !== undefined && lines.length === 0) throw serial.error;
  for (const line of lines) console.log(line);
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(`modbus-rtu-master: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}
