/**
 * Helpers for io tests: drive readers by hand or inside a hand-stepped Doist.
 */
import { Doist, doify, type Dog } from "../../src/core/index.js";
import type { Reader } from "../../src/io/index.js";

/** Text to bytes. */
export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
/** Bytes to text (latin1-free: tests use ASCII). */
export const text = (data: Uint8Array): string => new TextDecoder().decode(data);

/** The outcome of a reader step: still waiting, returned a value, or threw. */
export type Outcome<T> = { state: "waiting" } | { state: "returned"; value: T } | { state: "threw"; error: unknown };

/**
 * Steps a reader generator by hand (outside any scheduler) once.
 * @param reader the generator
 * @param tyme the tyme to send
 * @returns what happened
 */
export function step<T>(reader: Reader<T>, tyme = 0): Outcome<T> {
  try {
    const result = reader.next(tyme);
    return result.done ? { state: "returned", value: result.value } : { state: "waiting" };
  } catch (error) {
    return { state: "threw", error };
  }
}

/**
 * Runs `body` as the only doer of a hand-stepped Doist and records what it
 * returned or threw. The caller steps it with `recur()` and must `exit()` it.
 */
export class ReaderHarness<T> {
  readonly doist: Doist;
  outcome: Outcome<T> = { state: "waiting" };
  /** Tyme at which the reader finished. */
  finishedAt: number | undefined;
  /** How many times the dog was resumed (to show it slept). */
  resumes = 0;

  /**
   * @param body makes the reader to run (called inside the dog)
   * @param tock the Doist's tock
   */
  constructor(body: () => Reader<T>, tock = 0.125) {
    this.doist = new Doist({ tock });
    const self = this;
    const doer = doify(
      function* (): Dog {
        try {
          const reader = body();
          let result = reader.next(self.doist.tyme);
          while (!result.done) {
            const tyme: number = yield result.value;
            self.resumes++;
            result = reader.next(tyme);
          }
          self.outcome = { state: "returned", value: result.value };
        } catch (error) {
          self.outcome = { state: "threw", error };
        }
        self.finishedAt = self.doist.tyme;
        return true;
      },
      { name: "reader" },
    );
    this.doist.enter([doer]);
  }

  /** Steps `n` passes. */
  recur(n = 1): void {
    for (let i = 0; i < n; i++) this.doist.recur();
  }

  /** Closes the Doist. */
  exit(): void {
    this.doist.exit();
  }
}
