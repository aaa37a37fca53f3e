/**
 * Reconnecting clients (issue 11): a write reaches one connection whole or
 * not at all, loss is counted exactly, failed attempts drop nothing, retry
 * deadlines count from the real moment the connection was lost, and writing
 * to a closed client fails loudly.
 */
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { doify, Doist } from "../../src/core/index.js";
import { RingEndedError, writeAll } from "../../src/io/index.js";
import { Client, ClientDoer } from "../../src/tcp/index.js";
import { Cleanup, runUntil, turn, waitUntil } from "../helpers/tcp-harness.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** One record: u32 payload length, u32 sequence number, payload bytes `(seq + i) & 0xff`. */
function record(seq: number, length: number): Uint8Array {
  const bytes = new Uint8Array(8 + length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, length);
  view.setUint32(4, seq);
  for (let index = 0; index < length; index++) bytes[8 + index] = (seq + index) & 0xff;
  return bytes;
}

/**
 * Parses one connection's byte stream into records and checks each: a torn
 * record (the rest of a write begun on an earlier connection) shows as a bad
 * header or payload. Only the last record of a connection may be cut short.
 */
class RecordParser {
  readonly whole: number[] = [];
  received = 0;
  #buffer = Buffer.alloc(0);

  push(chunk: Buffer): void {
    this.received += chunk.length;
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      if (this.#buffer.length < 8) return;
      const length = this.#buffer.readUInt32BE(0);
      const seq = this.#buffer.readUInt32BE(4);
      if (length < 1 || length > MAX_RECORD) throw new Error(`torn record: bad length ${length} at a record start`);
      const last = this.whole.at(-1);
      if (last !== undefined && seq <= last) throw new Error(`torn record: sequence ${seq} after ${last}`);
      const available = Math.min(length, this.#buffer.length - 8);
      for (let index = 0; index < available; index++) {
        if (this.#buffer[8 + index] !== ((seq + index) & 0xff)) throw new Error(`torn record: payload of ${seq} wrong at ${index}`);
      }
      if (this.#buffer.length < 8 + length) return;
      this.whole.push(seq);
      this.#buffer = this.#buffer.subarray(8 + length);
    }
  }
}

const MAX_RECORD = 9000;

/** A listener on a fixed port that can be killed (every connection reset) and started again. */
class KillableServer {
  port = 0;
  readonly connections: RecordParser[] = [];
  #server: net.Server | undefined;
  readonly #sockets = new Set<net.Socket>();
  errors: Error[] = [];

  async start(): Promise<void> {
    const server = net.createServer((socket) => {
      const parser = new RecordParser();
      this.connections.push(parser);
      this.#sockets.add(socket);
      socket.on("error", () => {});
      socket.on("close", () => this.#sockets.delete(socket));
      socket.on("data", (chunk: Buffer) => {
        try {
          parser.push(chunk);
        } catch (error) {
          this.errors.push(error as Error);
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.#server = server;
  }

  /** Resets every connection and stops listening. */
  kill(): Promise<void> {
    for (const socket of this.#sockets) socket.resetAndDestroy();
    this.#sockets.clear();
    const server = this.#server;
    this.#server = undefined;
    return new Promise((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  }

  get received(): number {
    return this.connections.reduce((sum, parser) => sum + parser.received, 0);
  }

  get wholeRecords(): number {
    return this.connections.reduce((sum, parser) => sum + parser.whole.length, 0);
  }
}

describe("reconnecting Client: delivery contract (issue 11)", () => {
  it("never tears a write across connections and reports exactly what it lost, server killed mid-stream twice", async () => {
    const peer = new KillableServer();
    await peer.start();
    cleanup.add(peer, (p) => p.kill());
    const client = new Client({ port: peer.port, reconnectable: true, tymeout: 0.05, bufferSize: 4096 });
    const total = 120;
    let written = 0;
    let done = 0;
    let midRecord = false;
    let seed = 7;
    const writer = doify(function* () {
      for (let seq = 0; seq < total; seq++) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        const bytes = record(seq, 1 + (seed % MAX_RECORD));
        midRecord = true;
        yield* writeAll(client.txbs, bytes);
        midRecord = false;
        written += bytes.length;
        done++;
      }
      return true;
    });
    const doist = cleanup.doist([new ClientDoer({ client }), writer]);
    for (let kill = 0; kill < 2; kill++) {
      const before = peer.received;
      await runUntil(doist, () => client.connected && peer.received > before + 20_000 && midRecord && client.txbs.length > 0, `stream before kill ${kill}`);
      // Let every byte handed to the OS arrive (no service meanwhile), so the
      // kill loses nothing in kernel buffers: then lost == reported lost exactly.
      await waitUntil(() => peer.received === client.sentBytes, `in-flight bytes arrive`).catch((error) => {
        throw new Error(
          `${(error as Error).message}: received ${peer.received}, sent ${client.sentBytes}, txbs ${client.txbs.length} state ${client.state} conns ${peer.connections.length} ${peer.connections.map((c) => c.received).join(",")} errors ${peer.errors.join(";")} clienterr ${client.error?.message} attempts ${client.attempts} unsent ${client.unsentBytes}`,
        );
      });
      for (let index = 0; index < 3; index++) await turn();
      expect(peer.received).toBe(client.sentBytes);
      await peer.kill();
      const attempts = client.attempts;
      await runUntil(doist, () => client.attempts >= attempts + 3, "failed attempts while the server is down");
      await peer.start();
    }
    await runUntil(doist, () => done === total && client.txbs.length === 0 && peer.received === client.sentBytes, "the rest delivered", 20_000);
    expect(peer.errors).toEqual([]);
    expect(peer.connections.length).toBe(3);
    // Every byte written was received or reported lost, and nothing else.
    const all = peer.connections.reduce((sum, parser) => sum + parser.received, 0);
    let attempted = 0;
    seed = 7;
    for (let seq = 0; seq < total; seq++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      attempted += 8 + 1 + (seed % MAX_RECORD);
    }
    expect(client.unsentBytes).toBeGreaterThan(0);
    expect(all + client.unsentBytes).toBe(attempted);
    expect(client.sentBytes + client.unsentBytes).toBe(attempted);
    expect(peer.wholeRecords + client.unsentWrites).toBe(total);
    expect(written).toBeLessThanOrEqual(attempted);
  });

  it("counts retry deadlines from the real moment the connection was lost, after a quiet real-time Doist", async () => {
    const accepted: number[] = [];
    const sockets: net.Socket[] = [];
    const server = net.createServer((socket) => {
      accepted.push(performance.now());
      sockets.push(socket);
      socket.on("error", () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    cleanup.add(server, (s) => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => s.close(resolve));
    });
    const client = new Client({ port: (server.address() as net.AddressInfo).port, reconnectable: true, tymeout: 0.5 });
    const clientDoer = new ClientDoer({ client });
    const doist = new Doist({ doers: [clientDoer], real: true, tock: 0.01, signals: false });
    const running = doist.do();
    cleanup.add(doist, async (d) => {
      d.remove([clientDoer]);
      d.wake();
      await running;
    });
    await waitUntil(() => accepted.length === 1 && client.connected, "first connection");
    // Quiet for three tymeouts of wall clock: the Doist sleeps, its tyme stands still.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const lostAt = performance.now();
    sockets[0]!.destroy();
    await waitUntil(() => accepted.length === 2, "reconnect", 10_000);
    expect(accepted[1]! - lostAt).toBeGreaterThan(400);
  });
});

describe("closed Client: writes fail loudly (issue 15)", () => {
  it("drops and counts what was queued, and writeAll throws RingEndedError naming the client", async () => {
    const client = new Client({ port: 9, reconnectable: false });
    client.txbs.write(new Uint8Array(10));
    client.close();
    expect(client.unsentBytes).toBe(10);
    expect(client.unsentWrites).toBe(1);
    expect(() => writeAll(client.txbs, new Uint8Array(3))).toThrow(RingEndedError);
    expect(() => client.txbs.write(new Uint8Array(1))).toThrow(/client 127\.0\.0\.1:9 txbs/);
  });
});

describe("waiters do not outlive their deed (issue 11)", () => {
  it("waitConnected unsubscribes from stateSignal when its dog is force-closed", async () => {
    const client = new Client({ port: 9, reconnectable: true, tymeout: 60 });
    const waiter = doify(function* () {
      yield* client.waitConnected();
      return true;
    });
    const doist = new Doist({ doers: [waiter], tock: 1 / 32, signals: false });
    doist.enter();
    doist.recur();
    doist.recur();
    expect(client.stateSignal.waiting).toBe(1);
    doist.exit();
    expect(client.stateSignal.waiting).toBe(0);
    client.close();
  });
});
