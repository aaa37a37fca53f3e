/**
 * SerialDoer: runs a serial handle (Serial, Console, Driver) and the
 * protocol handler that talks through it.
 *
 * @module
 */
import { DoDoer, doify, WAIT, type DoerOptions, type Operation } from "../core/index.js";
import { tockUntil } from "../io/index.js";
import type { SerialHandle } from "./handle.js";

/**
 * A protocol handler: a generator function given the handle. It reads
 * `handle.rxbs` and writes `handle.txbs` with the `yield*` readers of
 * `hio-ts/io`, and yields while it waits; it never registers a callback.
 * Its return value is ignored; returning ends the doer.
 */
export type SerialHandler<H extends SerialHandle = SerialHandle> = (handle: H) => Operation<unknown>;

/** Options of {@link SerialDoer}. */
export interface SerialDoerOptions<H extends SerialHandle> extends DoerOptions {
  /** The handle to open, service and close. */
  serial: H;
  /** Protocol code to run against it; without one the doer only services the handle. */
  handler?: SerialHandler<H>;
}

const ignore = (): void => {};

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object" && Symbol.asyncIterator in value) return "an async generator";
  if (value instanceof Promise) return "a Promise";
  return typeof value;
}

/**
 * Opens a serial handle in its enter context, services it while it runs and
 * closes it in its exit context, on every path.
 *
 * It sleeps while there is nothing to do: the handle wakes it when bytes
 * arrive or its state changes, and it runs again by itself only when a
 * reopen attempt is due. With a `handler`, the handler runs as its child on
 * its own deed, so a handler waiting in `readLine` is woken by the bytes it
 * waits for, and the doer is done when the handler has returned and what it
 * wrote has been sent (or the handle can no longer send). Without one, it is
 * done when the handle may neither send nor receive any more (`maySend` and
 * `mayReceive` are false: closed, or cut off for good).
 *
 * A first open that fails and will not be retried makes `recur` throw the
 * handle's typed error (abort, then exit), so `doist.do()` rejects with it.
 *
 * @example
 * ```ts
 * const serial = new Serial({ path: "/dev/ttyACM0", baudRate: 115200 });
 * const echo = new SerialDoer({
 *   serial,
 *   handler: function* (serial) {
 *     for (;;) {
 *       const line = yield* readLine(serial.rxbs);
 *       yield* writeAll(serial.txbs, line);
 *     }
 *   },
 * });
 * await new Doist({ doers: [echo], real: true }).do();
 * ```
 */
export class SerialDoer<H extends SerialHandle = SerialHandle> extends DoDoer {
  /** The handle it runs. */
  readonly serial: H;
  readonly #handled: boolean;

  /**
   * Creates the doer; nothing is opened until it is entered.
   * @param options `serial`, `handler`, `tock`, `tymth`, `opts`
   * @throws TypeError when `serial` is missing or `handler` is not a function
   */
  constructor(options: SerialDoerOptions<H>) {
    const { serial, handler, ...rest } = options;
    if (typeof serial !== "object" || serial === null || typeof serial.service !== "function") {
      throw new TypeError("serial must be a serial handle (Serial, Console or Driver)");
    }
    if (handler !== undefined && typeof handler !== "function") throw new TypeError(`handler must be a generator function, got ${typeof handler}`);
    const doers =
      handler === undefined
        ? []
        : [
            doify(
              function* serialHandler() {
                const dog = handler(serial) as unknown;
                if (typeof dog !== "object" || dog === null || typeof (dog as Iterator<unknown>).next !== "function" || Symbol.asyncIterator in dog) {
                  throw new TypeError(`${serial.label}: handler must be a generator function (function*), got one that returned ${describe(dog)}`);
                }
                yield* dog as ReturnType<SerialHandler<H>>;
                return true;
              },
              { name: `${serial.name} handler` },
            ),
          ];
    super({ ...rest, doers });
    this.serial = serial;
    this.#handled = handler !== undefined;
  }

  /** Enter context: winds the handle onto this tyme base, opens it, enters the handler. */
  override enter(): void {
    const serial = this.serial;
    const tymth = this.tymth;
    if (tymth !== undefined) serial.wind(tymth);
    serial.waker = this;
    if (serial.state === "closed") serial.open().catch(ignore); // failures surface in recur
    super.enter();
  }

  /**
   * Recur context: services the handle, then runs the handler if it is due.
   * @param tyme the current tyme
   * @returns true when the handler returned and `txbs` drained, or (without
   *   a handler) when the handle may neither send nor receive
   * @throws the handle's open error when its first open failed and will not be retried
   */
  override recur(tyme: number): boolean {
    const serial = this.serial;
    serial.service();
    if (serial.state === "closed" && serial.error !== undefined) throw serial.error;
    const finished = super.recur(tyme);
    if (this.#handled) {
      if (!finished) return false;
      // The handler's last reply must leave before exit closes the handle.
      if (serial.drained || serial.state !== "open") return true;
      serial.drainSignal.subscribe(this);
      return false;
    }
    return !serial.maySend && !serial.mayReceive;
  }

  /** Exit context: closes the handler, then the handle. */
  override exit(): void {
    try {
      super.exit();
    } finally {
      const serial = this.serial;
      if (serial.waker === this) serial.waker = undefined;
      serial.close().catch(ignore);
    }
  }

  protected override nextTock(): number | undefined {
    const tock = super.nextTock();
    const wait = tockUntil(this.serial.due, this.tyme);
    if (wait === WAIT) return tock;
    if (wait === undefined || tock === undefined) return undefined;
    return Math.min(tock, wait);
  }
}
