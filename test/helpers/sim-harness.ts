/**
 * Helpers for the simulation tests: a hand-stepped Doist around a SimNet,
 * and text helpers.
 */
import { Doist, doify, waitFor, type Doable, type DoFunction, type Signal } from "../../src/core/index.js";
import { SimNet, type SimNetOptions } from "../../src/sim/index.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encodes text as UTF-8. */
export const bytes = (text: string): Uint8Array => encoder.encode(text);
/** Decodes UTF-8. */
export const text = (data: Uint8Array): string => decoder.decode(data);

/** A Doist with a SimNet first, stepped by hand. */
export class SimBench {
  readonly net: SimNet;
  readonly doist: Doist;
  #entered = false;

  constructor(options: SimNetOptions & { tock?: number } = {}) {
    const { tock, ...netOptions } = options;
    this.net = new SimNet(netOptions);
    this.doist = new Doist({ tock: tock ?? 0.01, signals: false });
    this.net.wind(this.doist.tymen());
  }

  /** Adds doers (entered at once when running). */
  add(...doers: Doable[]): void {
    if (this.#entered) this.doist.extend(doers);
    else this.doist.doers.push(...doers);
  }

  /** Enters (net first) if not yet, then runs one pass and ticks. */
  step(): void {
    if (!this.#entered) {
      this.#entered = true;
      this.doist.enter([this.net, ...this.doist.doers.filter((doer) => doer !== this.net)]);
    }
    this.doist.recur();
  }

  /** Steps until `condition` holds or `limit` seconds of tyme pass; returns whether it held. */
  until(condition: () => boolean, limit = 60): boolean {
    const stop = this.doist.tyme + limit;
    while (!condition()) {
      if (this.doist.tyme >= stop) return false;
      this.step();
    }
    return true;
  }

  /** Steps until tyme reaches `tyme`. */
  runTo(tyme: number): void {
    while (this.doist.tyme < tyme) this.step();
  }

  /** Like `until`, but awaits a macrotask between ticks so promise callbacks (serial bindings) run. */
  async untilAsync(condition: () => boolean, limit = 60): Promise<boolean> {
    const stop = this.doist.tyme + limit;
    while (!condition()) {
      if (this.doist.tyme >= stop) return false;
      this.step();
      await new Promise((resolve) => setImmediate(resolve));
    }
    return true;
  }

  /** Closes every doer. */
  close(): void {
    if (this.#entered) this.doist.exit();
    this.#entered = false;
  }
}

/** A doer that waits on `signal` and runs `body` every time, until it returns true. */
export function onSignal(name: string, signal: () => Signal, body: (tyme: number) => boolean | void): DoFunction {
  return doify(
    function* watcher(tymth) {
      for (;;) {
        if (body(tymth()) === true) return true;
        yield* waitFor(signal());
      }
    },
    { name },
  );
}
