/**
 * Console: the terminal (stdin and stdout, or a tty device) as a handle.
 *
 * @module
 */
import { closeSync, constants, fstatSync, openSync } from "node:fs";
import { isatty, ReadStream, WriteStream } from "node:tty";
import { Signal, type Tymth, type Waker } from "../core/index.js";
import { RingBuffer, type Handle, type WireTap } from "../io/index.js";
import { Intake } from "../io/intake.js";
import { ConsoleError } from "./errors.js";
import type { SerialHandle, SerialState } from "./handle.js";
import type { ConsoleInput, ConsoleOptions, ConsoleOutput } from "./console-options.js";
import { LineEditor } from "./line-editor.js";

const encoder = new TextEncoder();

/**
 * Closes `fd` once `stream` has closed, if it is still open on the same
 * device. libuv reopens a pty slave given to a tty stream and leaves the fd
 * it was given open, so without this every open and close of a Console by
 * path leaked its descriptors. The device check keeps it from closing a
 * descriptor number that was closed and reused meanwhile.
 */
function closeFdWhenClosed(stream: ReadStream | WriteStream, fd: number): void {
  const device = fstatSync(fd);
  stream.once("close", () => {
    try {
      const now = fstatSync(fd);
      if (now.rdev === device.rdev && now.ino === device.ino && now.dev === device.dev) closeSync(fd);
    } catch {
      // closed with the stream already
    }
  });
}
const raiseInterrupt = (): void => {
  process.kill(process.pid, "SIGINT");
};

/**
 * The terminal as a handle, like hio's `Console`: keystrokes (or piped input)
 * land in `rxbs`, and what is put in `txbs` is written to the output. Open
 * is synchronous; a Console never reopens (`reopenable` is false).
 *
 * On a terminal it switches the input to raw mode while open, so bytes come
 * at once instead of a line at a time, and (in `"line"` mode) does the line
 * editing itself. Closing restores the terminal and pauses the input, so the
 * process can exit. When the input ends (EOF, Ctrl-D) `rxbs` is ended; an
 * output error cuts it off.
 *
 * @example
 * ```ts
 * const terminal = new Console();
 * const doer = new ConsoleDoer({
 *   console: terminal,
 *   handler: function* (terminal) {
 *     terminal.write("name? ");
 *     const name = yield* readLineText(terminal.rxbs);
 *     terminal.write(`hello ${name}\n`);
 *   },
 * });
 * await new Doist({ doers: [doer], real: true }).do();
 * ```
 */
