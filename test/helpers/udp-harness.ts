/**
 * Test harness for the UDP layer: bounded waits on conditions (never fixed
 * sleeps), a hand-stepped Doist loop that lets socket I/O happen between
 * passes, a seeded PRNG, and a cleanup list closed in afterEach.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { Doist } from "../../src/core/index.js";
import { PeerDoer, readMemo, type Memo, type Memoer, type Peer } from "../../src/udp/index.js";

/** Lets the event loop run one turn (I/O, timers, immediates). */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Waits until `condition` holds, letting the event loop run between checks.
 * @param condition what to wait for
 * @param what how the failure message names it
 * @param ms the bound (wall clock) after which it throws
 */
export async function until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await nextTurn();
  }
}

/**
 * Steps a hand-driven Doist (one `recur()` per event-loop turn) until
 * `condition` holds.
 * @param doist an entered Doist
 * @param condition what to wait for
 * @param what how the failure message names it
 * @param ms the wall-clock bound
 * @returns the number of passes it took
 */
export async function stepUntil(doist: Doist, condition: () => boolean, what: string, ms = 5000): Promise<number> {
  const end = performance.now() + ms;
  let passes = 0;
  while (!condition()) {
    if (performance.now() > end) throw new Error(`timed out after ${ms} ms (${passes} passes) waiting for ${what}`);
    doist.recur();
    passes++;
    await nextTurn();
  }
  return passes;
}

/**
 * A seeded PRNG (mulberry32): the same seed gives the same sequence, so a
 * lossy-network test is reproducible.
 * @param seed any 32-bit integer
 * @returns a function giving floats in [0, 1)
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Things to close after each test, closed in reverse order of registration. */
export class Cleanup {
  readonly #closers: (() => unknown)[] = [];

  /**
   * Registers something to close.
   * @param thing the resource
   * @param close how to close it (may return a promise)
   * @returns the resource
   */
  add<T>(thing: T, close: (thing: T) => unknown): T {
    this.#closers.push(() => close(thing));
    return thing;
  }

  /** Closes everything registered, newest first, and forgets it. */
  async run(): Promise<void> {
    const errors: unknown[] = [];
    while (this.#closers.length > 0) {
      const close = this.#closers.pop()!;
      try {
        await close();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw errors[0];
  }
}

/** A child process with its output collected. */
export interface Child {
  readonly process: ChildProcess;
  stdout: string;
  stderr: string;
  /** Resolves with the exit code (or signal name) once it has exited. */
  readonly exited: Promise<number | string>;
}

/**
 * Spawns a peer program (socat, nc, ...) and registers it for cleanup.
 * @param cleanup where to register the kill
 * @param command the program
 * @param args its arguments
 * @returns the running child
 */
export function spawnChild(cleanup: Cleanup, command: string, args: string[]): Child {
  const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"] });
  const result: Child = {
    process: child,
    stdout: "",
    stderr: "",
    exited: new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown"))),
  };
  child.stdout!.on("data", (chunk: Buffer) => (result.stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (result.stderr += chunk.toString()));
  child.on("error", (error) => (result.stderr += `spawn error: ${error.message}`));
  cleanup.add(result, async (running) => {
    if (running.process.exitCode === null && running.process.signalCode === null) running.process.kill("SIGTERM");
    await running.exited;
  });
  return result;
}

/**
 * A hand-stepped Doist whose PeerDoer services `peer` and `memoer` and
 * collects every memo read, in order (the far end of the interop tests).
 * @param peer the peer, not yet opened (the PeerDoer opens it)
 * @param memoer the Memoer over `peer`
 * @param cleanup where the Doist's exit is registered
 * @returns the collected memos and the entered Doist
 */
export function collectMemos(peer: Peer, memoer: Memoer, cleanup: Cleanup): { memos: Memo[]; doist: Doist } {
  const memos: Memo[] = [];
  const doer = new PeerDoer({
    peer,
    memoer,
    handler: function* collect() {
      for (;;) memos.push(yield* readMemo(memoer));
    },
  });
  const doist = cleanup.add(new Doist({ tock: 0.01, doers: [doer] }), (it) => it.exit());
  doist.enter();
  return { memos, doist };
}
