/**
 * Running a scenario on a SimNet: one seed, one run, a failure report that
 * says how to replay it, reruns to a given tyme, and seed sweeps.
 *
 * @module
 */
import { Doist, type Doable } from "../core/index.js";
import { describeDoers } from "./doer-tree.js";
import { SimulationError } from "./errors.js";
import { InvariantDoer } from "./invariants.js";
import { SimNet, type SimNetOptions } from "./sim-net.js";

/** What a scenario's `build` gets. */
export interface SimContext {
  /** The run's seed. */
  readonly seed: number;
  /** The net (first doer). */
  readonly net: SimNet;
  /** The invariant doer (last doer): add checks to it. */
  readonly checks: InvariantDoer;
  /** The Doist that runs everything. */
  readonly doist: Doist;
}

/** What `build` returns: the doers, and optionally a report of the run. */
export type SimBuild<T> =
  | readonly Doable[]
  | {
      /** The doers to run after the net and before the invariant doer. */
      doers: readonly Doable[];
      /** Makes the run's report once it ends; its value becomes the result's `report`. */
      report?: () => T;
    };

/** A program to run under simulation, as a function of the seed. */
export interface SimScenario<T = unknown> {
  /** A name for reports. Default "scenario". */
  name?: string;
  /** Seconds of tyme after which the run stops. */
  limit: number;
  /** Doist tock. Default 1/32 s. */
  tock?: number;
  /** Net options (not the seed). */
  net?: Omit<SimNetOptions, "seed" | "tymth">;
  /** Makes the hosts, links, faults, checks and doers of one run. Called once per run. */
  build(context: SimContext): SimBuild<T>;
  /** Ends the run early when it returns true (checked after every tick). */
  done?(context: SimContext): boolean;
}

/** Options of {@link runSimulation}. */
export interface SimRunOptions {
  /** The seed. Default 0. */
  seed?: number;
  /**
   * Skip ticks at which no doer but the invariant checks is due and no check
   * deadline falls (default true). The trace, failures included, is the same
   * as without skipping, as long as only the net and the doers wake doers
   * and tyme-dependent checks expose `deadline()`.
   */
  fastForward?: boolean;
}

/** The outcome of a run that did not fail. */
export interface SimResult<T> {
  /** The seed. */
  seed: number;
  /** Tyme at which it stopped. */
  tyme: number;
  /** True when every scenario doer finished (or `done` said so) before the limit. */
  finished: boolean;
  /** Ticks actually run (skipped ones not counted). */
  passes: number;
  /** The net, for its stats and trace. */
  net: SimNet;
  /** What the scenario's `report` returned. */
  report: T | undefined;
}

/**
 * One run of a scenario, steppable: `advance(tyme)` runs it to a tyme and
 * leaves it paused there for inspection; `exit()` closes every doer.
 * {@link runSimulation} and {@link rerunSimulation} drive it for you.
 */
export class SimulationRun<T = unknown> implements SimContext {
  /** The scenario. */
  readonly scenario: SimScenario<T>;
  /** The run's seed. */
  readonly seed: number;
  /** The net (first doer). */
  readonly net: SimNet;
  /** The invariant doer (last doer). */
  readonly checks: InvariantDoer;
  /** The Doist that runs everything. */
  readonly doist: Doist;
  /** The scenario's own doers. */
  readonly doers: readonly Doable[];
  /** Ticks run so far. */
  passes = 0;
  readonly #report: (() => T) | undefined;
  readonly #fastForward: boolean;
  #entered = false;
  #exited = false;

  /**
   * Builds the run (calls `scenario.build`) without running anything.
   * @param scenario the scenario
   * @param options `seed`, `fastForward`
   */
  constructor(scenario: SimScenario<T>, options: SimRunOptions = {}) {
    this.scenario = scenario;
    this.seed = options.seed ?? 0;
    this.#fastForward = options.fastForward ?? true;
    this.net = new SimNet({ ...scenario.net, seed: this.seed });
    this.checks = new InvariantDoer({ seed: this.seed });
    this.doist = new Doist({ name: scenario.name ?? "scenario", signals: false, ...(scenario.tock === undefined ? {} : { tock: scenario.tock }) });
    this.net.wind(this.doist.tymen());
    const built = scenario.build(this);
    const doers = Array.isArray(built) ? built : (built as { doers: readonly Doable[] }).doers;
    this.#report = Array.isArray(built) ? undefined : (built as { report?: () => T }).report;
    this.doers = [...doers];
  }

  /** The current tyme. */
  get tyme(): number {
    return this.doist.tyme;
  }

  /** Every scenario doer has finished. */
  get finished(): boolean {
    for (const deed of this.doist.deeds) if (deed.doer !== this.net && deed.doer !== this.checks) return false;
    return this.#entered;
  }

