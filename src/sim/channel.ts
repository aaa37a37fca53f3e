/**
 * One direction of a simulated stream connection: segmentation within the
 * receiver's window, loss as retransmission delay, reassembly in order,
 * stalls across partitions, FIN and RST. Internal to src/sim.
 *
 * @module
 */
import type { RingBuffer } from "../io/index.js";
import type { SimEvent } from "./event-queue.js";
import type { SimKernel } from "./kernel.js";
import type { HealWaiter, Parcel, SimPath } from "./path.js";

/** What happened to a stream end, as its channels tell it. */
export type StreamEvent = "data" | "end" | "drain" | "reset" | "timeout" | "refused-data";

/**
 * The stream side of a channel. `SimStream` fits it without an `implements`
 * clause, so that this internal interface stays out of the API docs; the
 * `Channel` constructor checks the fit.
 */
export interface StreamEnd {
  /** `local>remote` addresses, for records. */
  readonly label: string;
  /** Whether it still takes incoming data (false once the app closed it). */
  readonly accepting: boolean;
  /** Tells the stream what happened. Called by the net only. */
  netEvent(kind: StreamEvent): void;
}

/** A data or FIN segment in flight. */
class Segment implements SimEvent, Parcel {
  at = 0;
  seq = 0;
  constructor(
    readonly channel: Channel,
    readonly index: number,
    readonly bytes: Uint8Array | undefined,
    public tries: number,
  ) {}

  fire(at: number): void {
    this.channel.path.land(this, at);
  }

  arrive(): void {
    this.channel.arrive(this);
  }

  cutOff(): void {
    this.channel.stall(this);
  }
}

/** A reset in flight; lost if it meets a cut. */
class Reset implements SimEvent, Parcel {
  at = 0;
  seq = 0;
  constructor(readonly channel: Channel) {}
  fire(at: number): void {
    this.channel.path.land(this, at);
  }
  arrive(): void {
    this.channel.receiver.netEvent("reset");
  }
  cutOff(): void {}
}

/** The sender learning that the receiver's window opened. */
class WindowUpdate implements SimEvent {
  at = 0;
  seq = 0;
  constructor(readonly channel: Channel) {}
  fire(): void {
    this.channel.windowUpdated();
  }
}

/** The sender giving up on a segment lost too often. */
class GiveUp implements SimEvent {
  at = 0;
  seq = 0;
  constructor(readonly channel: Channel) {}
  fire(): void {
    this.channel.giveUp();
  }
}

/**
 * Carries bytes from `sender`'s send ring to `receiver`'s receive ring over
 * `path`. Bytes in flight never exceed the receiver's free space (the
 * window), so a receiver that stops reading stops the sender: back pressure
 * end to end, and nothing is ever dropped.
 */
export class Channel implements HealWaiter {
  /** The path the bytes take. */
  readonly path: SimPath;
  /** The sending stream. */
  readonly sender: StreamEnd;
  /** The receiving stream. */
  readonly receiver: StreamEnd;
  readonly #kernel: SimKernel;
  readonly #send: RingBuffer;
  readonly #receive: RingBuffer;
  readonly #reverse: SimPath;
  #next = 0;
  #expected = 0;
  #inFlight = 0;
  readonly #pending: Segment[] = [];
  readonly #stalled: Segment[] = [];
  #finQueued = false;
  #finSent = false;
  #windowWait = false;
  #updateScheduled = false;
  #dead = false;

  /**
   * @param kernel the net
   * @param sender the sending stream
   * @param send its send ring
   * @param receiver the receiving stream
   * @param receive its receive ring
   * @param path sender's host → receiver's host
   * @param reverse the path back, which window updates take
   */
  constructor(kernel: SimKernel, sender: StreamEnd, send: RingBuffer, receiver: StreamEnd, receive: RingBuffer, path: SimPath, reverse: SimPath) {
    this.#kernel = kernel;
    this.sender = sender;
    this.#send = send;
    this.receiver = receiver;
    this.#receive = receive;
    this.path = path;
    this.#reverse = reverse;
  }

  /** Payload bytes sent and not yet delivered in order. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** The FIN went out. */
  get finSent(): boolean {
    return this.#finSent;
  }

  /** Queues a FIN after the bytes already in the send ring. */
  finish(): void {
    this.#finQueued = true;
    this.pump();
  }

