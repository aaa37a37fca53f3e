/**
 * Console with injected streams: a pipe-like input, and a fake terminal (a
 * stream with `isTTY` and `setRawMode`) for the raw-mode line editing.
 */
import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Doist } from "../../src/core/index.js";
import { readLine } from "../../src/io/index.js";
import { Console, ConsoleDoer, ConsoleError, type ConsoleInput, type ConsoleOptions } from "../../src/serial/index.js";
import { settle, until } from "../helpers/serial-mock.js";

const text = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : Buffer.from(bytes).toString("latin1"));

/** A PassThrough that says it is a terminal and records raw-mode switches. */
class FakeTerminal extends PassThrough {
  readonly isTTY = true;
  readonly modes: boolean[] = [];
  setRawMode(mode: boolean): this {
    this.modes.push(mode);
    return this;
  }
}

/** An output that records what it is given. */
class Screen extends PassThrough {
  shown = "";
  constructor() {
    super();
    this.on("data", (chunk: Buffer) => (this.shown += chunk.toString("latin1")));
  }
}

let consoles: Console[];
let screen: Screen;

beforeEach(() => {
  consoles = [];
  screen = new Screen();
});

afterEach(async () => {
  for (const console of consoles) await console.close();
});

function open(options: ConsoleOptions): Console {
  const console = new Console({ output: screen, ...options });
  consoles.push(console);
  void console.open();
  return console;
}

describe("Console with a piped input", () => {
  it("passes bytes through unchanged and splits lines with getLine", async () => {
    const input = new PassThrough();
    const console = open({ input });
    input.write("one\r\ntwo\nthr");
    await until(() => console.rxbs.length === 12, "bytes arrive");
    expect([text(console.getLine()), text(console.getLine()), console.getLine()]).toEqual(["one", "two", undefined]);
    expect([console.raw, screen.shown]).toEqual([false, ""]);
  });

  it("writes what is queued to the output", async () => {
    const console = open({ input: new PassThrough() });
    expect(console.write("héllo\n")).toBe(7);
    await until(() => screen.shown.length > 0, "output");
    expect(Buffer.from(screen.shown, "latin1").toString("utf8")).toBe("héllo\n");
  });

  it("ends rxbs when the input ends", async () => {
    const input = new PassThrough();
    const console = open({ input });
    input.end("last");
    await until(() => console.rxbs.ended, "end");
    expect(text(console.rxbs.read())).toBe("last");
  });

  it("pauses the input while rxbs is full and loses nothing", async () => {
    const input = new PassThrough();
    const console = open({ input, mode: "bytes", maxLine: 4, bufferSize: 8 });
    input.write("abcdefghijklmnopqrstuvwxyz");
    await until(() => console.rxbs.isFull, "rxbs fills");
    expect(input.isPaused()).toBe(true);
    let got = "";
    await until(() => {
      got += text(console.rxbs.read());
      return got.length === 26;
    }, "everything arrives");
    expect(got).toBe("abcdefghijklmnopqrstuvwxyz");
  });

  it("keeps the held end of the last chunk when the input ends while rxbs is full", async () => {
    const input = new PassThrough();
    const console = open({ input, mode: "bytes", maxLine: 4, bufferSize: 8 });
    input.end("abcdefghijklmnopqrstuvwxyz"); // one chunk, then end, with nobody reading yet
    await until(() => console.rxbs.isFull && input.readableEnded, "rxbs full and the input ended");
    expect(console.rxbs.ended).toBe(false); // the rest of the chunk is still held
    let got = "";
    await until(() => {
      got += text(console.rxbs.read());
      return console.rxbs.exhausted;
    }, "rxbs ends after the last byte");
    expect(got).toBe("abcdefghijklmnopqrstuvwxyz");
  });

  it("waits for drain when the output pushes back", async () => {
    const output = new Screen();
    const writes: number[] = [];
    let full = true;
    output.write = ((chunk: Uint8Array) => {
      writes.push(chunk.length);
      output.shown += Buffer.from(chunk).toString("latin1");
      return !full;
    }) as typeof output.write;
    const console = new Console({ input: new PassThrough(), output });
    consoles.push(console);
    await console.open();
    console.write("first");
    await settle();
    console.write("second");
    await settle();
    expect([output.shown, writes]).toEqual(["first", [5]]);
    full = false;
    output.emit("drain");
    await settle();
    expect(output.shown).toBe("firstsecond");
  });

  it("closes idempotently, detaching from the input and ending rxbs", async () => {
    const input = new PassThrough();
    const console = open({ input });
    await console.close();
    await console.close();
    expect([console.state, console.rxbs.ended, input.listenerCount("data")]).toEqual(["closed", true, 0]);
  });

  it("rejects opening a path that is not a terminal with ConsoleError naming it", async () => {
    const console = new Console({ path: "/dev/null" });
    consoles.push(console);
    await expect(console.open()).rejects.toThrow(ConsoleError);
    await expect(console.open()).rejects.toThrow("console /dev/null: /dev/null is not a terminal");
  });

  it.each([
    [{ mode: "words" }, RangeError, /^mode must be/],
    [{ maxLine: 0 }, RangeError, /^maxLine must be/],
    [{ maxLine: 10, bufferSize: 10 }, RangeError, /^bufferSize must be a whole number > maxLine/],
    [{ path: "/dev/tty", input: new PassThrough() }, TypeError, /^path cannot be combined/],
  ])("rejects bad options %#", (options, type, message) => {
    expect(() => new Console(options as ConsoleOptions)).toThrow(type);
    expect(() => new Console(options as ConsoleOptions)).toThrow(message);
  });
});

