/**
 * SerialPump: moves bytes between an open binding port and a Serial's rings.
 *
 * @module
 */
import type { Waker } from "../core/index.js";
import { Intake } from "../io/intake.js";
import type { RingBuffer } from "../io/ring-buffer.js";
import type { WireTap } from "../io/handle.js";
import type { BindingError, BindingPortInterface } from "./binding.js";

const noop = (): void => {};

/** What the pump reports to the Serial that owns it. */
export interface PumpHost {
  /** Records the chunks moved, when set. */
  readonly wirelog: WireTap | undefined;
  /** The peer name for the wirelog (the device path). */
  readonly peer: string;
  /** Bytes arrived in rxbs. */
  received(): void;
  /** Everything taken for sending has been sent. */
  drained(): void;
  /** A read or write on the current port failed: the device is gone. */
  failed(cause: unknown): void;
}

/**
 * Keeps one read and one write in flight on a port while there is room in
 * `rxbs` and bytes in `txbs`, and restarts itself from the ring signals, so
 * bytes flow between scheduler passes at the binding's own pace.
 *
 * Reads land in a scratch buffer and are then copied into `rxbs` (a read
 * cannot target the ring itself: its free region moves while the read is
 * pending); an {@link Intake} holds what does not fit, and the next read
 * starts only once it is in. The chunk being written leaves `txbs` when it is sent and stays in
 * a scratch buffer until the OS took it, so a cutoff never loses it: it is
 * sent again on the next port.
 */
export class SerialPump {
  #port: BindingPortInterface | undefined;
  readonly #rxbs: RingBuffer;
  readonly #txbs: RingBuffer;
  readonly #host: PumpHost;
  #bytesReceived = 0;
  #bytesSent = 0;
  readonly #rxBuffer: Buffer;
  #reading = false;
  #readPort: BindingPortInterface | undefined;
  readonly #intake: Intake;
  readonly #txBuffer: Buffer;
  #writing = false;
  #writePort: BindingPortInterface | undefined;
  #pending = 0;
  readonly #resumeRead: Waker = { wake: () => this.#pumpRx() };
  // Bytes written to an idle txbs leave at once, from inside txbs.write():
  // deferring them would make them wait for the scheduler's pass to end.
  readonly #sendNow: Waker = { wake: () => this.#pumpTx() };

  /**
   * @param rxbs where received bytes go
   * @param txbs where bytes to send wait
   * @param chunk largest read or write, in bytes
   * @param host who to tell about arrivals, drains and failures
   */
  constructor(rxbs: RingBuffer, txbs: RingBuffer, chunk: number, host: PumpHost) {
    this.#rxbs = rxbs;
    this.#txbs = txbs;
    this.#host = host;
    this.#rxBuffer = Buffer.allocUnsafe(chunk);
    this.#txBuffer = Buffer.allocUnsafe(chunk);
    // The next read (which reuses #rxBuffer) starts only once the held tail is
    // in, so the tail is held as a view, not copied.
    this.#intake = new Intake(rxbs, { source: { pause: noop, resume: () => this.#pumpRx() }, delivered: () => host.received() });
  }

  /** Bytes read from the device and held until `rxbs` has room for them. */
  get held(): number {
    return this.#intake.held;
  }

  /** Bytes received since the pump was made. */
  get bytesReceived(): number {
    return this.#bytesReceived;
  }

  /** Bytes the OS took for sending since the pump was made. */
  get bytesSent(): number {
    return this.#bytesSent;
  }

  /** Bytes of the chunk taken from txbs and not yet sent. */
  get pending(): number {
    return this.#pending;
  }

  /**
   * Pumps on `port` from now on (a new port after a reopen), or on nothing.
   * An operation still in flight on the old port finishes first.
   * @param port the open port, or undefined to stop
   */
  attach(port: BindingPortInterface | undefined): void {
    this.#port = port;
    if (port !== undefined) this.pump();
  }

  /** Forgets bytes held for rxbs (the Serial closed: nobody wants them). */
  dropHeld(): void {
    this.#intake.reset();
  }

  /** Starts a read and a write if there is room, bytes, and nothing in flight. */
  pump(): void {
    this.#pumpRx();
    this.#pumpTx();
  }

  // --- receive -------------------------------------------------------------

  #pumpRx(): void {
    const port = this.#port;
    if (this.#reading || port === undefined) return;
    if (!this.#intake.flush() || this.#reading) return; // resumed by the intake once the held tail is in
    const free = this.#rxbs.free;
    if (free === 0) {
      this.#rxbs.spaceSignal.subscribe(this.#resumeRead);
      return;
    }
    this.#reading = true;
    this.#readPort = port;
    port.read(this.#rxBuffer, 0, Math.min(free, this.#rxBuffer.length)).then(this.#onRead, this.#onReadError);
  }

  readonly #onRead = (result: { bytesRead: number }): void => {
    this.#reading = false;
    const count = result.bytesRead;
    if (this.#rxbs.ended) return; // closed meanwhile: the user no longer wants them
    this.#bytesReceived += count;
    const chunk = this.#rxBuffer.subarray(0, count);
    this.#host.wirelog?.rx(chunk, this.#host.peer);
    this.#intake.offer(chunk);
    this.#host.received();
    if (this.#intake.held === 0) this.#pumpRx();
  };

  readonly #onReadError = (error: BindingError): void => {
    this.#reading = false;
    // A port closed by us (or replaced by a reopen) fails its last read: not news.
    if (error?.canceled === true || this.#readPort !== this.#port) this.#pumpRx();
    else this.#host.failed(error);
  };

  // --- send ----------------------------------------------------------------

  #pumpTx(): void {
    const port = this.#port;
    if (this.#writing || port === undefined) return;
    if (this.#pending === 0) {
      const txbs = this.#txbs;
      if (txbs.isEmpty) {
        txbs.dataSignal.subscribe(this.#sendNow);
        return;
      }
      const buffer = this.#txBuffer;
      let count = 0;
      for (const region of txbs.readRegions()) {
        const take = Math.min(region.length, buffer.length - count);
        buffer.set(take === region.length ? region : region.subarray(0, take), count);
        count += take;
        if (count === buffer.length) break;
      }
      txbs.consume(count);
      this.#pending = count;
    }
    this.#writing = true;
    this.#writePort = port;
    port.write(this.#txBuffer.subarray(0, this.#pending)).then(this.#onWritten, this.#onWriteError);
  }

  readonly #onWritten = (): void => {
    this.#writing = false;
    const count = this.#pending;
    this.#pending = 0;
    this.#bytesSent += count;
    this.#host.wirelog?.tx(this.#txBuffer.subarray(0, count), this.#host.peer);
    this.#pumpTx();
    if (this.#pending === 0) this.#host.drained();
  };

  readonly #onWriteError = (error: BindingError): void => {
    this.#writing = false;
    // The chunk stays pending either way: sent again on this or the next port.
    if (error?.canceled === true || this.#writePort !== this.#port) this.#pumpTx();
    else this.#host.failed(error);
  };
}