  /** Moves bytes from the send ring onto the path while the window allows. */
  pump(): void {
    if (this.#dead) return;
    if (this.path.cut) {
      if (this.#send.length > 0 || (this.#finQueued && !this.#finSent)) this.path.waitForHeal(this);
      return;
    }
    const send = this.#send;
    const mss = this.#kernel.settings.mss;
    let took = false;
    while (send.length > 0) {
      const window = this.#receive.free - this.#inFlight;
      if (window <= 0) {
        this.#windowWait = true;
        break;
      }
      const bytes = send.read(Math.min(mss, window, send.length));
      took = true;
      this.#inFlight += bytes.length;
      this.#transmit(new Segment(this, this.#next++, bytes, 0), true);
    }
    if (send.length === 0 && this.#finQueued && !this.#finSent) {
      this.#finSent = true;
      this.#transmit(new Segment(this, this.#next++, undefined, 0), true);
    }
    if (took) this.sender.netEvent("drain");
  }

  /** Stops the channel for good and sends a reset to the receiver. */
  reset(): void {
    if (this.#dead) return;
    this.kill();
    this.#kernel.stats.resets++;
    if (this.#kernel.tracing) this.#kernel.trace("rst", `${this.sender.label}`);
    this.#kernel.schedule(new Reset(this), this.path.arrival(0));
  }

  /** Stops the channel for good without telling anyone (the sender is gone). */
  kill(): void {
    this.#dead = true;
    this.#pending.length = 0;
    this.#stalled.length = 0;
  }

  /** The receiver's application read bytes: the window opened. */
  windowOpened(): void {
    if (!this.#windowWait || this.#updateScheduled || this.#dead) return;
    this.#updateScheduled = true;
    this.#kernel.schedule(new WindowUpdate(this), this.#kernel.now() + this.#reverse.conditions.latency);
  }

  /** A window update reached the sender. */
  windowUpdated(): void {
    this.#updateScheduled = false;
    this.#windowWait = false;
    this.pump();
  }

  /**
   * A segment reached the receiver: deliver it, and any that waited for it,
   * in order.
   */
  arrive(segment: Segment): void {
    if (this.#dead) return;
    if (!this.receiver.accepting) {
      // Data for a socket the application closed: the receiving kernel resets.
      if (segment.bytes !== undefined) this.receiver.netEvent("refused-data");
      return;
    }
    if (segment.index !== this.#expected) {
      this.#insert(this.#pending, segment); // overtaken by a later one (jitter, a retransmission)
      return;
    }
    let data = this.#deliver(segment);
    let fin = segment.bytes === undefined;
    const pending = this.#pending;
    while (pending.length > 0 && pending[0]!.index === this.#expected) {
      const next = pending.shift()!;
      if (this.#deliver(next)) data = true;
      if (next.bytes === undefined) fin = true;
    }
    if (data) this.receiver.netEvent("data");
    if (fin) this.receiver.netEvent("end");
  }

  /** A segment met a cut: keep it, and send it again when the path heals. */
  stall(segment: Segment): void {
    if (this.#dead) return;
    this.#insert(this.#stalled, segment);
    this.path.waitForHeal(this);
  }

  /** The cut healed: send the stalled segments again, then carry on. */
  healed(): void {
    if (this.#dead) return;
    const stalled = this.#stalled.splice(0);
    for (const segment of stalled) {
      this.#kernel.stats.segmentsRetransmitted++;
      this.#transmit(segment, false);
    }
    this.pump();
  }

  /** A segment was lost more than `maxRetransmits` times: the sender gives up. */
  giveUp(): void {
    if (this.#dead) return;
    this.kill();
    this.sender.netEvent("timeout");
  }

  #deliver(segment: Segment): boolean {
    this.#expected++;
    const bytes = segment.bytes;
    if (bytes === undefined) return false;
    this.#inFlight -= bytes.length;
    this.#receive.write(bytes); // always fits: the window kept in-flight bytes within free space
    this.#kernel.stats.streamBytesDelivered += bytes.length;
    this.#kernel.record("rx", bytes, this.sender.label);
    return true;
  }

  #transmit(segment: Segment, first: boolean): void {
    const kernel = this.#kernel;
    const size = segment.bytes?.length ?? 0;
    if (first) {
      kernel.stats.segmentsSent++;
      if (segment.bytes !== undefined) kernel.record("tx", segment.bytes, this.sender.label);
    }
    let at = this.path.arrival(size);
    const loss = this.path.conditions.loss;
    if (loss > 0) {
      const settings = kernel.settings;
      let timeout = settings.retransmitTimeout * 2 ** segment.tries;
      while (this.path.random.chance(loss)) {
        segment.tries++;
        if (segment.tries > settings.maxRetransmits) {
          kernel.schedule(new GiveUp(this), at);
          return;
        }
        kernel.stats.segmentsRetransmitted++;
        if (kernel.tracing) kernel.trace("lost", `${this.sender.label} segment ${segment.index}, resent after ${timeout}s`);
        at += timeout;
        timeout *= 2;
      }
    }
    kernel.schedule(segment, at);
  }

  #insert(list: Segment[], segment: Segment): void {
    let index = list.length;
    while (index > 0 && list[index - 1]!.index > segment.index) index--;
    list.splice(index, 0, segment);
  }
}
