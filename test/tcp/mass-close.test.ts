/**
 * Mass disconnects (issue 11): when many connections close at once, one
 * pass services at most SERVICE_BATCH of them; the rest follow in later
 * passes, and everything is released at the end.
 */
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { readAvailable, writeAll } from "../../src/io/index.js";
import { nodeDriver, SERVICE_BATCH, Server, ServerDoer, type StreamSocket, type TcpDriver } from "../../src/tcp/index.js";
import { Cleanup, runUntil, waitUntil } from "../helpers/tcp-harness.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** nodeDriver, counting the half-closes (`socket.end`) the server makes. */
function countingDriver(): { driver: TcpDriver; ends: () => number } {
  let ends = 0;
  const driver: TcpDriver = {
    connect: (options) => nodeDriver.connect(options),
    listen: (options, handlers) =>
      nodeDriver.listen(options, {
        ...handlers,
        connection: (socket: StreamSocket) => {
          const end = socket.end.bind(socket);
          socket.end = (callback?: () => void) => {
            ends++;
            return end(callback);
          };
          handlers.connection(socket);
        },
      }),
  };
  return { driver, ends: () => ends };
}

describe("Server: mass disconnects in bounded batches", () => {
  it(`half-closes at most SERVICE_BATCH (${SERVICE_BATCH}) connections per pass when they all end at once, then releases everything`, async () => {
    const count = SERVICE_BATCH * 2 + 100;
    const { driver, ends } = countingDriver();
    const server = cleanup.add(new Server({ port: 0, backlog: 4096, driver }), (s) => s.close());
    await server.open();
    let finished = 0;
    const doer = new ServerDoer({
      server,
      handler: function* (remoter) {
        try {
          for (;;) yield* writeAll(remoter.txbs, yield* readAvailable(remoter.rxbs));
        } finally {
          finished++;
        }
      },
    });
    const doist = cleanup.doist([doer]);
    const clients: net.Socket[] = [];
    for (let index = 0; index < count; index++) {
      const socket = net.connect({ port: server.port, host: "127.0.0.1" });
      socket.on("error", () => {});
      socket.on("end", () => socket.end());
      socket.resume();
      clients.push(cleanup.add(socket, (s) => s.destroy()));
    }
    await runUntil(doist, () => server.remoters.size === count, `${count} connections`);
    for (const socket of clients) socket.end();
    // Every peer's FIN has arrived before the next pass: all handlers end in it.
    await waitUntil(() => [...server.remoters.values()].every((remoter) => !remoter.mayReceive), "every peer's FIN");
    const perPass: number[] = [];
    await runUntil(
      doist,
      () => {
        perPass.push(ends() - perPass.reduce((sum, value) => sum + value, 0));
        return server.remoters.size === 0;
      },
      "every connection reaped",
    );
    expect(ends()).toBe(count);
    expect(Math.max(...perPass)).toBeLessThanOrEqual(SERVICE_BATCH);
    expect(perPass.filter((value) => value > 0).length).toBeGreaterThanOrEqual(Math.ceil(count / SERVICE_BATCH));
    expect(finished).toBe(count);
    expect(doer.doers.reduce((sum, group) => sum + ((group as { doers?: unknown[] }).doers?.length ?? 0), 0)).toBe(0);
  }, 60_000);
});
