/**
 * Test doers that record every lifecycle context with the tyme it ran at.
 */
import { Doer, doify, type DoFunction, type Tymth } from "../../src/core/index.js";

/** One recorded context: [tyme, label, context]. */
export type Entry = [number | undefined, string, string];

/** Collects entries from many doers into one ordered trace. */
export class Trace {
  readonly entries: Entry[] = [];
  add(tyme: number | undefined, label: string, context: string): void {
    this.entries.push([tyme, label, context]);
  }
  /** Entries of one label, as "tyme context" strings. */
  of(label: string): string[] {
    return this.entries.filter((entry) => entry[1] === label).map(([tyme, , context]) => `${tyme} ${context}`);
  }
  /** All entries as "tyme label context" strings. */
  lines(): string[] {
    return this.entries.map(([tyme, label, context]) => `${tyme} ${label} ${context}`);
  }
}

/** Options of {@link TraceDoer}. */
export interface TraceDoerOptions {
  tock?: number;
  /** Recur count after which recur returns true. Default: never. */
  times?: number;
  /** Throw from recur on this count. */
  failAt?: number;
  /** Throw from enter. */
  failInEnter?: boolean;
}

/** A Doer recording enter, recur, clean, cease, abort and exit. */
export class TraceDoer extends Doer {
  count = 0;
  constructor(
    readonly trace: Trace,
    readonly label: string,
    readonly settings: TraceDoerOptions = {},
  ) {
    super({ tock: settings.tock ?? 0 });
  }
  override enter(): void {
    this.trace.add(this.tyme, this.label, "enter");
    if (this.settings.failInEnter) throw new Error(`${this.label} failed in enter`);
  }
  override recur(tyme: number): boolean {
    this.count += 1;
    this.trace.add(tyme, this.label, "recur");
    if (this.settings.failAt === this.count) throw new Error(`${this.label} failed at ${this.count}`);
    return this.settings.times !== undefined && this.count >= this.settings.times;
  }
  override clean(): void {
    this.trace.add(this.tyme, this.label, "clean");
  }
  override cease(): void {
    this.trace.add(this.tyme, this.label, "cease");
  }
  override abort(): void {
    this.trace.add(this.tyme, this.label, "abort");
  }
  override exit(): void {
    this.trace.add(this.tyme, this.label, "exit");
  }
}

/**
 * A doified generator function recording its contexts the way hio's bareDo
 * template lays them out with try/catch/finally.
 */
export function traceDo(trace: Trace, label: string, times: number, tock = 0): DoFunction {
  return doify(
    function* (tymth: Tymth, tock: number) {
      let completed = false;
      let failed = false;
      try {
        trace.add(tymth(), label, "enter");
        for (let count = 1; count <= times; count++) {
          const tyme = yield tock;
          trace.add(tyme, label, "recur");
        }
        completed = true;
      } catch (error) {
        failed = true;
        trace.add(tymth(), label, "abort");
        throw error;
      } finally {
        if (completed) trace.add(tymth(), label, "clean");
        else if (!failed) trace.add(tymth(), label, "cease");
        trace.add(tymth(), label, "exit");
      }
      return true;
    },
    { name: label, tock },
  );
}
