/**
 * Driver: a named device on a serial handle, after hio's serial `Driver`.
 *
 * @module
 */
import type { Operation, Signal, Tymth, Waker } from "../core/index.js";
import { writeAll, type Handle, type RingBuffer, type WireTap } from "../io/index.js";
import type { SerialHandle, SerialState } from "./handle.js";
import { Serial } from "./serial.js";
import type { SerialOptions } from "./serial-options.js";

/** Options of {@link Driver}. */
export interface DriverOptions {
  /** A user-friendly name for the device, e.g. `"gps"`. Default: the handle's name. */
  name?: string;
  /** A unique id for the device among its peers. Default 0. */
  uid?: number | string;
  /** The handle to drive (hio's `server`): a Serial, a Console, or another handle. */
  handle?: SerialHandle;
  /** Or: options of a Serial to make and drive. */
  serial?: SerialOptions;
}

/** Options of {@link Driver.exchange}. */
export interface ExchangeOptions {
  /** Drop whatever waits in `rxbs` before sending, so the reply read is this request's. Default false. */
  clear?: boolean;
  /** Seconds of tyme to wait for room in `txbs`; default: no limit. */
  timeout?: number;
}

const encoder = new TextEncoder();

/**
 * A device on a serial handle, the way a device driver sees it: a name and
 * uid, bytes to queue (`tx`), bytes received to scan and clear, and a
 * request/reply `exchange` for the command-response devices most serial
 * hardware is. It is itself a {@link SerialHandle} (it delegates to the handle
 * it drives), so a {@link SerialDoer} runs it:
 * `new SerialDoer({ serial: driver, handler })`.
 *
 * @example
 * ```ts
 * const gps = new Driver({ name: "gps", serial: { path: "/dev/ttyUSB0", baudRate: 9600 } });
 * const doer = new SerialDoer({
 *   serial: gps,
 *   handler: function* (gps) {
 *     const reply = yield* gps.exchange("$PMTK605*31\r\n", (rxbs) => readLine(rxbs, { timeout: 2 }), { clear: true });
 *     console.log(gps.name, new TextDecoder().decode(reply));
 *   },
 * });
 * await new Doist({ doers: [doer], real: true, limit: 5 }).do();
 * ```
 */
export class Driver implements SerialHandle, Handle {
  /** A user-friendly name for the device. */
  readonly name: string;
  /** A unique id for the device. */
  readonly uid: number | string;
  /** The handle it drives. */
  readonly handle: SerialHandle;

  /**
   * Creates a driver over a handle, or over a new Serial.
   * @param options `name`, `uid`, and `handle` or `serial`
   * @throws TypeError when neither or both of `handle` and `serial` are given;
   *   the Serial's TypeError/RangeError for bad `serial` options
   */
  constructor(options: DriverOptions) {
    if (typeof options !== "object" || options === null) throw new TypeError("options must be an object");
    const { handle, serial } = options;
    if ((handle === undefined) === (serial === undefined)) throw new TypeError("handle or serial is required (one of them, not both)");
    if (handle !== undefined && (typeof handle !== "object" || typeof handle.service !== "function")) {
      throw new TypeError("handle must be a serial handle (Serial, Console or Driver)");
    }
    this.handle = handle ?? new Serial(serial!);
    this.name = options.name ?? this.handle.name;
    this.uid = options.uid ?? 0;
  }

  /** Bytes received (the handle's). */
  get rxbs(): RingBuffer {
    return this.handle.rxbs;
  }

  /** Bytes waiting to be sent (the handle's). */
  get txbs(): RingBuffer {
    return this.handle.txbs;
  }

  /** Names the driver and the handle it drives, e.g. `gps on serial /dev/ttyUSB0`. */
  get label(): string {
    return this.name === this.handle.name ? this.handle.label : `${this.name} on ${this.handle.label}`;
  }

  /** Whether bytes queued now may still reach the device (the handle's). */
  get maySend(): boolean {
    return this.handle.maySend;
  }

  /** Whether more bytes may still arrive (the handle's). */
  get mayReceive(): boolean {
    return this.handle.mayReceive;
  }