describe("Console on a terminal (line mode)", () => {
  let terminal: FakeTerminal;
  let interrupts: number;
  let console: Console;

  beforeEach(() => {
    terminal = new FakeTerminal();
    interrupts = 0;
    console = open({ input: terminal as unknown as ConsoleInput, onInterrupt: () => interrupts++ });
  });

  async function type(keys: string): Promise<void> {
    terminal.write(Buffer.from(keys, "latin1"));
    await settle();
  }

  it("switches the terminal to raw mode while open", async () => {
    expect(console.raw).toBe(true);
    await console.close();
    expect(terminal.modes).toEqual([true, false]);
  });

  it.each([
    ["a plain line", "hello\r", "hello", "hello\r\n"],
    ["LF as Enter", "hello\n", "hello", "hello\r\n"],
    ["CRLF as one Enter", "a\r\nb\r", "a|b", "a\r\nb\r\n"],
    ["Backspace (DEL)", "ab\x7fc\r", "ac", "ab\b \bc\r\n"],
    ["Backspace (BS) past the start", "a\b\bz\r", "z", "a\b \bz\r\n"],
    ["a UTF-8 character erased whole", "x\xc3\xa9\x7f\r", "x", "x\xc3\xa9\b \b\r\n"],
    ["Ctrl-U", "abc\x15d\r", "d", "abc\b \b\b \b\b \bd\r\n"],
    ["an arrow key dropped", "a\x1b[Ab\x1bOBc\r", "abc", "abc\r\n"],
  ])("edits %s", async (_label, keys, lines, echo) => {
    await type(keys);
    const got: string[] = [];
    for (let line = console.getLine(); line !== undefined; line = console.getLine()) got.push(text(line)!);
    expect(got.join("|")).toBe(lines);
    expect(screen.shown).toBe(echo);
  });

  it("keeps a line being typed out of rxbs", async () => {
    await type("partial");
    expect(console.rxbs.length).toBe(0);
  });

  it("calls onInterrupt on Ctrl-C and drops the line", async () => {
    await type("abc\x03d\r");
    expect([interrupts, text(console.getLine())]).toEqual([1, "d"]);
  });

  it("ends rxbs on Ctrl-D at the start of a line", async () => {
    await type("x\rsecond\x7f\x7f\x7f\x7f\x7f\x7f\x04");
    expect([text(console.getLine()), console.rxbs.ended]).toEqual(["x", true]);
  });

  it("refuses bytes past maxLine with a bell", async () => {
    const small = open({ input: (terminal = new FakeTerminal()) as unknown as ConsoleInput, output: (screen = new Screen()), maxLine: 3 });
    terminal.write("abcde\r");
    await settle();
    expect([text(small.getLine()), screen.shown]).toEqual(["abc", "abc\x07\x07\r\n"]);
  });

  it("holds an Enter whose line does not fit until rxbs has room", async () => {
    const small = open({ input: (terminal = new FakeTerminal()) as unknown as ConsoleInput, maxLine: 4, bufferSize: 6 });
    terminal.write("abcd\refgh\r");
    await settle();
    expect([text(small.getLine()), small.getLine()]).toEqual(["abcd", undefined]);
    await settle();
    expect(text(small.getLine())).toBe("efgh");
  });
});

describe("ConsoleDoer", () => {
  it("runs a handler that reads lines typed on the console", async () => {
    const input = new PassThrough();
    const console = new Console({ input, output: screen });
    const seen: string[] = [];
    const doer = new ConsoleDoer({
      console,
      handler: function* (console) {
        for (let i = 0; i < 2; i++) seen.push(text(yield* readLine(console.rxbs))!);
        console.write(`got ${seen.length}\n`);
      },
    });
    const doist = new Doist({ doers: [doer], tock: 0.1 });
    doist.enter();
    input.write("a\nb\n");
    for (let pass = 0; pass < 50 && doer.done !== true; pass++) {
      doist.recur();
      await settle();
    }
    expect([seen, doer.done, console.state]).toEqual([["a", "b"], true, "closed"]);
    expect(screen.shown).toBe("got 2\n");
  });
});
