/**
 * Child processes for the example and CLI tests: run an example or the `hio`
 * command under tsx, or a real peer (nc, curl, redis-server, socat), collect
 * its output, wait for a line or its exit with a bounded deadline, and kill
 * whatever is still running at cleanup.
 */
import { spawn, type ChildProcess } from "node:child_process";
import dgram from "node:dgram";
import net from "node:net";
import { join } from "node:path";

/** The repository root (tests run from it). */
export const ROOT = join(import.meta.dirname, "..", "..");

/** How a child process ended. */
export interface Exit {
  /** Exit code, or null when a signal ended it. */
  code: number | null;
  /** The signal that ended it, if any. */
  signal: NodeJS.Signals | null;
}

/** Options of {@link Proc.spawn}. */
export interface ProcOptions {
  /** Bytes or text written to stdin, which is then closed; omit to keep stdin open. */
  input?: string | Uint8Array;
  /** Environment additions. */
  env?: Record<string, string>;
  /** Working directory. Default: the repository root. */
  cwd?: string;
}

/** A running child process whose stdout and stderr are collected. */
export class Proc {
  readonly child: ChildProcess;
  readonly name: string;
  #stdout: Buffer[] = [];
  #stderr: Buffer[] = [];
  #exit: Exit | undefined;
  readonly exited: Promise<Exit>;
  #watchers: (() => void)[] = [];

  private constructor(name: string, child: ChildProcess, input: string | Uint8Array | undefined) {
    this.name = name;
    this.child = child;
    child.stdout?.on("data", (chunk: Buffer) => {
      this.#stdout.push(chunk);
      this.#notify();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      this.#stderr.push(chunk);
      this.#notify();
    });
    child.stdin?.on("error", () => {}); // the child may exit before reading it all
    this.exited = new Promise((resolve) => {
      child.on("error", (error) => {
        this.#stderr.push(Buffer.from(`spawn failed: ${error.message}`));
        this.#exit ??= { code: -1, signal: null };
        this.#notify();
        resolve(this.#exit);
      });
      child.on("close", (code, signal) => {
        this.#exit ??= { code, signal };
        this.#notify();
        resolve(this.#exit);
      });
    });
    if (input !== undefined) child.stdin?.end(input);
  }

  /**
   * Starts `command` with `args`.
   * @param command program to run
   * @param args its arguments
   * @param options `input`, `env`, `cwd`
   */
  static spawn(command: string, args: readonly string[], options: ProcOptions = {}): Proc {
    const child = spawn(command, args, {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    return new Proc(`${command} ${args.join(" ")}`, child, options.input);
  }

  /**
   * Starts a TypeScript file of this repository under tsx, as
   * `node --import tsx <file> ...args` (what `npx tsx <file>` runs, without npx).
   */
  static tsx(file: string, args: readonly string[], options: ProcOptions = {}): Proc {
    return Proc.spawn(process.execPath, ["--import", "tsx", file, ...args], options);
  }

  /** Starts the `hio` command from source: `node --import tsx src/cli/hio.ts ...args`. */
  static hio(args: readonly string[], options: ProcOptions = {}): Proc {
    return Proc.tsx("src/cli/hio.ts", args, options);
  }

  /** Everything written to stdout so far. */
  get stdout(): string {
    return Buffer.concat(this.#stdout).toString("utf8");
  }

  /** Everything written to stdout so far, as bytes. */
  get stdoutBytes(): Buffer {
    return Buffer.concat(this.#stdout);
  }

  /** Everything written to stderr so far. */
  get stderr(): string {
    return Buffer.concat(this.#stderr).toString("utf8");
  }

  /** How it ended, once it has. */
  get exit(): Exit | undefined {
    return this.#exit;
  }

  /**
   * Waits until `pattern` matches stdout (or stderr with `stream`).
   * @returns the match
   * @throws when the process exits first or `deadlineMs` pass
   */
  async waitFor(pattern: RegExp, stream: "stdout" | "stderr" = "stdout", deadlineMs = 15_000): Promise<RegExpMatchArray> {
    return this.#until(() => (stream === "stdout" ? this.stdout : this.stderr).match(pattern) ?? undefined, `${stream} to match ${pattern}`, deadlineMs);
  }

  /**
   * Waits until the process exits.
   * @throws when `deadlineMs` pass first (the process is then killed)
   */
  async waitExit(deadlineMs = 15_000): Promise<Exit> {
    return this.#until(() => this.#exit, "exit", deadlineMs);
  }

  /** Writes to stdin. */
  write(data: string | Uint8Array): void {
    this.child.stdin?.write(data);
  }

  /** Closes stdin. */
  endInput(): void {
    this.child.stdin?.end();
  }

  /** Sends `signal` if it still runs. */
  signal(signal: NodeJS.Signals): void {
    if (this.#exit === undefined) this.child.kill(signal);
  }

  /** Kills it (SIGKILL) if it still runs, and waits for it. */
  async kill(): Promise<void> {
    if (this.#exit === undefined && this.child.exitCode === null) this.child.kill("SIGKILL");
    await this.exited;
  }

  #notify(): void {
    const watchers = this.#watchers;
    this.#watchers = [];
    for (const watcher of watchers) watcher();
  }

  #until<T>(check: () => T | undefined, what: string, deadlineMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        done = true;
        reject(new Error(`${this.name}: timed out after ${deadlineMs} ms waiting for ${what}\nstdout: ${this.stdout}\nstderr: ${this.stderr}`));
      }, deadlineMs);
      let done = false;
      const attempt = (): void => {
        if (done) return;
        const value = check();
        if (value !== undefined) {
          done = true;
          clearTimeout(timer);
          resolve(value);
          return;
        }
        if (this.#exit !== undefined && what !== "exit") {
          done = true;
          clearTimeout(timer);
          reject(new Error(`${this.name}: exited (${JSON.stringify(this.#exit)}) before ${what}\nstdout: ${this.stdout}\nstderr: ${this.stderr}`));
          return;
        }
        this.#watchers.push(attempt);
      };
      attempt();
    });
  }
}

/**
 * Runs `command` to completion with a deadline.
 * @returns its exit and output
 */
export async function run(
  command: string,
  args: readonly string[],
  options: ProcOptions & { deadlineMs?: number } = {},
): Promise<{ exit: Exit; stdout: string; stderr: string; stdoutBytes: Buffer }> {
  const proc = Proc.spawn(command, args, options);
  try {
    const exit = await proc.waitExit(options.deadlineMs ?? 15_000);
    return { exit, stdout: proc.stdout, stderr: proc.stderr, stdoutBytes: proc.stdoutBytes };
  } finally {
    await proc.kill();
  }
}

/**
 * Finds a loopback TCP port that is free now, by binding port 0 and closing.
 * For peers that cannot be told to pick their own (redis-server refuses `--port 0`).
 */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Finds a loopback UDP port that is free now, by binding port 0 and closing. */
export async function freeUdpPort(host = "127.0.0.1"): Promise<number> {
  const socket = dgram.createSocket(host.includes(":") ? "udp6" : "udp4");
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(0, host, () => resolve());
  });
  const port = socket.address().port;
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/** Collects the lines an example prints through its `out` option. */
export class Lines {
  readonly lines: string[] = [];
  readonly out = (line: string): void => {
    this.lines.push(line);
  };

  /** All lines joined with LF. */
  get text(): string {
    return this.lines.join("\n");
  }
}
