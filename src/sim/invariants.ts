/**
 * Invariant doers: checks that run every tick and fail the run, with its
 * seed, the moment one breaks.
 *
 * @module
 */
import { Doer } from "../core/index.js";
import { InvariantError } from "./errors.js";

/**
 * A check: returns `true` (or nothing) while the invariant holds, and `false`
 * or a description of what is wrong when it breaks.
 *
 * A check whose verdict can change with tyme alone (a deadline) should carry
 * a `deadline()` giving the next tyme at which it could break: the
 * simulation harness then skips idle ticks without skipping that one.
 */
export type InvariantCheck = ((tyme: number) => boolean | string | undefined | void) & {
  /** Next tyme at which the verdict could change with no event (`Infinity`: never). */
  deadline?: () => number;
};

/** Options of {@link InvariantDoer}. */
export interface InvariantDoerOptions {
  /** The run's seed, put in every failure. Default 0. */
  seed?: number;
  /** Checks to start with, by name. */
  checks?: Record<string, InvariantCheck>;
}

/**
 * Runs its checks every tick (tock 0) and throws an {@link InvariantError}
 * naming the check, the seed and the tyme as soon as one breaks. Put it
 * **last** in the Doist's doers, so it sees the state after every other doer
 * ran. Final checks (`addFinal`) run once, when the run ends, through
 * `checkFinal` (the simulation harness calls it).
 *
 * @example
 * ```ts
 * const checks = new InvariantDoer({ seed: net.seed });
 * checks.add("no byte lost", () => ledger.check());
 * checks.add("answered within 2 s", requests.within(2));
 * checks.addFinal("all delivered", () => ledger.settled());
 * ```
 */
export class InvariantDoer extends Doer {
  /** The run's seed. */
  seed: number;
  readonly #checks: [string, InvariantCheck][] = [];
  readonly #finals: [string, InvariantCheck][] = [];

  /**
   * Creates the doer.
   * @param options `seed`, `checks`
   */
  constructor(options: InvariantDoerOptions = {}) {
    super({ tock: 0 });
    this.seed = options.seed ?? 0;
    for (const [name, check] of Object.entries(options.checks ?? {})) this.add(name, check);
  }

  /** Names of the checks, every-tick ones first. */
  get names(): string[] {
    return [...this.#checks.map(([name]) => name), ...this.#finals.map(([name]) => name)];
  }

  /**
   * Adds a check that runs every tick.
   * @param name how failures name it
   * @param check the check
   * @returns this, to chain
   */
  add(name: string, check: InvariantCheck): this {
    if (typeof check !== "function") throw new TypeError(`check must be a function, got ${typeof check}`);
    this.#checks.push([name, check]);
    return this;
  }

  /**
   * Adds a check that runs once at the end of the run.
   * @param name how failures name it
   * @param check the check
   * @returns this, to chain
   */
  addFinal(name: string, check: InvariantCheck): this {
    if (typeof check !== "function") throw new TypeError(`check must be a function, got ${typeof check}`);
    this.#finals.push([name, check]);
    return this;
  }

  /**
   * The earliest `deadline()` among the every-tick checks.
   * @returns a tyme, or `Infinity` when no check waits on tyme
   */
  nextDeadline(): number {
    let earliest = Number.POSITIVE_INFINITY;
    for (const [, check] of this.#checks) {
      const deadline = check.deadline?.() ?? Number.POSITIVE_INFINITY;
      if (deadline < earliest) earliest = deadline;
    }
    return earliest;
  }

  /**
   * Runs every-tick checks.
   * @param tyme the current tyme
   * @returns false: it runs until the run ends
   * @throws InvariantError for the first check that breaks
   */
  override recur(tyme: number): boolean {
    run(this.#checks, tyme, this.seed);
    return false;
  }

  /**
   * Runs the every-tick checks once more, then the final checks.
   * @param tyme the tyme the run ended at
   * @throws InvariantError for the first check that breaks
   */
  checkFinal(tyme: number): void {
    run(this.#checks, tyme, this.seed);
    run(this.#finals, tyme, this.seed);
  }
}

function run(checks: readonly [string, InvariantCheck][], tyme: number, seed: number): void {
  for (let index = 0; index < checks.length; index++) {
    const [name, check] = checks[index]!;
    const verdict = check(tyme);
    if (verdict === false) throw new InvariantError(name, seed, tyme, "check returned false");
    if (typeof verdict === "string") throw new InvariantError(name, seed, tyme, verdict);
  }
}
