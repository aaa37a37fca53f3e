/**
 * Serial: a serial port as a handle with byte rings, on serialport's bindings.
 *
 * @module
 */
import { Signal, Tymee, type Waker } from "../core/index.js";
import { RingBuffer, type Handle, type WireTap } from "../io/index.js";
import { nativeSerialBinding, type BindingPortInterface, type BindingInterface } from "./binding.js";
import { openError, SerialBindingMissingError, SerialCutoffError, SerialNotFoundError, SerialOpenError } from "./errors.js";
import type { SerialHandle, SerialState } from "./handle.js";
import { listSerialPorts } from "./list-ports.js";
import { SerialPump } from "./serial-pump.js";
import { checkSerialOptions, describeMatch, matchesPort, type PortMatch, type SerialOptions, type SerialSettings } from "./serial-options.js";

/** Largest chunk moved per binding read or write (the size of each scratch buffer). */
const MAX_CHUNK = 65_536;

const ignore = (): void => {};

/**
 * A serial port as a handle: bytes the device sends land in `rxbs`, bytes
 * put in `txbs` go to the device, and nothing is dropped on either side.
 *
 * - **Back pressure.** It reads only while `rxbs` has room (a full `rxbs`
 *   leaves the device's bytes in the OS buffer, where flow control can hold
 *   them), and it has one write at a time in flight: the next chunk leaves
 *   `txbs` only once the OS took the previous one, so a slow device makes
 *   `txbs` fill and `writeAll` wait.
 * - **Cutoff and reopen.** When the device goes away the state becomes
 *   `cutoff` and `error` holds a {@link SerialCutoffError}. A `reopenable`
 *   Serial then tries to open the device again every `tymeout` seconds of
 *   tyme (by path, or by USB ids with `match`) and, once it is back, resumes
 *   sending: the chunk that was in flight is sent again, then the rest of
 *   `txbs` (so a byte may arrive twice across a cutoff, never not at all).
 *   `rxbs` keeps what it holds and is not ended. A Serial that is not
 *   reopenable ends `rxbs`, so readers see the end of the stream.
 * - **Wake.** Its doer sets `waker`; the Serial wakes it when bytes arrive
 *   and on every change of state. Bytes written to `txbs` while nothing is
 *   in flight are handed to the binding at once, from inside `write()`, so
 *   sending never waits for a scheduler pass.
 * - **Binding.** `binding` is the only thing that touches the device:
 *   serialport's native binding by default (loaded on first open), or
 *   `MockBinding`, or the simulated link.
 *
 * @example
 * ```ts
 * const serial = new Serial({ path: "/dev/ttyUSB0", baudRate: 115200 });
 * const doer = new SerialDoer({
 *   serial,
 *   handler: function* (serial) {
 *     serial.txbs.write(new TextEncoder().encode("AT\r\n"));
 *     const reply = yield* readLine(serial.rxbs, { timeout: 1 });
 *     console.log(new TextDecoder().decode(reply));
 *   },
 * });
 * await new Doist({ doers: [doer], real: true, limit: 5 }).do();
 * ```
 */
export class Serial extends Tymee implements SerialHandle, Handle {
  /** Bytes received, waiting for protocol code. */
  readonly rxbs: RingBuffer;
  /** Bytes waiting to be sent. */
  readonly txbs: RingBuffer;
  /** Notified on every change of `state`. */
  readonly stateSignal = new Signal();
  /** Notified when everything taken for sending has been sent. */
  readonly drainSignal = new Signal();
  /** Whether it retries opening after a cutoff or a failed open. */
  readonly reopenable: boolean;
  /** Seconds of tyme between reopen attempts. */
  readonly tymeout: number;
  /** The USB ids it finds the device by, if any. */
  readonly match: PortMatch | undefined;
  /** Records every chunk received and sent. */
  wirelog: WireTap | undefined;
  /** Who to wake on I/O events (set by its doer). */
  waker: Waker | undefined;
  readonly #settings: SerialSettings;
  readonly #bindingOption: BindingInterface | undefined;
  readonly #fixedName: string | undefined;
  #path: string | undefined;
  #state: SerialState = "closed";
  #error: Error | undefined;
  #port: BindingPortInterface | undefined;
  #attempt = 0;
  #opening: Promise<void> | undefined;
  #closing: Promise<void> = Promise.resolve();
  #retryAt = Number.NEGATIVE_INFINITY;
  #opens = 0;
  readonly #pump: SerialPump;