export class Console implements SerialHandle, Handle {
  /** Bytes typed (whole lines in line mode), waiting for protocol code. */
  readonly rxbs: RingBuffer;
  /** Bytes waiting to be written to the output. */
  readonly txbs: RingBuffer;
  /** Notified on every change of `state`. */
  readonly stateSignal = new Signal();
  /** Notified when everything queued has been handed to the output. */
  readonly drainSignal = new Signal();
  /** A Console never reopens. */
  readonly reopenable = false;
  /** A console has no reopen to schedule. */
  readonly due = Number.POSITIVE_INFINITY;
  /** A name for logs and errors. */
  readonly name: string;
  /** The device path, when opened by path. */
  readonly path: string | undefined;
  /** Who to wake on input and state changes (set by its doer). */
  waker: Waker | undefined;
  /** Records what was read and written (peer: the path, or `stdio`). */
  wirelog: WireTap | undefined;
  readonly #options: ConsoleOptions;
  readonly #mode: "line" | "bytes";
  readonly #maxLine: number;
  #state: SerialState = "closed";
  #error: Error | undefined;
  #input: ConsoleInput | undefined;
  #output: ConsoleOutput | undefined;
  #ownStreams = false;
  #rawSet = false;
  #editor: LineEditor | undefined;
  readonly #intake: Intake;
  #blocked = false;
  #flushQueued = false;
  readonly #sendSoon: Waker = {
    wake: () => {
      if (this.#flushQueued) return;
      this.#flushQueued = true;
      queueMicrotask(this.#flush);
    },
  };

  /**
   * Creates a closed Console.
   * @param options `input`, `output`, `path`, `raw`, `mode`, `maxLine`, `bufferSize`, `name`
   * @throws TypeError/RangeError naming the option that is wrong
   */
  constructor(options: ConsoleOptions = {}) {
    if (typeof options !== "object" || options === null) throw new TypeError("options must be an object");
    const { path, mode = "line", maxLine = 8192 } = options;
    if (path !== undefined && (typeof path !== "string" || path === "")) throw new TypeError("path must be a non-empty string");
    if (path !== undefined && (options.input !== undefined || options.output !== undefined)) throw new TypeError("path cannot be combined with input or output");
    if (mode !== "line" && mode !== "bytes") throw new RangeError(`mode must be "line" or "bytes", got ${String(mode)}`);
    if (!Number.isInteger(maxLine) || maxLine < 1) throw new RangeError(`maxLine must be a whole number >= 1, got ${String(maxLine)}`);
    const bufferSize = options.bufferSize ?? Math.max(65_536, maxLine + 1);
    if (!Number.isInteger(bufferSize) || bufferSize <= maxLine) throw new RangeError(`bufferSize must be a whole number > maxLine (${maxLine}), got ${String(bufferSize)}`);
    this.#options = options;
    this.#mode = mode;
    this.#maxLine = maxLine;
    this.path = path;
    this.wirelog = options.wirelog;
    this.name = options.name ?? (path === undefined ? "console stdio" : `console ${path}`);
    this.rxbs = new RingBuffer({ capacity: bufferSize, name: `${this.name} rxbs` });
    this.txbs = new RingBuffer({ capacity: bufferSize, name: `${this.name} txbs` });
    // A stream's chunks are its own (never reused), so the tail is held as a
    // view. Deferred: room frees up inside a reader's consume(), which must
    // not see rxbs grow under it.
    this.#intake = new Intake(this.rxbs, {
      source: { pause: () => this.#input?.pause(), resume: () => this.#input?.resume() },
      feed: (bytes, rxbs) => (this.#editor === undefined ? rxbs.write(bytes) : this.#editor.feed(bytes, rxbs)),
      defer: true,
      delivered: () => this.waker?.wake(),
    });
  }

  /** Where it is in its lifecycle. */
  get state(): SerialState {
    return this.#state;
  }

  /** Names the console for messages (the same as `name`). */
  get label(): string {
    return this.name;
  }

  /** Bytes put in `txbs` may still be written: the console is open. */
  get maySend(): boolean {
    return this.#state === "open";
  }

  /**
   * More input may still arrive in `rxbs`: open, and `rxbs` not ended (after
   * the input ends, a tail held for room still arrives before it is).
   */
  get mayReceive(): boolean {
    return this.#state === "open" && !this.rxbs.ended;
  }

  /** State is `open`. */
  get opened(): boolean {
    return this.#state === "open";
  }

  /** State is `closed`. */
  get closed(): boolean {
    return this.#state === "closed";
  }

  /** State is `cutoff`: the output failed. */
  get cutoff(): boolean {
    return this.#state === "cutoff";
  }

  /** Why it is closed or cut off, if it failed. */
  get error(): Error | undefined {
    return this.#error;
  }

  /** Whether the input is a terminal in raw mode now. */
  get raw(): boolean {
    return this.#rawSet;
  }

  /** Nothing waits in `txbs`. */
  get drained(): boolean {
    return this.txbs.isEmpty;
  }

  /** A console reads no tyme; present for the handle contract. */
  wind(tymth: Tymth): void {
    void tymth;
  }

  /**
   * Opens the console: attaches to the streams (opening `path` if given) and
   * puts a terminal input in raw mode.
   * @returns a settled Promise (open is synchronous): resolved, or rejected
   *   with a ConsoleError naming the path when the device cannot be opened
   */
  open(): Promise<void> {
    if (this.#state === "open") return Promise.resolve();
    try {
      this.#attach();
    } catch (error) {
      this.#error = error instanceof ConsoleError ? error : new ConsoleError(`${this.name}: cannot open: ${(error as Error).message}`, { cause: error });
      this.#setState("closed");
      return Promise.reject(this.#error);
    }
    this.#error = undefined;
    this.#setState("open");
    this.#pumpOut();
    return Promise.resolve();
  }

  /**
   * Closes the console: restores the terminal mode, pauses (or, when opened
   * by path, closes) the streams and ends `rxbs`. Safe to call twice.
   * @returns a resolved Promise
   */
  close(): Promise<void> {
    this.#detach();
    this.rxbs.end();
    this.#setState("closed");
    return Promise.resolve();
  }

  /** Closes it when a `using` block ends. */
  [Symbol.dispose](): void {
    void this.close();
  }

  /**
   * Closes it when an `await using` block ends.
   * @returns a resolved Promise, once the terminal is restored
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Writes what waits in `txbs` and resumes input once `rxbs` has room. */
  service(): void {
    if (this.#state !== "open") return;
    this.#pumpIn();
    this.#pumpOut();
  }

  /**
   * Queues text or bytes for the output (like hio's `put`).
   * @param data a string (UTF-8) or bytes
   * @returns how many bytes `txbs` took (fewer when it is full)
   */
  write(data: string | Uint8Array): number {
    return this.txbs.write(typeof data === "string" ? encoder.encode(data) : data);
  }

  /**
   * Takes the next whole line from `rxbs`, without blocking (like hio's `get`).
   * @returns the line without its LF (or CRLF), or undefined when no whole line waits
   */
  getLine(): Uint8Array | undefined {
    const end = this.rxbs.indexOf(0x0a);
    if (end < 0) return undefined;
    const line = this.rxbs.read(end + 1);
    const cut = end > 0 && line[end - 1] === 0x0d ? end - 1 : end;
    return line.subarray(0, cut);
  }

  #attach(): void {
    const path = this.path;
    let input: ConsoleInput;
    let output: ConsoleOutput;
    if (path !== undefined) {
      const flags = constants.O_RDWR | constants.O_NOCTTY;
      const readFd = openSync(path, flags);
      if (!isatty(readFd)) {
        closeSync(readFd);
        throw new ConsoleError(`${this.name}: ${path} is not a terminal`);
      }
      const writeFd = openSync(path, flags); // libuv wants one handle per direction
      input = new ReadStream(readFd);
      output = new WriteStream(writeFd);
      closeFdWhenClosed(input as unknown as ReadStream, readFd);
      closeFdWhenClosed(output as unknown as WriteStream, writeFd);
      this.#ownStreams = true;
    } else {
      input = this.#options.input ?? process.stdin;
      output = this.#options.output ?? process.stdout;
      this.#ownStreams = false;
    }
    this.#input = input;
    this.#output = output;
    if (this.rxbs.ended) this.rxbs.reset();
    const raw = input.isTTY === true && typeof input.setRawMode === "function" && (this.#options.raw ?? true);
    if (raw) input.setRawMode!(true);
    this.#rawSet = raw;
    this.#editor =
      raw && this.#mode === "line" ? new LineEditor({ max: this.#maxLine, echo: (bytes) => this.#echo(bytes), interrupt: this.#options.onInterrupt ?? raiseInterrupt }) : undefined;
    this.#intake.reset();
    this.#blocked = false;
    input.on("data", this.#onData);
    input.on("end", this.#onEnd);
    input.on("error", this.#onError);
    output.on("error", this.#onError);
    input.resume();
  }

  #detach(): void {
    const input = this.#input;
    const output = this.#output;
    this.#input = undefined;
    this.#output = undefined;
    if (input !== undefined) {
      input.off("data", this.#onData);
      input.off("end", this.#onEnd);
      input.off("error", this.#onError);
      if (this.#rawSet) input.setRawMode?.(false);
      input.pause();
      if (this.#ownStreams) (input as unknown as ReadStream).destroy();
    }
    if (output !== undefined) {
      output.off("error", this.#onError);
      output.off("drain", this.#onDrain);
      if (this.#ownStreams) {
        const stream = output as unknown as WriteStream;
        stream.end(() => stream.destroy()); // end() alone leaves the tty handle open
      }
    }
    this.#rawSet = false;
    this.#intake.reset();
  }

  #setState(state: SerialState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.stateSignal.notify();
    this.waker?.wake();
  }

  // --- input ---------------------------------------------------------------

  readonly #onData = (chunk: Buffer | string): void => {
    const bytes = typeof chunk === "string" ? encoder.encode(chunk) : chunk;
    this.wirelog?.rx(bytes, this.path ?? "stdio");
    this.#take(bytes);
    this.waker?.wake();
  };

  readonly #onEnd = (): void => {
    // A stream may end while its last chunk waits, held, for room in rxbs:
    // rxbs ends only once that chunk is in.
    this.#intake.end();
    this.waker?.wake();
  };

  readonly #onError = (error: Error): void => {
    if (this.#state !== "open") return;
    this.#error = new ConsoleError(`${this.name}: ${error.message}`, { cause: error });
    this.#detach();
    this.rxbs.end();
    this.#setState("cutoff");
  };

  /** Moves input into rxbs; the intake keeps (and pauses the input for) what does not fit. */
  #take(bytes: Uint8Array): void {
    this.#intake.offer(bytes);
    if (this.#editor?.ended === true) {
      this.#intake.reset();
      this.rxbs.end();
    }
  }

  #pumpIn(): void {
    this.#intake.flush();
  }

  // --- output --------------------------------------------------------------

  #echo(bytes: Uint8Array): void {
    this.#output?.write(Buffer.from(bytes)); // the stream keeps the chunk: give it a copy
  }

  readonly #flush = (): void => {
    this.#flushQueued = false;
    this.#pumpOut();
  };

  readonly #onDrain = (): void => {
    this.#blocked = false;
    this.#pumpOut();
  };

  #pumpOut(): void {
    const output = this.#output;
    if (output === undefined || this.#blocked) return;
    const txbs = this.txbs;
    if (txbs.isEmpty) {
      txbs.dataSignal.subscribe(this.#sendSoon);
      return;
    }
    const bytes = txbs.read(); // a fresh copy: the stream may keep it, and the ring is free at once
    const chunk = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    this.wirelog?.tx(chunk, this.path ?? "stdio");
    if (!output.write(chunk)) {
      this.#blocked = true;
      output.once("drain", this.#onDrain);
    }
    if (this.#blocked) return;
    txbs.dataSignal.subscribe(this.#sendSoon);
    this.drainSignal.notify();
  }
}
