import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { AbortError, LineFramer, RingBuffer, readAvailable, readExactly, readFrame, readLine, readUntil, skipUntil, writeAll, type Reader } from "../../src/index.js";
import { Client, ClientDoer, run } from "../../src/index.js";
import { ReaderHarness, bytes, step, text } from "../helpers/io-drive.js";

let harness: ReaderHarness<unknown> | undefined;
const servers: net.Server[] = [];
afterEach(async () => {
  harness?.exit();
  harness = undefined;
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

const readers: [string, (ring: RingBuffer, signal: AbortSignal) => Reader<unknown>][] = [
  ["readExactly", (ring, signal) => readExactly(ring, 4, { signal })],
  ["readUntil", (ring, signal) => readUntil(ring, 0x3b, { signal })],
  ["readLine", (ring, signal) => readLine(ring, { signal })],
  ["readAvailable", (ring, signal) => readAvailable(ring, { signal })],
  ["skipUntil", (ring, signal) => skipUntil(ring, 0x3b, { signal })],
  ["readFrame", (ring, signal) => readFrame(ring, new LineFramer(), { signal })],
];

describe("readers with { signal }", () => {
  for (const [name, make] of readers) {
    it(`${name}: an abort while it sleeps wakes it and throws AbortError with the reason; the ring keeps its bytes`, () => {
      const ring = new RingBuffer({ capacity: 16, name: "rxbs" });
      const controller = new AbortController();
      if (name !== "readAvailable" && name !== "skipUntil") ring.write(bytes("ab"));
      const h = new ReaderHarness(() => make(ring, controller.signal));
      harness = h;
      h.recur(3);
      expect(h.outcome).toEqual({ state: "waiting" });
      controller.abort("caller left");
      h.recur();
      expect(h.outcome.state).toBe("threw");
      const error = (h.outcome as { error: unknown }).error as AbortError;
      expect(error).toBeInstanceOf(AbortError);
      expect(error.cause).toBe("caller left");
      expect(error.message).toBe(`rxbs ${name} aborted: caller left`);
      if (name !== "readAvailable" && name !== "skipUntil" && name !== "readFrame") expect(text(ring.peek())).toBe("ab");
    });
  }

  it("an already aborted signal throws before anything is consumed", () => {
    const ring = new RingBuffer(16);
    ring.write(bytes("line\n"));
    expect(() => readLine(ring, { signal: AbortSignal.abort() })).toThrow(AbortError);
    expect(ring.length).toBe(5);
  });

  it("a frame already in the ring is returned as usual", () => {
    const ring = new RingBuffer(16);
    ring.write(bytes("line\n"));
    const outcome = step(readLine(ring, { signal: new AbortController().signal }));
    expect(outcome.state === "returned" && text(outcome.value as Uint8Array)).toBe("line");
  });

  it("writeAll: an abort while the ring is full throws AbortError; what went in stays", () => {
    const ring = new RingBuffer({ capacity: 4, name: "txbs" });
    const controller = new AbortController();
    const h = new ReaderHarness(() => writeAll(ring, bytes("abcdefgh"), { signal: controller.signal }));
    harness = h;
    h.recur(2);
    controller.abort();
    h.recur();
    expect((h.outcome as { error: unknown }).error).toBeInstanceOf(AbortError);
    expect(text(ring.peek())).toBe("abcd");
  });

  it("AbortSignal.timeout ends a readLine on a real silent TCP peer", async () => {
    const server = net.createServer(() => undefined); // accepts and says nothing
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const client = new Client({ port: (server.address() as net.AddressInfo).port });
    const error = await run(
      function* () {
        yield* client.waitConnected({ timeout: 5 });
        return yield* readLine(client.rxbs, { signal: AbortSignal.timeout(50) });
      },
      { doers: [new ClientDoer({ client })], signals: false },
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AbortError);
    expect(((error as AbortError).cause as Error).name).toBe("TimeoutError");
  });
});
