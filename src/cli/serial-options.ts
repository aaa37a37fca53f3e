/**
 * The serial line options `hio serial monitor` and `hio bridge` share:
 * baud, parity, flow control, the DTR and RTS lines, and --reopen.
 *
 * @module
 */
import { nativeSerialBinding, type BindingInterface, type Parity, type SerialOptions } from "../index.js";
import { parsePositive } from "./args.js";
import { UsageError } from "./exit-codes.js";

/** The parseArgs options of the serial line. */
export const SERIAL_LINE_OPTIONS = {
  baud: { type: "string", default: "115200" },
  parity: { type: "string", default: "none" },
  rtscts: { type: "boolean", default: false },
  xonxoff: { type: "boolean", default: false },
  dtr: { type: "string" },
  rts: { type: "string" },
  reopen: { type: "boolean", default: false },
} as const;

/** Help lines of {@link SERIAL_LINE_OPTIONS}. */
export const SERIAL_LINE_HELP = `  --baud N         baud rate (default 115200)
  --parity P       none (default), even, odd, mark or space
  --rtscts         hardware flow control (RTS/CTS)
  --xonxoff        software flow control (XON/XOFF)
  --dtr on|off     set the DTR line after opening (many boards reset on DTR)
  --rts on|off     set the RTS line after opening
  --reopen         when the device goes away, say so and wait for it to come
                   back (default: exit 1)`;

/** The parsed values of {@link SERIAL_LINE_OPTIONS}. */
export interface SerialLineValues {
  baud: string;
  parity: string;
  rtscts: boolean;
  xonxoff: boolean;
  dtr?: string | undefined;
  rts?: string | undefined;
  reopen: boolean;
}

const PARITIES = ["none", "even", "odd", "mark", "space"];

function onOff(command: string, option: string, text: string | undefined): boolean | undefined {
  if (text === undefined) return undefined;
  const value = text.toLowerCase();
  if (value === "on" || value === "1" || value === "true") return true;
  if (value === "off" || value === "0" || value === "false") return false;
  throw new UsageError(`${option} must be on or off, got ${JSON.stringify(text)}`, command);
}

/**
 * Turns the options into Serial options (the DTR/RTS settings are applied by
 * a binding that sets the lines after each open, so they hold after a reopen too).
 * @param command the command, for messages
 * @param path the device
 * @param values the parsed options
 * @param warn called when the lines cannot be set (a pty has none)
 * @returns the options for `new Serial`, without `wirelog`
 * @throws UsageError naming the option that is wrong
 */
export function serialLineOptions(command: string, path: string, values: SerialLineValues, warn: (message: string) => void): SerialOptions {
  const baudRate = parsePositive(command, "--baud", values.baud, true);
  const parity = values.parity.toLowerCase();
  if (!PARITIES.includes(parity)) throw new UsageError(`--parity must be none, even, odd, mark or space, got ${JSON.stringify(values.parity)}`, command);
  const dtr = onOff(command, "--dtr", values.dtr);
  const rts = onOff(command, "--rts", values.rts);
  const options: SerialOptions = {
    path,
    baudRate,
    parity: parity as Parity,
    rtscts: values.rtscts,
    xon: values.xonxoff,
    xoff: values.xonxoff,
    reopenable: values.reopen,
  };
  if (dtr !== undefined || rts !== undefined) options.binding = withModemLines(dtr, rts, path, warn);
  return options;
}

/**
 * The native binding, setting DTR and RTS on each port it opens. serialport
 * raises both lines when it opens a port; `set` gives the wanted levels.
 * @param dtr the DTR level, or undefined to leave it raised
 * @param rts the RTS level, or undefined to leave it raised
 * @param path the device, for the warning
 * @param warn called when the lines cannot be set
 * @returns the binding
 */
function withModemLines(dtr: boolean | undefined, rts: boolean | undefined, path: string, warn: (message: string) => void): BindingInterface {
  const native = nativeSerialBinding();
  return {
    list: () => native.list(),
    open: async (options) => {
      const port = await native.open(options);
      try {
        await port.set({ brk: false, cts: false, dsr: false, dtr: dtr ?? true, rts: rts ?? true });
      } catch (error) {
        warn(
          `cannot set ${[dtr === undefined ? "" : `DTR ${dtr ? "on" : "off"}`, rts === undefined ? "" : `RTS ${rts ? "on" : "off"}`].filter(Boolean).join(" and ")} on ${path}: ${(error as Error).message}`,
        );
      }
      return port;
    },
  };
}
