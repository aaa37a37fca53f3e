/**
 * One direction of a simulated serial cable: a UART sending one byte at a
 * time at the baud rate, with gaps and bit errors. Internal to src/sim.
 *
 * @module
 */
import { RingBuffer } from "../io/index.js";
import type { SimEvent } from "./event-queue.js";
import type { SimKernel } from "./kernel.js";
import type { SimRandom } from "./random.js";

/** What a serial line does to the bytes it carries. */
export interface SerialConditions {
  /** Bits per second. Default 9600. */
  baudRate: number;
  /** Bits on the wire per byte: start, data, parity, stop. Default 10 (8N1). */
  bitsPerByte: number;
  /** Extra seconds of idle line after every byte. Default 0. */
  interByteGap: number;
  /** Probability, per byte, of a pause of `gapLength` after it. Default 0. */
  gapChance: number;
  /** Seconds of such a pause. Default 0.01. */
  gapLength: number;
  /** Probability that a given bit is flipped. Default 0. */
  bitErrorRate: number;
}

/** Defaults of a serial line. */
export const DEFAULT_SERIAL_CONDITIONS: Readonly<SerialConditions> = Object.freeze({
  baudRate: 9600,
  bitsPerByte: 10,
  interByteGap: 0,
  gapChance: 0,
  gapLength: 0.01,
  bitErrorRate: 0,
});

/**
 * Merges `changes` onto `base` after checking them.
 * @param base current conditions
 * @param changes fields to change
 * @returns new frozen conditions
 * @throws TypeError/RangeError naming the bad field
 */
export function mergeSerialConditions(base: Readonly<SerialConditions>, changes: Partial<SerialConditions> = {}): Readonly<SerialConditions> {
  for (const [key, value] of Object.entries(changes)) {
    if (!(key in DEFAULT_SERIAL_CONDITIONS))
      throw new TypeError(`serial conditions.${key} is not a serial condition (known: ${Object.keys(DEFAULT_SERIAL_CONDITIONS).join(", ")})`);
    if (typeof value !== "number") throw new TypeError(`${key} must be a number, got ${typeof value}`);
    const probability = key === "gapChance" || key === "bitErrorRate";
    const positive = key === "baudRate" || key === "bitsPerByte";
    if (probability ? !(value >= 0 && value <= 1) : positive ? !(value > 0 && Number.isFinite(value)) : !(value >= 0 && Number.isFinite(value))) {
      throw new RangeError(`${key} must be ${probability ? "a probability from 0 to 1" : positive ? "a finite number > 0" : "a finite number of seconds >= 0"}, got ${value}`);
    }
  }
  return Object.freeze({ ...base, ...changes });
}

/** Where a line's bytes go. */
export interface SerialSink {
  /**
   * Takes one byte off the wire.
   * @param byte the byte (after any bit error)
   * @returns false when there was no room (an overrun: the byte is lost)
   */
  take(byte: number): boolean;
  /** The line finished a byte and has room for more; `idle` when nothing is left to send. */
  sent(idle: boolean): void;
}

/**
 * Sends the bytes in its transmit queue one at a time: each takes
 * `bitsPerByte / baudRate` seconds plus any gap, and lands in the sink at the
 * moment its stop bit ends. One event per byte, no allocation per byte.
 */
export class SerialLine implements SimEvent {
  at = 0;
  seq = 0;
  /** What this direction is called in traces, e.g. `/dev/sim0 to device`. */
  readonly label: string;
  /** Where bytes go. */
  sink: SerialSink | undefined;
  /** When set, every byte arrives as a random byte (the two ends disagree on the baud rate). */
  garbled = false;
  readonly #kernel: SimKernel;
  readonly #random: SimRandom;
  readonly #queue: RingBuffer;
  #conditions: Readonly<SerialConditions>;
  #busy = false;
  #flushed = false;

  /**
   * @param kernel the net
   * @param label name for traces
   * @param conditions starting conditions
   * @param random the line's random stream
   * @param queueSize bytes the transmit queue holds
   */
  constructor(kernel: SimKernel, label: string, conditions: Readonly<SerialConditions>, random: SimRandom, queueSize: number) {
    this.#kernel = kernel;
    this.label = label;
    this.#conditions = conditions;
    this.#random = random;
    this.#queue = new RingBuffer({ capacity: queueSize, name: `sim serial ${label} queue` });
  }

  /** Current conditions. */
  get conditions(): Readonly<SerialConditions> {
    return this.#conditions;
  }

  /** Bytes waiting to go out (not counting the one on the wire). */
  get queued(): number {
    return this.#queue.length;
  }

  /** Room in the transmit queue. */
  get free(): number {
    return this.#queue.free;
  }

  /** Nothing queued and nothing on the wire. */
  get idle(): boolean {
    return !this.#busy;
  }

  /**
   * Changes some conditions.
   * @param changes fields to change
   */
  configure(changes: Partial<SerialConditions>): void {
    this.#conditions = mergeSerialConditions(this.#conditions, changes);
  }

  /**
   * Queues bytes to send.
   * @param bytes the bytes
   * @returns how many fit in the transmit queue
   */
  write(bytes: Uint8Array): number {
    const count = this.#queue.write(bytes);
    if (count > 0 && !this.#busy) {
      this.#busy = true;
      this.#kernel.schedule(this, this.#kernel.now() + this.#byteTime());
    }
    return count;
  }

  /** Drops every queued byte (counted as dropped); the byte on the wire is lost too. */
  flush(): void {
    this.#kernel.stats.serialBytesDropped += this.#queue.length;
    this.#queue.clear();
    if (this.#busy) this.#flushed = true;
  }

  /** A byte's stop bit ended: hand it to the sink, start the next one. */
  fire(at: number): void {
    const queue = this.#queue;
    const stats = this.#kernel.stats;
    if (this.#flushed || queue.length === 0) {
      this.#flushed = false;
      this.#busy = queue.length > 0;
      if (this.#busy) this.#kernel.schedule(this, at + this.#byteTime());
      else this.sink?.sent(true);
      return;
    }
    let byte = queue.at(0);
    queue.consume(1);
    if (this.garbled) {
      byte = this.#random.int(256);
    } else {
      const ber = this.#conditions.bitErrorRate;
      if (ber > 0 && this.#random.chance(1 - (1 - ber) ** 8)) {
        byte ^= 1 << this.#random.int(8);
        stats.serialBitErrors++;
        if (this.#kernel.tracing) this.#kernel.trace("bit-error", this.label);
      }
    }
    if (this.sink?.take(byte) === true) stats.serialBytesDelivered++;
    else stats.serialBytesDropped++;
    this.#busy = queue.length > 0;
    if (this.#busy) this.#kernel.schedule(this, at + this.#byteTime());
    this.sink?.sent(!this.#busy);
  }

  #byteTime(): number {
    const conditions = this.#conditions;
    let time = conditions.bitsPerByte / conditions.baudRate + conditions.interByteGap;
    if (this.#random.chance(conditions.gapChance)) time += conditions.gapLength;
    return time;
  }
}
