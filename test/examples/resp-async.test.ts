import net from "node:net";
import { afterEach, beforeEach, expect, it } from "vitest";
import { main, setAndGet } from "../../examples/resp-async.js";
import { AbortError } from "../../src/index.js";
import { freePort } from "../helpers/examples-process.js";
import { startRedis, type Redis } from "../helpers/examples-redis.js";
import { needPeers } from "../helpers/peers.js";
import { Cleanup } from "../helpers/tcp-harness.js";

const redisServer = needPeers("redis-server");
const cleanup = new Cleanup();
let redis: Redis;
beforeEach(async () => {
  if (redisServer.reason !== undefined) return; // the tests that need it skip or fail
  redis = await startRedis();
  cleanup.add(redis, (r) => r.stop());
});
afterEach(() => cleanup.run());

redisServer.describe("examples/resp-async.ts against redis-server", () => {
  it("sets and gets a key from async code through run()", async () => {
    await expect(setAndGet(redis.port, "hio-ts:test", "from async")).resolves.toBe("from async");
  });

  it("main prints the value and exits 0", async () => {
    const out: string[] = [];
    await expect(main(["k", "v", String(redis.port)], (line) => out.push(line))).resolves.toBe(0);
    expect(out).toEqual(["v"]);
  });

  it("gives up with an AbortError when the server never answers before the signal", async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket)); // accepts, never replies
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    cleanup.add(silent, (s) => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => s.close(resolve));
    });
    const port = (silent.address() as net.AddressInfo).port;
    await expect(setAndGet(port, "k", "v", AbortSignal.timeout(100))).rejects.toBeInstanceOf(AbortError);
  });

  it("rejects with the Client's connect error when nothing listens", async () => {
    await expect(setAndGet(await freePort(), "k", "v")).rejects.toThrow(/ECONNREFUSED/);
  });
});
