import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Resp, RespError, encodeCommand, formatReply, main, readReply, type RespValue } from "../../examples/resp-client.js";
import { Client, ClientDoer, RingBuffer, type Operation } from "../../src/index.js";
import { Lines, freePort } from "../helpers/examples-process.js";
import { startRedis, type Redis } from "../helpers/examples-redis.js";
import { Cleanup, runUntil } from "../helpers/tcp-harness.js";
import { needPeers } from "../helpers/peers.js";

const redisServer = needPeers("redis-server");

const cleanup = new Cleanup();
let redis: Redis;
beforeEach(async () => {
  if (redisServer.reason !== undefined) return; // the tests that need it skip or fail
  redis = await startRedis();
  cleanup.add(redis, (r) => r.stop());
});
afterEach(() => cleanup.run());

const text = (value: RespValue) => (value instanceof Uint8Array ? new TextDecoder().decode(value) : value);

/**
 * Runs `job(resp)` as a ClientDoer's handler against the test's redis in a
 * hand-stepped Doist until the ClientDoer is done; returns what it returned, or throws what it threw.
 */
async function withRedis<T>(job: (resp: Resp) => Operation<T>, options: { bufferSize?: number } = {}): Promise<T> {
  const client = cleanup.add(new Client({ port: redis.port, ...options }), (c) => c.close());
  const resp = new Resp(client);
  let result: { value: T } | { error: unknown } | undefined;
  const doer = new ClientDoer({
    client,
    handler: function* (client) {
      try {
        yield* client.waitConnected();
        result = { value: yield* job(resp) };
      } catch (error) {
        result = { error };
      }
    },
  });
  const doist = cleanup.doist([doer]);
  await runUntil(doist, () => result !== undefined && doer.done === true, "the redis job");
  if (result === undefined || "error" in result) throw result?.error;
  return result.value;
}

redisServer.describe("examples/resp-client.ts against redis-server", () => {
  it("sends commands and reads simple strings, integers and bulk strings", async () => {
    const replies = await withRedis(function* (resp) {
      return [yield* resp.command("PING"), yield* resp.command("SET", "k", "value"), yield* resp.command("GET", "k"), yield* resp.command("INCRBY", "n", 41)];
    });
    expect(replies.map(text)).toEqual(["PONG", "OK", "value", 41]);
  });

  it("keeps bulk strings binary-safe (CR, LF and NUL inside)", async () => {
    const value = new Uint8Array([0, 13, 10, 255, 36, 13, 10, 42]);
    const got = await withRedis(function* (resp) {
      yield* resp.command("SET", "bin", value);
      return yield* resp.command("GET", "bin");
    });
    expect(got).toEqual(value);
  });

  it("reads a bulk string larger than rxbs, sent through a smaller txbs", async () => {
    const value = new Uint8Array(1024 * 1024).map((_, index) => (index * 31) & 255);
    const got = await withRedis(
      function* (resp) {
        yield* resp.command("SET", "big", value);
        return yield* resp.command("GET", "big");
      },
      { bufferSize: 16 * 1024 },
    );
    expect(got).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(got as Uint8Array).equals(Buffer.from(value))).toBe(true); // toEqual is slow on 1 MiB
  });

  it("answers a missing key with null and throws an error reply as RespError, leaving the connection usable", async () => {
    const outcome = await withRedis(function* (resp) {
      const missing = yield* resp.command("GET", "nothing-here");
      yield* resp.command("SET", "s", "string");
      let error: unknown;
      try {
        yield* resp.command("LPUSH", "s", "x");
      } catch (caught) {
        error = caught;
      }
      return { missing, error, after: yield* resp.command("PING") };
    });
    expect(outcome.missing).toBeNull();
    expect(outcome.error).toBeInstanceOf(RespError);
    expect((outcome.error as RespError).kind).toBe("WRONGTYPE");
    expect(outcome.after).toBe("PONG");
  });

  it("reads nested arrays (MULTI/EXEC with an LRANGE inside)", async () => {
    const reply = await withRedis(function* (resp) {
      yield* resp.command("RPUSH", "list", "a", "b");
      yield* resp.command("MULTI");
      yield* resp.command("INCR", "counter");
      yield* resp.command("LRANGE", "list", 0, -1);
      return yield* resp.command("EXEC");
    });
    expect(reply).toEqual([1, [new TextEncoder().encode("a"), new TextEncoder().encode("b")]]);
  });

  it("pipelines 1000 commands in one write and gets every reply in order", async () => {
    const replies = await withRedis((resp) => resp.pipeline(Array.from({ length: 1000 }, () => ["INCR", "p"])));
    expect(replies).toEqual(Array.from({ length: 1000 }, (_, index) => index + 1));
  });

  it("runs the tour with no command and exits 0", async () => {
    const lines = new Lines();
    expect(await main(["--port", String(redis.port)], lines.out)).toBe(0);
    expect(lines.lines.slice(0, 6)).toEqual(["> PING", "PONG", "> SET hio-ts:greeting hello from a generator", "OK", "> GET hio-ts:greeting", '"hello from a generator"']);
    expect(lines.text).toContain('> LRANGE hio-ts:list 0 -1\n1) "doist"\n2) "dodoer"\n3) "doer"');
    expect(lines.text).toMatch(/\(integer\) 1001 {2}\(1000 replies in [\d.]+ ms\)/);
  });

  it("prints an error reply like redis-cli and exits 1", async () => {
    const lines = new Lines();
    expect(await main(["--port", String(redis.port), "GET"], lines.out)).toBe(1);
    expect(lines.text).toBe("(error) ERR wrong number of arguments for 'get' command");
  });
});

describe("examples/resp-client.ts without a server", () => {
  it("exits 1 naming the address when the connection is refused", async () => {
    const port = await freePort();
    const lines = new Lines();
    expect(await main(["--port", String(port), "PING"], lines.out)).toBe(1);
    expect(lines.text).toContain(`client 127.0.0.1:${port}: connect failed`);
  });

  it("parses the same reply however it is split", () => {
    const reply = new TextEncoder().encode("*3\r\n$5\r\nhello\r\n:-7\r\n*2\r\n+OK\r\n$-1\r\n");
    for (const size of [1, 2, 3, 7, reply.length]) {
      const ring = new RingBuffer(64);
      const dog = readReply(ring);
      let step = dog.next();
      for (let offset = 0; step.done !== true; offset += size) {
        ring.write(reply.subarray(offset, offset + size));
        step = dog.next(0);
      }
      expect(step.value, `chunks of ${size}`).toEqual([new TextEncoder().encode("hello"), -7, ["OK", null]]);
    }
  });

  it("encodes a command as an array of bulk strings and formats replies like redis-cli", () => {
    expect(new TextDecoder().decode(encodeCommand(["SET", "k", 42]))).toBe("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\n42\r\n");
    expect(formatReply([1, null, ["x", new RespError("ERR no")]])).toBe("1) (integer) 1\n2) (nil)\n3) 1) x\n   2) (error) ERR no");
  });
});
