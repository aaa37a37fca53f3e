/**
 * What the parts of the simulation (hosts, paths, streams, datagrams, serial
 * lines) need from the {@link SimNet} that runs them. Internal to src/sim.
 *
 * @module
 */
import type { SimEvent } from "./event-queue.js";
import type { SimHost } from "./host.js";
import type { SimPath } from "./path.js";

/** Records what crossed the wire; `WireLog` from hio-ts/io fits. */
export interface WireRecorder {
  /** Records bytes received from `peer`. */
  rx(bytes: Uint8Array, peer: string): void;
  /** Records bytes sent to `peer`. */
  tx(bytes: Uint8Array, peer: string): void;
}

/** Stream (TCP-like) settings of a net. */
export interface StreamSettings {
  /** Largest segment payload in bytes. */
  readonly mss: number;
  /** Bytes a stream buffers for sending before `write` takes less (back pressure). */
  readonly sendBufferSize: number;
  /** Bytes a stream buffers for the application to read; bounds the bytes in flight. */
  readonly receiveBufferSize: number;
  /** Seconds before a lost segment is sent again (doubles on each loss of the same segment). */
  readonly retransmitTimeout: number;
  /** Losses of one segment after which the sender gives up with `ETIMEDOUT`. */
  readonly maxRetransmits: number;
  /** Seconds a connect keeps retrying its SYN before `ETIMEDOUT`. */
  readonly connectTimeout: number;
}

/** Counters of everything the net did; compare them across runs. */
export interface SimStats {
  /** Stream segments (data and FIN) put on the wire, first transmissions only. */
  segmentsSent: number;
  /** Stream segment retransmissions caused by loss. */
  segmentsRetransmitted: number;
  /** Stream payload bytes delivered in order to receivers. */
  streamBytesDelivered: number;
  /** Datagrams sent. */
  datagramsSent: number;
  /** Datagrams delivered to a socket's queue (duplicates count twice). */
  datagramsDelivered: number;
  /** Datagrams lost to `loss`. */
  datagramsLost: number;
  /** Extra copies made by `duplicate`. */
  datagramsDuplicated: number;
  /** Datagrams dropped at a cut path, a closed port or a full queue. */
  datagramsDropped: number;
  /** Datagram payload bytes delivered. */
  datagramBytesDelivered: number;
  /** Bytes carried by serial lines. */
  serialBytesDelivered: number;
  /** Serial bytes with a flipped bit. */
  serialBitErrors: number;
  /** Serial bytes lost because the receiver's buffer was full, or the path unplugged. */
  serialBytesDropped: number;
  /** Connections established. */
  connections: number;
  /** Connections reset (RST sent). */
  resets: number;
}

/** The services a {@link SimNet} gives its parts. */
export interface SimKernel {
  /** The net's name, for messages. */
  readonly name: string;
  /** The seed of the run. */
  readonly seed: number;
  /** Stream settings. */
  readonly settings: StreamSettings;
  /** Counters. */
  readonly stats: SimStats;
  /** Whether trace lines are recorded. */
  readonly tracing: boolean;
  /** The current tyme: an event's own tyme while it fires, else the Doist's. */
  now(): number;
  /** Runs `action` now if the net has a tyme base, else as soon as it enters. */
  whenRunning(action: () => void): void;
  /** Schedules `event` at tyme `at` (not before now). */
  schedule(event: SimEvent, at: number): void;
  /** The directed path between two hosts (made on first use). */
  path(from: SimHost, to: SimHost): SimPath;
  /** Finds the host with `address` as seen from `from` (loopback names give `from`). */
  resolve(address: string, from: SimHost): SimHost | undefined;
  /** Passes bytes that crossed the wire to the wire recorder, if any. */
  record(direction: "rx" | "tx", bytes: Uint8Array, peer: string): void;
  /** Adds a trace line (only call when `tracing`). */
  trace(kind: string, detail: string): void;
}
