/**
 * hio-ts: cooperative, hierarchical, non-blocking I/O for Node.js, after the
 * Python library hio. Every layer is also its own subpath
 * (`hio-ts/core`, `hio-ts/io`, `hio-ts/tcp`, `hio-ts/udp`, `hio-ts/serial`,
 * `hio-ts/sim`).
 * Importing this root does not load the serialport native binding: the serial
 * layer loads it only when a serial port is first opened or listed.
 *
 * @module
 */
export * from "./core/index.js";
export * from "./io/index.js";
export * from "./tcp/index.js";
export * from "./udp/index.js";
export * from "./serial/index.js";
export * from "./sim/index.js";