  /** The handle's wire tap. */
  get wirelog(): WireTap | undefined {
    return this.handle.wirelog;
  }

  set wirelog(wirelog: WireTap | undefined) {
    this.handle.wirelog = wirelog;
  }

  /** The handle's state. */
  get state(): SerialState {
    return this.handle.state;
  }

  /** State is `open`. */
  get opened(): boolean {
    return this.handle.state === "open";
  }

  /** The handle's error. */
  get error(): Error | undefined {
    return this.handle.error;
  }

  /** Whether the handle reopens. */
  get reopenable(): boolean {
    return this.handle.reopenable;
  }

  /** The handle's state signal. */
  get stateSignal(): Signal {
    return this.handle.stateSignal;
  }

  /** The handle's drain signal. */
  get drainSignal(): Signal {
    return this.handle.drainSignal;
  }

  /** Whether the handle has sent everything. */
  get drained(): boolean {
    return this.handle.drained;
  }

  /** When the handle needs servicing without a wake. */
  get due(): number {
    return this.handle.due;
  }

  /** Who the handle wakes on I/O. */
  get waker(): Waker | undefined {
    return this.handle.waker;
  }

  set waker(waker: Waker | undefined) {
    this.handle.waker = waker;
  }

  /** Winds the handle onto `tymth`. */
  wind(tymth: Tymth): void {
    this.handle.wind(tymth);
  }

  /**
   * Opens the handle.
   * @returns as the handle's `open()`
   */
  open(): Promise<void> {
    return this.handle.open();
  }

  /**
   * Closes the handle; safe to call twice.
   * @returns as the handle's `close()`
   */
  close(): Promise<void> {
    return this.handle.close();
  }

  /** Closes the handle when a `using` block ends. */
  [Symbol.dispose](): void {
    void this.handle.close();
  }

  /**
   * Closes the handle when an `await using` block ends.
   * @returns resolves once the handle released its device
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.handle.close();
  }

  /** Services the handle once. */
  service(): void {
    this.handle.service();
  }

  /**
   * Queues bytes (or UTF-8 text) to send, like hio's `tx`.
   * @param data what to send
   * @returns how many bytes `txbs` took; the caller keeps the rest (or use `send`)
   */
  tx(data: Uint8Array | string): number {
    return this.handle.txbs.write(typeof data === "string" ? encoder.encode(data) : data);
  }

  /**
   * Sends all of `data`, waiting (with `yield*`) for room in `txbs`.
   * @param data what to send
   * @param options `timeout` in seconds of tyme
   * @returns the number of bytes queued
   * @throws WriteTimeoutError (from `hio-ts/io`) when there is no room in time
   */
  *send(data: Uint8Array | string, options: { timeout?: number } = {}): Operation<number> {
    return yield* writeAll(this.handle.txbs, typeof data === "string" ? encoder.encode(data) : data, options);
  }

  /**
   * Finds `start` in the bytes received, like hio's `scan`.
   * @param start a byte value or a byte sequence
   * @returns its offset in `rxbs`, or -1
   */
  scan(start: number | Uint8Array): number {
    return this.handle.rxbs.indexOf(start);
  }

  /** Drops every byte received and not yet read, like hio's `clearRxbs`. */
  clearRxbs(): void {
    this.handle.rxbs.clear();
  }

  /**
   * Sends a request and reads its reply with `read`: the command/response
   * turn most serial devices want, used with `yield*` inside a handler.
   * @param request the bytes (or UTF-8 text) to send
   * @param read makes the reader of the reply, e.g. `(rxbs) => readLine(rxbs, { timeout: 1 })`
   * @param options `clear` stale bytes first, `timeout` for room to send
   * @returns what `read` returns
   * @throws whatever `read` throws (ReadTimeoutError, EndOfStreamError, ...)
   */
  *exchange<T>(request: Uint8Array | string, read: (rxbs: RingBuffer) => Operation<T>, options: ExchangeOptions = {}): Operation<T> {
    if (options.clear === true) this.handle.rxbs.clear();
    yield* this.send(request, options.timeout === undefined ? {} : { timeout: options.timeout });
    return yield* read(this.handle.rxbs);
  }
}
