/**
 * Python hio memo peers for interop tests: finds upstream hio
 * (`../shared/peers/hio` next to the repository), checks that Python and
 * hio's packages import, and runs test/helpers/hio-memo-peer.py, which talks
 * JSON lines. Tests gate on {@link needHio}, which skips (or fails under
 * HIO_REQUIRE_PEERS=1) through test/helpers/peers.ts, so the skip reporter
 * lists a missing hio with the other system peers.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { peerGate, type PeerGate } from "./peers.js";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../..");

/** Where upstream hio's `src` is: HIO_SRC, else `../shared/peers/hio/src` beside the repository (or its worktree parent). */
export function hioSource(): string | undefined {
  const candidates = [process.env.HIO_SRC, join(repo, "../shared/peers/hio/src"), join(repo, "../../shared/peers/hio/src")];
  return candidates.find((candidate) => candidate !== undefined && existsSync(join(candidate, "hio/core/memo/memoing.py")));
}

/** Pythons to try: PYTHON alone when set, else `python3` on PATH, then the system's `/usr/bin/python3` (where Debian's hio packages live). */
const pythons = process.env.PYTHON !== undefined ? [process.env.PYTHON] : ["python3", "/usr/bin/python3"];

/** The Python that runs hio (the first of the candidates that imports it). */
export let python = pythons[0]!;

let missing: string | null | undefined;

/**
 * Why Python hio peers cannot run here, or undefined when they can.
 * @returns the reason with the install command, or undefined
 */
export function hioPeerMissing(): string | undefined {
  if (missing !== undefined) return missing ?? undefined;
  const source = hioSource();
  if (source === undefined) {
    missing = "upstream hio not found at ../shared/peers/hio (set HIO_SRC to its src directory)";
    return missing;
  }
  missing = null;
  for (const candidate of pythons) {
    const probe = spawnSync(
      candidate,
      ["-c", "import pysodium, msgpack, cbor2, multidict, ordered_set, lmdb, sortedcontainers; from hio.core.memo import memoing; from hio.core.udp import peermemoing"],
      { env: { ...process.env, PYTHONPATH: source }, encoding: "utf8", timeout: 20_000 },
    );
    if (probe.error === undefined && probe.status === 0) {
      python = candidate;
      missing = null;
      break;
    }
    const last = probe.error !== undefined ? `${candidate} not found` : `${candidate}: ${probe.stderr.trim().split("\n").pop() ?? ""}`;
    missing = (missing === null ? "" : `${missing}, `) + last;
  }
  if (missing !== null) {
    missing =
      `hio does not run: ${missing} (apt-get install python3 python3-msgpack python3-cbor2 python3-multidict ` +
      "python3-ordered-set python3-lmdb python3-sortedcontainers python3-pysodium, or set PYTHON)";
  }
  return missing ?? undefined;
}

/**
 * Gates for hio interop tests, as `needPeers` gives for tools: they skip
 * naming what is missing and how to install it, or fail with that under
 * HIO_REQUIRE_PEERS=1.
 * @param more further reasons to join (a missing addon the same tests need), undefined when there is none
 * @returns the gate; its `python` is the Python that runs hio
 */
export function needHio(...more: (string | undefined)[]): PeerGate {
  const reasons = [...more, hioPeerMissing()].filter((reason) => reason !== undefined);
  return peerGate(reasons.length > 0 ? reasons.join("; ") : undefined, python);
}

/** Options of the Python peer (see hio-memo-peer.py). */
export interface HioPeerOptions {
  transport?: "udp" | "uxd" | undefined;
  path?: string | undefined;
  name?: string | undefined;
  auth?: boolean | undefined;
  curt?: boolean | undefined;
  size?: number | undefined;
  /** 32-byte signing seed in hex. */
  seed?: string | undefined;
  echo?: boolean | undefined;
}

/** One JSON event the Python peer printed. */
export interface HioEvent {
  event: string;
  [key: string]: unknown;
}

/** A running Python hio memo peer. */
export class HioMemoPeer {
  readonly process: ChildProcess;
  readonly events: HioEvent[] = [];
  stderr = "";
  readonly exited: Promise<number | string>;
  #buffered = "";

  /**
   * Starts the peer; await `ready()` before using it.
   * @param options what kind of hio peer
   */
  constructor(options: HioPeerOptions = {}) {
    hioPeerMissing(); // picks the Python that runs hio
    this.process = spawn(python, [join(here, "hio-memo-peer.py"), JSON.stringify(options)], {
      env: { ...process.env, PYTHONPATH: hioSource() },
      stdio: ["pipe", "pipe", "pipe"],
    });
    this.exited = new Promise((resolve) => this.process.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")));
    this.process.stdout!.setEncoding("utf8");
    this.process.stdout!.on("data", (chunk: string) => {
      this.#buffered += chunk;
      for (let at = this.#buffered.indexOf("\n"); at >= 0; at = this.#buffered.indexOf("\n")) {
        const line = this.#buffered.slice(0, at);
        this.#buffered = this.#buffered.slice(at + 1);
        if (line.trim() !== "") this.events.push(JSON.parse(line) as HioEvent);
      }
    });
    this.process.stderr!.on("data", (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  /**
   * Waits for the peer to bind.
   * @returns its ready event (port or path, vid)
   */
  async ready(): Promise<HioEvent> {
    return this.next((event) => event.event === "ready");
  }

  /**
   * Sends a command line.
   * @param command the JSON command
   */
  command(command: Record<string, unknown>): void {
    this.process.stdin!.write(JSON.stringify(command) + "\n");
  }

  /**
   * Waits (bounded, wall clock) for an event.
   * @param match which event
   * @param ms the bound
   * @returns the first matching event not yet taken
   */
  async next(match: (event: HioEvent) => boolean, ms = 10_000): Promise<HioEvent> {
    const end = performance.now() + ms;
    for (;;) {
      const index = this.events.findIndex(match);
      if (index >= 0) return this.events.splice(index, 1)[0]!;
      if (this.process.exitCode !== null) throw new Error(`hio peer exited (${this.process.exitCode}): ${this.stderr}`);
      if (performance.now() > end) {
        this.process.kill("SIGUSR1"); // the Python peer prints where it is
        await new Promise((resolve) => setTimeout(resolve, 200));
        throw new Error(`hio peer: no matching event within ${ms} ms; events ${JSON.stringify(this.events).slice(0, 500)}; stderr ${this.stderr.slice(-2000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  /** Asks it to quit, then kills it if it has not exited. */
  async close(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) {
      this.process.stdin!.end(JSON.stringify({ cmd: "quit" }) + "\n");
      const timer = setTimeout(() => this.process.kill("SIGKILL"), 3000);
      await this.exited;
      clearTimeout(timer);
    }
  }
}

/**
 * The printable ASCII pattern hio-memo-peer.py builds (hio's memos are text).
 * @param length bytes
 * @param salt varies the pattern
 * @returns the bytes
 */
export function hioPattern(length: number, salt = 0): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let index = 0; index < length; index++) bytes[index] = 33 + (((index % 94) * 7 + salt) % 94);
  return bytes;
}
