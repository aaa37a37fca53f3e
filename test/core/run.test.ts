import net from "node:net";
import { readFile } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { AbortError, Doist, TimeoutError, doify, run, runIn, until } from "../../src/core/index.js";
import { decodeUtf8, encodeUtf8, readLine, writeAll } from "../../src/io/index.js";
import { Client, ClientDoer } from "../../src/tcp/index.js";
import { Trace, TraceDoer } from "../helpers/core-trace.js";

const servers: net.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

async function echoServer(): Promise<number> {
  const server = net.createServer((socket) => socket.pipe(socket));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as net.AddressInfo).port;
}

describe("run", () => {
  it("awaits one operation's result over a real TCP connection, then closes the doers beside it", async () => {
    const port = await echoServer();
    const client = new Client({ port });
    const reply = await run(
      function* () {
        yield* client.waitConnected({ timeout: 5 });
        yield* writeAll(client.txbs, encodeUtf8("hello\n"));
        return decodeUtf8(yield* readLine(client.rxbs, { timeout: 5 }));
      },
      { doers: [new ClientDoer({ client })], signals: false },
    );
    expect(reply).toBe("hello");
    expect(client.state).toBe("closed");
  });

  it("closes the doers beside it also when the operation returns without yielding", async () => {
    const trace = new Trace();
    const value = await run(
      // eslint-disable-next-line require-yield
      function* () {
        return 5;
      },
      { doers: [new TraceDoer(trace, "helper")], real: false, signals: false, limit: 5 },
    );
    expect(value).toBe(5);
    expect(trace.of("helper").map((line) => line.split(" ")[1])).toEqual(["enter", "cease", "exit"]);
  });

  it("rejects with the operation's error after every exit ran", async () => {
    const trace = new Trace();
    const error = await run(
      function* () {
        yield* until(readFile("/nonexistent/hio-ts/run"));
        return 1;
      },
      { doers: [new TraceDoer(trace, "helper")], signals: false },
    ).catch((caught: unknown) => caught);
    expect((error as NodeJS.ErrnoException).code).toBe("ENOENT");
    expect(
      trace
        .of("helper")
        .slice(-2)
        .map((line) => line.split(" ")[1]),
    ).toEqual(["cease", "exit"]);
  });

  it("gives up with a TimeoutError at its limit of tyme (non-real, deterministic)", async () => {
    const error = await run(
      function* () {
        for (;;) yield 0.25;
      },
      { real: false, limit: 1, signals: false },
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TimeoutError);
  });

  it("rejects with an AbortError when its signal aborts", async () => {
    const error = await run(
      function* () {
        yield* until(new Promise(() => undefined));
      },
      { signal: AbortSignal.timeout(30), signals: false },
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AbortError);
  });
});

describe("runIn", () => {
  it("adds an operation to a running Doist and resolves with its value; an error ends only that doer", async () => {
    const trace = new Trace();
    const doist = new Doist({ real: true, tock: 0.01, signals: false, doers: [new TraceDoer(trace, "server")] });
    const running = doist.do();
    try {
      await expect(
        runIn(doist, function* () {
          yield 0.05;
          return "value";
        }),
      ).resolves.toBe("value");
      await expect(
        runIn(doist, function* () {
          yield;
          throw new Error("only mine");
        }),
      ).rejects.toThrow("only mine");
      expect(trace.of("server").at(-1)).toMatch(/ recur$/);
    } finally {
      await doist[Symbol.asyncDispose]();
    }
    await expect(running).resolves.toBe(false);
  });

  it("rejects with an AbortError when the scheduler closes it first", async () => {
    const doist = new Doist({
      tock: 0.25,
      signals: false,
      doers: [
        doify(function* () {
          for (;;) yield;
        }),
      ],
    });
    doist.enter();
    const pending = runIn(doist, function* () {
      for (;;) yield;
    });
    doist.recur();
    doist.exit();
    await expect(pending).rejects.toBeInstanceOf(AbortError);
  });
});