  /**
   * Runs until tyme `until`, the scenario's end, or a failure.
   * @param until the tyme to stop at (the pass at `until` is not run)
   * @returns true when the scenario finished
   * @throws SimulationError with the seed, tyme and live doers when anything throws
   */
  async advance(until: number): Promise<boolean> {
    const doist = this.doist;
    try {
      if (!this.#entered) {
        this.#entered = true;
        doist.enter([this.net, ...this.doers, this.checks]);
      }
      while (doist.tyme < until) {
        doist.recur();
        this.passes++;
        await settle(); // promise callbacks (serial bindings) run between ticks, as under doist.do()
        if (this.finished || this.scenario.done?.(this) === true) return true;
        if (this.#fastForward) {
          // Skip ticks at which only the checks would run and no check deadline falls.
          let earliest = this.checks.nextDeadline();
          for (const deed of doist.deeds) if (deed.doer !== this.checks && deed.retyme < earliest) earliest = deed.retyme;
          while (doist.tyme < earliest && doist.tyme < until) doist.tick();
        }
      }
      return this.finished;
    } catch (error) {
      throw this.#failure(error);
    }
  }

  /**
   * Runs the final checks and closes every doer (in reverse order). Safe to call twice.
   * @throws SimulationError when a final check or an exit fails
   */
  finish(): void {
    if (this.#exited) return;
    try {
      this.checks.checkFinal(this.doist.tyme);
    } catch (error) {
      throw this.#failure(error);
    }
    this.exit();
  }

  /** Closes every doer without the final checks. Safe to call twice. */
  exit(): void {
    if (this.#exited) return;
    this.#exited = true;
    this.doist.exit();
  }

  /** The report of the scenario, if it gave one. */
  report(): T | undefined {
    return this.#report?.();
  }

  #failure(error: unknown): SimulationError {
    if (error instanceof SimulationError) return error;
    const tree = describeDoers(this.doist, 2);
    const failure = new SimulationError(this.scenario.name ?? "scenario", this.seed, this.doist.tyme, tree, error);
    try {
      this.exit();
    } catch {
      // the first failure is the one to report
    }
    return failure;
  }
}

/**
 * Runs a scenario once with a seed, to its limit or its end, then runs the
 * final checks and closes everything.
 * @param scenario the scenario
 * @param options `seed`, `fastForward`
 * @returns the outcome
 * @throws SimulationError naming the seed, the tyme and the live doers when anything fails
 * @example
 * ```ts
 * const result = await runSimulation({
 *   name: "lossy echo",
 *   limit: 10,
 *   net: { conditions: { loss: 0.1, latency: 0.02 } },
 *   build: ({ net, checks }) => echoScenario(net, checks),
 * }, { seed: 42 });
 * ```
 */
export async function runSimulation<T>(scenario: SimScenario<T>, options: SimRunOptions = {}): Promise<SimResult<T>> {
  const run = new SimulationRun(scenario, options);
  const finished = await run.advance(scenario.limit);
  run.finish();
  return { seed: run.seed, tyme: run.tyme, finished, passes: run.passes, net: run.net, report: run.report() };
}

/**
 * Reruns a scenario with a seed up to a tyme (typically one a
 * {@link SimulationError} reported) and leaves it paused there, so the net,
 * the doers and their rings can be inspected. Call `exit()` when done.
 * @param scenario the scenario that failed
 * @param options `seed` and `until` (the failing tyme: the run stops just before that pass)
 * @returns the paused run
 * @throws SimulationError if it fails before `until`
 */
export async function rerunSimulation<T>(scenario: SimScenario<T>, options: SimRunOptions & { until: number }): Promise<SimulationRun<T>> {
  const run = new SimulationRun(scenario, options);
  await run.advance(options.until);
  return run;
}

/** The outcome of {@link sweepSeeds}. */
export interface SweepResult {
  /** Runs made. */
  runs: number;
  /** The failures, one per failing seed. */
  failures: SimulationError[];
  /** Wall-clock milliseconds the sweep took. */
  wallMs: number;
}

/**
 * Runs a scenario once per seed and collects the failures instead of
 * stopping at the first.
 * @param scenario the scenario
 * @param seeds the seeds
 * @returns runs, failures and wall time
 */
export async function sweepSeeds(scenario: SimScenario, seeds: Iterable<number>): Promise<SweepResult> {
  const started = performance.now();
  const failures: SimulationError[] = [];
  let runs = 0;
  for (const seed of seeds) {
    runs++;
    try {
      await runSimulation(scenario, { seed });
    } catch (error) {
      if (error instanceof SimulationError) failures.push(error);
      else throw error;
    }
  }
  return { runs, failures, wallMs: performance.now() - started };
}

function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
