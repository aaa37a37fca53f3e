/**
 * The shared handle contract (hio-ts/io `Handle`) on the serial layer:
 * label, state with maySend/mayReceive, due, the one WireTap type, and
 * disposal with `using`.
 */
import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Doist, Tymist } from "../../src/core/index.js";
import { WireLog, type Handle } from "../../src/io/index.js";
import { Console, ConsoleDoer, Driver, Serial, SerialDoer, type SerialHandle } from "../../src/serial/index.js";
import { TestBinding, until } from "../helpers/serial-mock.js";

const PATH = "/dev/ttyCONTRACT0";
let binding: TestBinding;
let closers: Array<{ close(): Promise<void> }>;

beforeEach(() => {
  binding = new TestBinding();
  binding.plug(PATH);
  closers = [];
});

afterEach(async () => {
  for (const handle of closers) await handle.close();
  binding.reset();
});

function serial(options: { reopenable?: boolean } = {}): Serial {
  const made = new Serial({ path: PATH, binding, ...options });
  closers.push(made);
  return made;
}

/** What a handle says may still happen, as one comparable row. */
const may = (handle: Handle): [string, boolean, boolean] => [handle.state, handle.maySend, handle.mayReceive];

describe("Serial as a Handle", () => {
  it("names itself in label and says what may still happen in every state (reopenable)", async () => {
    const tymist = new Tymist({ tock: 0.5 });
    const handle: Handle = new Serial({ path: PATH, binding, reopenable: true, tymeout: 1, tymth: tymist.tymen() });
    closers.push(handle as Serial);
    expect(handle.label).toBe(`serial ${PATH}`);
    expect(may(handle)).toEqual(["closed", false, false]);
    const opening = handle.open();
    expect(may(handle)).toEqual(["opening", true, true]);
    await opening;
    expect(may(handle)).toEqual(["open", true, true]);
    expect(handle.due).toBe(Number.POSITIVE_INFINITY);
    binding.unplug(PATH);
    await until(() => handle.state === "cutoff", "cutoff");
    expect(may(handle)).toEqual(["cutoff", true, true]); // bytes put in txbs now are sent after the reopen
    expect(handle.due).toBe(1); // tyme 0 + tymeout
    await (handle as Serial).close();
    expect(may(handle)).toEqual(["closed", false, false]);
  });

  it("may neither send nor receive once cut off for good (not reopenable)", async () => {
    const handle = serial({ reopenable: false });
    await handle.open();
    binding.unplug(PATH);
    await until(() => handle.cutoff, "cutoff");
    expect(may(handle)).toEqual(["cutoff", false, false]);
  });

  it("records through the one WireTap type (a WireLog fits)", async () => {
    const handle = serial();
    const wirelog = new WireLog();
    handle.wirelog = wirelog;
    await handle.open();
    handle.txbs.write(Buffer.from("ping"));
    binding.port(PATH).emit("pong");
    await until(() => handle.rxbs.length === 4 && handle.drained, "echo");
    expect(wirelog.entries.map((entry) => [entry.direction, Buffer.from(entry.bytes).toString(), entry.peer]).sort()).toEqual([
      ["rx", "pong", PATH],
      ["tx", "ping", PATH],
    ]);
  });

  it("closes at the end of a `using` block, and releases the device at the end of `await using`", async () => {
    let outer: Serial;
    {
      using handle = serial();
      await handle.open();
      outer = handle;
      expect(outer.opened).toBe(true);
    }
    expect(outer.state).toBe("closed");
    {
      await using handle = serial();
      await handle.open();
      outer = handle;
    }
    expect(outer.state).toBe("closed");
    expect(binding.port(PATH).isOpen).toBe(false); // released before the block's end resumed us
  });
});

