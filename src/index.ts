/**
 * hio-ts: cooperative, hierarchical, non-blocking I/O for Node.js, after the
 * Python library hio. Every layer is also its own subpath
 * (`hio-ts/core`, `hio-ts/io`, `hio-ts/tcp`, `hio-ts/udp`, `hio-ts/serial`).
 *
 * @module
 */
export * from "./core/index.js";
