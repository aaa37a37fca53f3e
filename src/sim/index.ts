/**
 * Deterministic simulation: a seeded network and serial bench in virtual
 * tyme. A {@link SimNet} gives hosts, TCP-like streams, datagrams and serial
 * links with latency, jitter, bandwidth, loss, duplication, reordering,
 * partitions, holds, bit errors and unplugging, all drawn from one seed and
 * driven only by the Doist's tyme, so every run is a pure function of
 * (seed, program) and any failure replays exactly.
 *
 * @module
 */
export {
  SimError,
  SimNetworkError,
  SimConnectionRefusedError,
  SimConnectionResetError,
  SimTimeoutError,
  SimHostUnreachableError,
  SimAddressInUseError,
  SimNoDeviceError,
  SimDeviceLostError,
  InvariantError,
  SimulationError,
} from "./errors.js";
export { SimRandom } from "./random.js";
export { DEFAULT_CONDITIONS, LOOPBACK_CONDITIONS, type LinkConditions } from "./conditions.js";
export type { WireRecorder, StreamSettings, SimStats } from "./kernel.js";
export { SimPath } from "./path.js";
export { SimHost, type SimListenOptions, type SimConnectOptions } from "./host.js";
export { SimStream, type SimStreamState, type SimStreamObserver } from "./stream.js";
export { SimListener, type SimListenerState, type SimListenerObserver } from "./listener.js";
export { SimDatagramSocket, MAX_DATAGRAM, BROADCAST_ADDRESS, type SimDatagram, type SimDatagramObserver, type SimBindOptions } from "./datagram.js";
export { DEFAULT_SERIAL_CONDITIONS, type SerialConditions } from "./serial-line.js";
export { SimSerialLink, SimSerialDevice, type SimSerialLinkOptions, type SimSerialLinkInfo } from "./serial-link.js";
export { SimSerialPortBinding, type SimSerialBinding } from "./serial-binding.js";
export { SimNet, type SimNetOptions, type HostRef } from "./sim-net.js";
export { SimSocket, SimServer } from "./tcp-driver.js";
export { SimUdpSocket } from "./udp-driver.js";
export { InvariantDoer, type InvariantCheck, type InvariantDoerOptions } from "./invariants.js";
export { ByteLedger, RequestTracker } from "./ledgers.js";
export { describeDoers, type HasDeeds } from "./doer-tree.js";
export {
  SimulationRun,
  runSimulation,
  rerunSimulation,
  sweepSeeds,
  type SimContext,
  type SimBuild,
  type SimScenario,
  type SimRunOptions,
  type SimResult,
  type SweepResult,
} from "./simulation.js";
