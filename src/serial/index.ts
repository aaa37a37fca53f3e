/**
 * Serial transport: serial ports ({@link Serial}, on the `serialport`
 * package's bindings), the terminal ({@link Console}) and named device
 * drivers ({@link Driver}) as handles with `rxbs`/`txbs` rings, and the
 * doers that run them with protocol handlers.
 *
 * Importing this module does not load `serialport`: its native binding is
 * loaded the first time a Serial opens or ports are listed.
 *
 * @module
 */
export { SerialError, SerialOpenError, SerialNotFoundError, SerialPermissionError, SerialCutoffError, SerialListError, ConsoleError } from "./errors.js";
export { nativeSerialBinding, type BindingInterface, type BindingPortInterface, type BindingOpenOptions, type BindingError, type PortInfo } from "./binding.js";
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
