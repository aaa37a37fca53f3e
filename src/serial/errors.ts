/**
 * Errors of the serial layer. Each message names the handle and its device
 * path, so a log line says which port failed and why.
 *
 * @module
 */
import { HioError } from "../core/index.js";

/**
 * Base class of every serial error; `path` is the device the handle was
 * opening or using (empty when it was looking one up by vendor/product id).
 */
export class SerialError extends HioError {
  /** The device path concerned. */
  readonly path: string;

  /**
   * Creates an error about the device at `path`.
   * @param path the device path
   * @param message what went wrong, naming the handle and the path
   * @param options `cause`, as for `Error`
   */
  constructor(path: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.path = path;
  }
}

/**
 * Thrown (rejected) when a port cannot be opened for a reason other than the
 * two named below: a bad setting, a port locked by another process, a device
 * that refuses the request.
 */
export class SerialOpenError extends SerialError {}

/** The device path does not exist (nothing plugged in, or a wrong name). */
export class SerialNotFoundError extends SerialOpenError {}

/** The process may not open the device (on Linux: join the `dialout` group). */
export class SerialPermissionError extends SerialOpenError {}

/**
 * The device went away while open (unplugged, or the far end of a pty
 * closed). The handle is cut off; what waits in `txbs` is kept.
 */
export class SerialCutoffError extends SerialError {}

/**
 * The native serial binding (the optional package `@serialport/bindings-cpp`)
 * is not installed or its addon cannot load on this platform. `packageName`
 * names the package to install. It is an open error, so `open()` rejects
 * with it (and does not retry: installing needs a restart).
 */
export class SerialBindingMissingError extends SerialOpenError {
  /** The package to install: `@serialport/bindings-cpp`. */
  readonly packageName: string;

  /**
   * @param packageName the package that could not be loaded
   * @param message what went wrong and how to fix it
   * @param options `cause`: what loading it threw
   */
  constructor(packageName: string, message: string, options?: ErrorOptions) {
    super("", message, options);
    this.packageName = packageName;
  }
}

/** Listing the serial ports failed. */
export class SerialListError extends SerialError {}

/**
 * A console (terminal) handle failed: its input is not readable, or its
 * output went away.
 */
export class ConsoleError extends HioError {}

/**
 * Turns a binding's open failure into a typed error naming the path.
 * @param name the handle's name
 * @param path the path it tried
 * @param error what the binding threw
 * @returns the typed error
 */
export function openError(name: string, path: string, error: unknown): SerialOpenError {
  const reason = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === "ENOENT" || /no such file|does not exist|ENOENT/i.test(reason)) {
    return new SerialNotFoundError(path, `${name}: no such device ${path} (${reason})`, { cause: error });
  }
  if (code === "EACCES" || code === "EPERM" || /permission denied|EACCES|EPERM/i.test(reason)) {
    return new SerialPermissionError(path, `${name}: permission denied opening ${path}; on Linux add the user to the dialout group (${reason})`, { cause: error });
  }
  return new SerialOpenError(path, `${name}: cannot open ${path}: ${reason}`, { cause: error });
}
