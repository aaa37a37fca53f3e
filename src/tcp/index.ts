/**
 * TCP transport: `Client` and `Server` (with a `Remoter` per accepted
 * connection) that pump sockets into `rxbs`/`txbs` rings, their Doers, TLS
 * variants, and the driver seam that a simulated network plugs into.
 * Protocol code is a generator handler that reads and writes the rings.
 *
 * @module
 */
export { TcpError, ConnectError, ConnectionResetError, ListenError, TlsError, IdleTimeoutError, FirstByteTimeoutError, HandlerError } from "./errors.js";
export { formatAddress } from "./address.js";
export type { WireTap } from "./wire-tap.js";
export type { ConnectionState, ConnectionOptions } from "./connection.js";
export { nodeDriver, type TcpDriver, type StreamSocket, type StreamServer, type DriverConnectOptions, type DriverListenOptions, type ListenHandlers } from "./driver.js";
export type { ClientTlsOptions, ServerTlsOptions, TlsIdentity, Pem } from "./tls-options.js";
export { Client, type ClientOptions, type WaitConnectedOptions } from "./client.js";
export { ClientTls, type ClientTlsConfig } from "./client-tls.js";
export { Remoter, type RemoterHost } from "./remoter.js";
export { Server, SERVICE_BATCH, type ServerOptions, type ServerState } from "./server.js";
export { ServerTls, type ServerTlsConfig } from "./server-tls.js";
export { ClientDoer, type ClientDoerOptions, type ClientHandler } from "./client-doer.js";
export { ServerDoer, EchoServerDoer, type ServerDoerOptions, type ConnectionHandler } from "./server-doer.js";
