/**
 * Serial transport: serial ports ({@link Serial}, on the `serialport`
 * package's bindings), the terminal ({@link Console}) and named device
 * drivers ({@link Driver}) as handles with `rxbs`/`txbs` rings, and the
 * doers that run them with protocol handlers.
 *
 * Importing this module does not load the native binding: the optional
 * package `@serialport/bindings-cpp` is loaded the first time a Serial opens
 * on it or ports are listed, and its absence is a
 * {@link SerialBindingMissingError} naming the package to install.
 *
 * @module
 */
export { SerialError, SerialOpenError, SerialNotFoundError, SerialPermissionError, SerialCutoffError, SerialListError, SerialBindingMissingError, ConsoleError } from "./errors.js";
export {
  nativeSerialBinding,
  SERIAL_BINDINGS_PACKAGE,
  type BindingInterface,
  type BindingPortInterface,
  type BindingOpenOptions,
  type BindingError,
  type PortInfo,
} from "./binding.js";
export { listSerialPorts, type ListSerialPortsOptions } from "./list-ports.js";
export type { SerialHandle, SerialState } from "./handle.js";
export type { SerialOptions, PortMatch, Parity } from "./serial-options.js";
export { Serial } from "./serial.js";
export { SerialDoer, type SerialDoerOptions, type SerialHandler } from "./serial-doer.js";
export { Console } from "./console.js";
export type { ConsoleOptions, ConsoleInput, ConsoleOutput } from "./console-options.js";
export { ConsoleDoer, EchoConsoleDoer, type ConsoleDoerOptions } from "./console-doer.js";
export { LineEditor, type LineEditorOptions } from "./line-editor.js";
export { Driver, type DriverOptions, type ExchangeOptions } from "./driver.js";
