/**
 * Test harness for the tcp layer: drive a Doist by hand while Node delivers
 * socket events, until a condition holds or a wall-clock deadline passes
 * (a bound, not a guess: the condition ends the wait as soon as it holds).
 */
import net from "node:net";
import { Doist, type Doable } from "../../src/core/index.js";
import { nodeDriver, type StreamSocket, type TcpDriver } from "../../src/tcp/index.js";

/** Resolves after Node has run pending I/O callbacks once. */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Recurs `doist` (one pass and a tick at a time), letting Node deliver I/O
 * between passes, until `condition()` is true.
 * @throws Error naming `what` when `deadlineMs` of wall clock pass first
 */
export async function runUntil(doist: Doist, condition: () => boolean, what = "condition", deadlineMs = 10_000): Promise<void> {
  const stop = performance.now() + deadlineMs;
  for (;;) {
    doist.recur();
    if (condition()) return;
    if (performance.now() > stop) throw new Error(`timed out waiting for ${what} (tyme ${doist.tyme})`);
    await turn();
  }
}

/** Waits (no Doist) until `condition()` is true, checking after each I/O turn. */
export async function waitUntil(condition: () => boolean, what = "condition", deadlineMs = 10_000): Promise<void> {
  const stop = performance.now() + deadlineMs;
  while (!condition()) {
    if (performance.now() > stop) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** Things to close after each test, in reverse order of registration. */
export class Cleanup {
  readonly #closers: (() => unknown)[] = [];

  /** Registers a closer; returns `value` for chaining. */
  add<T>(value: T, close: (value: T) => unknown): T {
    this.#closers.push(() => close(value));
    return value;
  }

  /** Makes and enters a hand-stepped Doist that is exited at cleanup. */
  doist(doers: Doable[], tock = 1 / 32): Doist {
    const doist = new Doist({ doers, tock, signals: false });
    doist.enter();
    return this.add(doist, (d) => d.exit());
  }

  /** Runs every closer; errors are collected and the first rethrown. */
  async run(): Promise<void> {
    let failure: unknown;
    while (this.#closers.length > 0) {
      try {
        await this.#closers.pop()!();
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== undefined) throw failure;
  }
}

/** A plain `net` server for a client test, with its accepted sockets. */
export interface RawServer {
  server: net.Server;
  port: number;
  sockets: net.Socket[];
  close(): Promise<void>;
}

/**
 * Starts a `net` server on loopback, port 0.
 * @param onSocket what to do with each accepted socket
 * @param host address to bind
 */
export async function rawServer(onSocket: (socket: net.Socket) => void = () => {}, host = "127.0.0.1"): Promise<RawServer> {
  const sockets: net.Socket[] = [];
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.push(socket);
    socket.on("error", () => {});
    onSocket(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve());
  });
  return {
    server,
    port: (server.address() as net.AddressInfo).port,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A `net` client socket that collects what it receives. */
export interface RawClient {
  socket: net.Socket;
  received: Buffer[];
  ended: boolean;
  closed: boolean;
  text(): string;
  bytes(): Buffer;
}

/** Connects a `net` socket to loopback `port` and collects what it receives. */
export function rawClient(port: number, host = "127.0.0.1"): RawClient {
  const socket = net.connect({ port, host, allowHalfOpen: true });
  const client: RawClient = {
    socket,
    received: [],
    ended: false,
    closed: false,
    text: () => Buffer.concat(client.received).toString("utf8"),
    bytes: () => Buffer.concat(client.received),
  };
  socket.on("data", (chunk: Buffer) => client.received.push(chunk));
  socket.on("end", () => (client.ended = true));
  socket.on("close", () => (client.closed = true));
  socket.on("error", () => {});
  return client;
}

/** Encodes text as bytes. */
export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Decodes bytes as text. */
export function text(data: Uint8Array): string {
  return new TextDecoder().decode(data);
}

/** A {@link nodeDriver} that records the sockets it hands to handles. */
export interface RecordingDriver {
  /** The driver to give a Client or Server. */
  driver: TcpDriver;
  /** Sockets a server accepted (for TLS: after the handshake), in order. */
  accepted: StreamSocket[];
  /** Sockets a client connected (one per attempt), in order. */
  connected: StreamSocket[];
}

/**
 * Wraps the node driver so a test can reach the real sockets behind its
 * handles (to look at their listeners, or to emit a late event on one).
 * @returns the driver and the lists it fills
 */
export function recordingDriver(): RecordingDriver {
  const accepted: StreamSocket[] = [];
  const connected: StreamSocket[] = [];
  const driver: TcpDriver = {
    connect: (options) => {
      const socket = nodeDriver.connect(options);
      connected.push(socket);
      return socket;
    },
    listen: (options, handlers) =>
      nodeDriver.listen(options, {
        ...handlers,
        connection: (socket: StreamSocket) => {
          accepted.push(socket);
          handlers.connection(socket);
        },
      }),
  };
  return { driver, accepted, connected };
}