describe("Console as a Handle", () => {
  it("may still send after its input ended, and no longer receive", async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    output.resume();
    const handle: Handle = new Console({ input, output, name: "console test" });
    closers.push(handle as Console);
    expect([handle.label, ...may(handle)]).toEqual(["console test", "closed", false, false]);
    await handle.open();
    expect(may(handle)).toEqual(["open", true, true]);
    input.end("last");
    await until(() => (handle as Console).rxbs.ended, "input end");
    expect(may(handle)).toEqual(["open", true, false]);
    expect(handle.due).toBe(Number.POSITIVE_INFINITY);
  });

  it("may still receive the tail held for room after its input ended, until it is in", async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    output.resume();
    const handle = new Console({ input, output, bufferSize: 16, maxLine: 8 });
    closers.push(handle);
    await handle.open();
    input.end("0123456789abcdefXYZ"); // 19 bytes into a 16-byte rxbs
    await until(() => handle.rxbs.isFull, "rxbs full");
    await new Promise((resolve) => setImmediate(resolve)); // the end event comes after the data
    expect([handle.rxbs.ended, handle.mayReceive]).toEqual([false, true]);
    handle.rxbs.read(8);
    await until(() => handle.rxbs.ended, "held tail in, rxbs ended");
    expect(handle.mayReceive).toBe(false);
    expect(Buffer.from(handle.rxbs.read()).toString()).toBe("89abcdefXYZ");
  });

  it("records input and output through its wirelog", async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    output.resume();
    const wirelog = new WireLog();
    const handle = new Console({ input, output, wirelog });
    closers.push(handle);
    await handle.open();
    input.write("typed");
    handle.write("shown");
    await until(() => wirelog.entries.length === 2, "two entries");
    expect(wirelog.entries.map((entry) => [entry.direction, Buffer.from(entry.bytes).toString(), entry.peer]).sort()).toEqual([
      ["rx", "typed", "stdio"],
      ["tx", "shown", "stdio"],
    ]);
  });

  it("closes (restoring the terminal) at the end of a `using` block", async () => {
    const input = new PassThrough();
    let outer: Console;
    {
      using handle = new Console({ input, output: new PassThrough() });
      await handle.open();
      outer = handle;
    }
    expect(outer.state).toBe("closed");
    expect(input.isPaused()).toBe(true);
  });
});

describe("Driver as a Handle", () => {
  it("delegates the contract to its handle and names both in label", async () => {
    const handle = serial();
    const gps = new Driver({ name: "gps", handle });
    const plain = new Driver({ handle });
    expect([gps.label, plain.label]).toEqual([`gps on serial ${PATH}`, `serial ${PATH}`]);
    await gps.open();
    expect(may(gps)).toEqual(may(handle));
    const wirelog = new WireLog();
    gps.wirelog = wirelog;
    expect(handle.wirelog).toBe(wirelog);
    {
      await using driven = gps;
      expect(driven.opened).toBe(true);
    }
    expect(handle.state).toBe("closed");
  });
});

describe("every serial Doer form takes a generator handler", () => {
  it.each([
    ["a plain function", () => undefined, "undefined"],
    ["an async function", async () => undefined, "a Promise"],
    ["an async generator", async function* () {}, "an async generator"],
  ])("SerialDoer rejects %s as handler with a TypeError naming the handle", async (_name, handler, what) => {
    const handle = serial();
    const doer = new SerialDoer({ serial: handle, handler: handler as unknown as (serial: SerialHandle) => Generator<undefined, void, number> });
    const doist = new Doist({ tock: 0.01, doers: [doer] });
    await expect(doist.do({ limit: 1 })).rejects.toThrow(new RegExp(`^serial ${PATH}: handler must be a generator function \\(function\\*\\), got one that returned ${what}`));
  });

  it("ConsoleDoer is done when its handler returns, and Driver runs under SerialDoer the same way", async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    output.resume();
    const terminal = new Console({ input, output });
    closers.push(terminal);
    const gps = new Driver({ name: "gps", handle: serial() });
    const seen: string[] = [];
    const doist = new Doist({
      tock: 0.01,
      doers: [
        new ConsoleDoer({
          console: terminal,
          handler: function* (console) {
            seen.push("console");
            console.write("bye\n");
          },
        }),
        new SerialDoer({
          serial: gps,
          handler: function* (driver) {
            seen.push(`driver ${driver.name}`);
          },
        }),
      ],
    });
    await doist.do({ limit: 5 });
    expect(seen.sort()).toEqual(["console", "driver gps"]);
    expect(doist.tyme).toBeLessThan(1); // ended by the handlers, not by the limit
    expect([terminal.state, gps.state]).toEqual(["closed", "closed"]);
  });

  it("SerialDoer without a handler is done once its handle may neither send nor receive", async () => {
    const handle = serial({ reopenable: false });
    const doer = new SerialDoer({ serial: handle });
    const doist = new Doist({ tock: 0.01, doers: [doer] });
    doist.enter();
    await until(() => handle.opened, "open");
    doist.recur();
    expect(doer.done).toBe(false);
    binding.unplug(PATH);
    await until(() => handle.cutoff, "cutoff");
    doist.recur();
    expect(doer.done).toBe(true);
    doist.exit();
  });
});
