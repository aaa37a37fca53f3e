/**
 * Nested DoDoers and the lifecycle trace: a Doist runs a DoDoer that runs
 * doers and another DoDoer, plus a doified generator; every doer prints each
 * lifecycle context (enter, recur, clean, cease, exit) with the tyme.
 *
 * ```sh
 * npx tsx examples/hierarchy.ts            # real time: 1 s of tyme takes 1 s
 * npx tsx examples/hierarchy.ts --fast     # as fast as possible, same trace
 * ```
 *
 * ```text
 * Doist "hierarchy" (tock 1/16 s, limit 1 s)
 *  ├─ outer (DoDoer)
 *  │   ├─ outer.tick   (Doer, tock 1/8: recurs twice, then clean, exit)
 *  │   └─ inner (DoDoer)
 *  │       ├─ inner.fast   (Doer, every tick: recurs 3 times)
 *  │       └─ inner.slow   (Doer, tock 1/4: recurs twice)
 *  ├─ watchdog (Doer, tock 1/2: never done; the limit closes it: cease, exit)
 *  └─ heartbeat (doified generator, tock 1/4: never done; the limit closes it)
 * ```
 *
 * What to look for: each DoDoer is done (clean, exit) once all its doers are;
 * `watchdog` and `heartbeat` never are, so the Doist stops at its limit and
 * force-closes them: the Doer `watchdog` gets `cease` (closed before it was
 * done, instead of `clean`) and then `exit`; the generator's `finally` is its
 * exit. The trace is the same in real time and fast.
 *
 * @module
 */
import { pathToFileURL } from "node:url";
import { DoDoer, Doer, Doist, doify, type DoFunction } from "hio-ts";

/** A doer that recurs `times` times and reports each lifecycle context. */
export class Tracer extends Doer {
  #count = 0;

  /**
   * @param label its name in the trace
   * @param times how many recurs until done
   * @param tock seconds between recurs (0: every tick)
   * @param out where to print
   */
  constructor(
    readonly label: string,
    readonly times: number,
    tock: number,
    readonly out: (line: string) => void,
  ) {
    super({ tock });
  }

  override enter(): void {
    this.out(traceLine(this.tyme, this.label, "enter"));
  }

  override recur(tyme: number): boolean {
    this.#count += 1;
    this.out(traceLine(tyme, this.label, `recur ${this.#count}`));
    return this.#count >= this.times;
  }

  override clean(): void {
    this.out(traceLine(this.tyme, this.label, "clean"));
  }

  override cease(): void {
    this.out(traceLine(this.tyme, this.label, "cease"));
  }

  override exit(): void {
    this.out(traceLine(this.tyme, this.label, "exit"));
  }
}

/** A DoDoer that reports its own lifecycle around its children's. */
export class TracingDoDoer extends DoDoer {
  /**
   * @param label its name in the trace
   * @param doers its children
   * @param out where to print
   */
  constructor(
    readonly label: string,
    doers: Doer[],
    readonly out: (line: string) => void,
  ) {
    super({ doers });
  }

  override enter(): void {
    this.out(traceLine(this.tyme, this.label, "enter"));
    super.enter();
  }

  override clean(): void {
    this.out(traceLine(this.tyme, this.label, "clean"));
  }

  override cease(): void {
    this.out(traceLine(this.tyme, this.label, "cease"));
  }

  override exit(): void {
    super.exit(); // children's exits first: exits nest inside enters
    this.out(traceLine(this.tyme, this.label, "exit"));
  }
}

/**
 * Formats one trace line.
 * @param tyme the tyme
 * @param label who
 * @param context what happened
 * @returns e.g. `tyme  0.125  outer.tick   recur 2`
 */
export function traceLine(tyme: number | undefined, label: string, context: string): string {
  return `tyme ${(tyme ?? 0).toFixed(3).padStart(6)}  ${label.padEnd(12)} ${context}`;
}

/**
 * Builds the tree of doers.
 * @param out where the doers print
 * @returns the Doist's doers, the outer DoDoer, the watchdog and the heartbeat
 */
export function hierarchy(out: (line: string) => void): { doers: [DoDoer, Tracer, DoFunction]; outer: DoDoer; watchdog: Tracer; heartbeat: DoFunction } {
  const inner = new TracingDoDoer("inner", [new Tracer("inner.fast", 3, 0, out), new Tracer("inner.slow", 2, 0.25, out)], out);
  const outer = new TracingDoDoer("outer", [new Tracer("outer.tick", 2, 0.125, out), inner], out);
  // Never done: the Doist's limit closes it, so it shows cease (not clean) before exit.
  const watchdog = new Tracer("watchdog", Number.POSITIVE_INFINITY, 0.5, out);
  const heartbeat = doify(
    function* heartbeat(tymth, tock) {
      try {
        out(traceLine(tymth(), "heartbeat", "enter"));
        for (;;) {
          const tyme = yield tock;
          out(traceLine(tyme, "heartbeat", "beat"));
        }
      } finally {
        out(traceLine(tymth(), "heartbeat", "exit"));
      }
    },
    { name: "heartbeat", tock: 0.25 },
  );
  return { doers: [outer, watchdog, heartbeat], outer, watchdog, heartbeat };
}

/**
 * Runs the tree for 1 s of tyme and prints the trace.
 * @param argv `--fast` to run as fast as possible instead of in real time
 * @param out where to print
 * @returns the exit code
 */
export async function main(argv: string[] = process.argv.slice(2), out: (line: string) => void = console.log): Promise<number> {
  const real = !argv.includes("--fast");
  const { doers, outer, watchdog, heartbeat } = hierarchy(out);
  const doist = new Doist({ name: "hierarchy", tock: 0.0625, real, limit: 1, doers });
  out(`Doist(tock 0.0625, ${real ? "real time" : "fast"}, limit 1 s) > outer > inner > doers`);
  out("");
  const done = await doist.do();
  out("");
  out(`done: ${done}; tyme ${doist.tyme}; outer.done ${outer.done}; watchdog.done ${watchdog.done}; heartbeat.done ${heartbeat.done}`);
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main();