  /**
   * Creates a closed Serial; call `open()` or hand it to a SerialDoer.
   * @param options `path` or `match`, `baudRate`, `dataBits`, `stopBits`,
   *   `parity`, `rtscts`, `xon`, `xoff`, `xany`, `hupcl`, `lock`,
   *   `bufferSize`, `reopenable`, `tymeout`, `tymth`, `binding`, `wirelog`, `name`
   * @throws TypeError/RangeError naming the option that is wrong
   */
  constructor(options: SerialOptions) {
    const settings = checkSerialOptions(options);
    super({ tymth: options.tymth });
    this.#settings = settings;
    this.#path = settings.path;
    this.match = settings.match;
    this.reopenable = settings.reopenable;
    this.tymeout = settings.tymeout;
    this.#bindingOption = options.binding;
    this.wirelog = options.wirelog;
    this.#fixedName = options.name;
    this.rxbs = new RingBuffer({ capacity: settings.bufferSize, name: `${this.name} rxbs` });
    this.txbs = new RingBuffer({ capacity: settings.bufferSize, name: `${this.name} txbs` });
    const self = this;
    this.#pump = new SerialPump(this.rxbs, this.txbs, Math.min(settings.bufferSize, MAX_CHUNK), {
      get wirelog() {
        return self.wirelog;
      },
      get peer() {
        return self.#path ?? "";
      },
      received: () => this.waker?.wake(),
      drained: () => this.drainSignal.notify(),
      failed: (cause) => this.#cut(cause),
    });
  }

  /** A name for logs and errors, e.g. `serial /dev/ttyUSB0`. */
  get name(): string {
    if (this.#fixedName !== undefined) return this.#fixedName;
    return `serial ${this.#path ?? describeMatch(this.match ?? {})}`;
  }

  /** Names the handle and its device for messages (the same as `name`). */
  get label(): string {
    return this.name;
  }

  /** Device path: as given, or the one the device was last found at by `match`. */
  get path(): string | undefined {
    return this.#path;
  }

  /** Baud rate it opens with. */
  get baudRate(): number {
    return this.#settings.open.baudRate;
  }

  /** Where it is in its lifecycle. */
  get state(): SerialState {
    return this.#state;
  }

  /** State is `open`. */
  get opened(): boolean {
    return this.#state === "open";
  }

  /** State is `opening`. */
  get opening(): boolean {
    return this.#state === "opening";
  }

  /** State is `closed`. */
  get closed(): boolean {
    return this.#state === "closed";
  }

  /** State is `cutoff`: the device went away (or is not there yet). */
  get cutoff(): boolean {
    return this.#state === "cutoff";
  }

  /**
   * Bytes put in `txbs` now may still reach the device: it is open or
   * opening, or cut off and reopening (they are sent once it is back).
   */
  get maySend(): boolean {
    const state = this.#state;
    return state === "open" || state === "opening" || (state === "cutoff" && this.reopenable);
  }

  /** More bytes may still arrive: open or opening, or cut off and reopening. */
  get mayReceive(): boolean {
    return this.maySend;
  }

  /** Why it is closed or cut off, if it failed. */
  get error(): Error | undefined {
    return this.#error;
  }

  /** How many times it has opened (the first open and every reopen). */
  get opens(): number {
    return this.#opens;
  }

  /** Bytes received from the device since it was created. */
  get bytesReceived(): number {
    return this.#pump.bytesReceived;
  }

  /** Bytes the OS took for sending since it was created. */
  get bytesSent(): number {
    return this.#pump.bytesSent;
  }

  /** Bytes taken for sending but not yet sent: `txbs` plus the chunk in flight. */
  get unsent(): number {
    return this.txbs.length + this.#pump.pending;
  }

  /** Nothing waits to be sent and nothing is in flight. */
  get drained(): boolean {
    return this.#pump.pending === 0 && this.txbs.isEmpty;
  }

  /** Tyme of the next reopen attempt when cut off and reopenable, else `Infinity`. */
  get due(): number {
    return this.#state === "cutoff" && this.reopenable ? this.#retryAt : Number.POSITIVE_INFINITY;
  }

  /**
   * Opens the port. From `closed` or `cutoff` it starts an open (a closed
   * `rxbs` that was ended is reset); while `opening` it returns the same
   * attempt; when `open` it resolves at once. Bytes already in `txbs` are
   * sent as soon as it is open.
   * @returns resolves when open
   * @throws (rejects) SerialNotFoundError, SerialPermissionError or
   *   SerialOpenError naming the path; a reopenable Serial keeps retrying
   */
  open(): Promise<void> {
    if (this.#state === "open") return Promise.resolve();
    if (this.#state === "opening" && this.#opening !== undefined) return this.#opening;
    if (this.rxbs.ended) this.rxbs.reset();
    return this.#startOpen();
  }

  /**
   * Closes the port. Safe to call in any state and twice. `rxbs` is ended
   * (readers drain it, then see the end); what is unsent stays in `txbs` (and
   * the chunk in flight, if any, is kept to be sent after a later `open()`).
   * @returns resolves once the binding released the device
   */
  close(): Promise<void> {
    this.#attempt++; // an open in progress will close what it opens
    this.#opening = undefined;
    const port = this.#port;
    this.#port = undefined;
    this.#pump.attach(undefined);
    if (port !== undefined) this.#closing = closeQuietly(port);
    this.rxbs.end();
    this.#pump.dropHeld();
    this.#setState("closed");
    return this.#closing;
  }

  /**
   * Services the port once, without blocking: restarts reading if `rxbs`
   * has room again, starts sending what waits in `txbs`, and makes a reopen
   * attempt when one is due.
   */
  service(): void {
    if (this.#state === "open") {
      this.#pump.pump();
    } else if (this.#state === "cutoff" && this.reopenable && (this.tyme ?? Number.POSITIVE_INFINITY) >= this.#retryAt) {
      this.#startOpen().catch(ignore); // a failure is in `error`; the next attempt is scheduled
    }
  }

  #startOpen(): Promise<void> {
    const opening = this.#attemptOpen();
    if (this.#state === "opening") this.#opening = opening; // not when it failed before its first await
    return opening;
  }

  async #attemptOpen(): Promise<void> {
    const attempt = ++this.#attempt;
    this.#setState("opening");
    let port: BindingPortInterface;
    let path = this.#path ?? "";
    try {
      const binding = this.#bindingOption ?? nativeSerialBinding();
      path = await this.#findPath(binding);
      port = await binding.open({ path, ...this.#settings.open });
    } catch (error) {
      const failure =
        error instanceof SerialBindingMissingError
          ? new SerialBindingMissingError(error.packageName, `${this.name}: ${error.message}`, { cause: error.cause })
          : error instanceof SerialOpenError
            ? error
            : openError(this.name, path, error);
      if (attempt === this.#attempt) this.#failOpen(failure);
      throw failure;
    }
    if (attempt !== this.#attempt) {
      // close() ran while the binding was opening: release what it opened.
      this.#closing = closeQuietly(port);
      throw new SerialOpenError(path, `${this.name}: closed while opening ${path}`);
    }
    this.#path = path;
    this.#port = port;
    this.#opening = undefined;
    this.#error = undefined;
    this.#opens++;
    this.#setState("open");
    this.#pump.attach(port);
  }

  /** Resolves the path to open: `path`, or the listed port that matches `match`. */
  async #findPath(binding: BindingInterface): Promise<string> {
    const match = this.match;
    if (match === undefined) return this.#path as string;
    const ports = await listSerialPorts(this.#bindingOption === undefined ? {} : { binding });
    const found = ports.filter((port) => matchesPort(port, match));
    const preferred = found.find((port) => port.path === this.#path) ?? found[0];
    if (preferred === undefined) {
      throw new SerialNotFoundError(this.#path ?? "", `${this.name}: no device matching ${describeMatch(match)} is plugged in`);
    }
    return preferred.path;
  }

  #failOpen(failure: Error): void {
    this.#opening = undefined;
    this.#error = failure;
    // A missing binding does not come back by retrying: it needs an install and a restart.
    if (this.reopenable && !(failure instanceof SerialBindingMissingError)) {
      this.#scheduleRetry();
      this.#setState("cutoff");
    } else {
      this.rxbs.end();
      this.#setState("closed");
    }
  }

  #scheduleRetry(): void {
    const tyme = this.tyme;
    this.#retryAt = tyme === undefined ? Number.NEGATIVE_INFINITY : tyme + this.tymeout;
  }

  #cut(cause: unknown): void {
    const port = this.#port;
    if (port === undefined || this.#state !== "open") return;
    this.#port = undefined;
    this.#pump.attach(undefined);
    this.#closing = closeQuietly(port);
    const path = this.#path ?? "";
    const reason = cause instanceof Error ? cause.message : String(cause);
    this.#error = new SerialCutoffError(path, `${this.name}: device ${path} went away (${reason}); ${this.unsent} bytes wait to be sent`, { cause });
    if (this.reopenable) this.#scheduleRetry();
    else this.rxbs.end();
    this.#setState("cutoff");
  }

  /** Closes it when a `using` block ends (the release goes on in the background). */
  [Symbol.dispose](): void {
    void this.close();
  }

  /**
   * Closes it when an `await using` block ends.
   * @returns resolves once the binding released the device
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #setState(state: SerialState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.stateSignal.notify();
    this.waker?.wake();
  }
}

/** Closes a binding port, ignoring the errors of a port that is already gone. */
function closeQuietly(port: BindingPortInterface): Promise<void> {
  if (!port.isOpen) return Promise.resolve();
  return port.close().catch(ignore);
}
