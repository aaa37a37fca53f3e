/**
 * DoDoer: a scheduler that is itself a doer, so schedulers nest.
 *
 * @module
 */
import { runningDeed, type Deed, type DeedView } from "./deed.js";
import { checkDoables, type Doable } from "./doable.js";
import { describe } from "./validate.js";
import { Doer, type DoerOptions } from "./doer.js";
import { Schedule } from "./schedule.js";
import type { Tymth } from "./tymist.js";

/** Options of {@link DoDoer}. */
export interface DoDoerOptions extends DoerOptions {
  /** The doers it runs, in order. */
  doers?: readonly Doable[];
  /** Keep running when all doers are done, for doers added later. Default false. */
  always?: boolean;
}

/**
 * Runs its own doers like a {@link Doist}, on its parent's tyme base, every
 * time its parent runs it. It is done when all its doers are done, unless
 * `always` keeps it alive for doers added later with `extend`.
 *
 * A child that yields 0 runs again at the DoDoer's next run (as in hio, the
 * child's retyme is `tyme + dodoer.tock`). With tock 0, the DoDoer tells its
 * parent when its earliest child is due instead of asking to run every tick,
 * so a tree of sleeping doers lets a real-time Doist sleep; the trace is the
 * same as if it were polled.
 *
 * @example
 * ```ts
 * const group = new DoDoer({ doers: [first, second] });
 * await new Doist({ doers: [group], limit: 1 }).do();
 * ```
 */
export class DoDoer extends Doer {
  /** The doers it runs, in order. */
  doers: Doable[];
  /** Keep running when all doers are done. */
  always: boolean;
  readonly #schedule: Schedule;
  #active = false;
  /** Its own deed in its parent, while it runs. */
  #deed: Deed | undefined = undefined;

  /**
   * Creates a DoDoer.
   * @param options `doers`, `always`, `tock`, `tymth`, `opts`
   * @throws TypeError when `doers` is not an array, or for an entry that is not a doer
   */
  constructor(options: DoDoerOptions = {}) {
    super(options);
    this.doers = [...checkDoables(options.doers ?? [], "doers")];
    this.always = options.always ?? false;
    const self = this;
    this.#schedule = new Schedule({
      get tymth(): Tymth {
        return self.#tymth();
      },
      get tock(): number {
        return self.tock;
      },
      hostWake: () => this.wake(),
      hostStir: () => {
        // A child woken during this DoDoer's pass: while the DoDoer runs, it
        // is only due again (the pass's end wakes it if a wake pass is needed).
        const deed = self.#deed;
        if (deed === undefined) return;
        if (deed.running) deed.owner.stirDeed(deed);
        else deed.wake();
      },
      get endsWhenEmpty(): boolean {
        return !self.always;
      },
    });
  }

  /** Its running deeds, in order, as `{ dog, retyme, doer }`. */
  get deeds(): DeedView[] {
    return this.#schedule.views();
  }

  override *do(tymth: Tymth, tock?: number, opts?: Record<string, unknown>): ReturnType<Doer["do"]> {
    this.#active = true;
    this.#deed = runningDeed();
    try {
      return yield* super.do(tymth, tock, opts);
    } finally {
      this.#active = false;
      this.#deed = undefined;
      this.#schedule.exit(); // children never outlive their DoDoer, even if exit() was overridden
    }
  }

  /** Enter context: starts every doer and runs its enter context. */
  override enter(): void {
    this.#schedule.enter(this.doers);
  }

  /**
   * Recur context: one pass over its doers at `tyme`.
   * @param tyme the current tyme
   * @returns true when no doer is left
   */
  override recur(tyme: number): boolean {
    this.#schedule.pass(tyme);
    return this.#schedule.empty;
  }

  /** Exit context: force-closes the doers still running, in reverse order. */
  override exit(): void {
    this.#schedule.exit();
  }

  /**
   * Adds doers while running (or before); each is entered at once.
   * @param doers doers to add; ones already present are ignored
   */
  extend(doers: readonly Doable[]): void {
    checkDoables(doers, "doers");
    const list = this.doers;
    if (doers.length === 1) {
      // One doer (a server's new connection): no filtered copy.
      if (list.includes(doers[0]!)) return;
      list.push(doers[0]!);
      if (this.#active) this.#schedule.enter(doers);
      return;
    }
    const added = doers.filter((doer, index) => !list.includes(doer) && doers.indexOf(doer) === index);
    list.push(...added);
    if (this.#active) this.#schedule.enter(added);
  }

  /**
   * Removes doers and force-closes their dogs (cease, then exit). A doer may
   * remove itself or a sibling during a pass.
   * @param doers doers to remove
   */
  remove(doers: readonly object[]): void {
    if (!Array.isArray(doers)) throw new TypeError(`doers must be an array, got ${describe(doers)}`);
    // In place, as hio's list.remove: no new array per removal.
    const list = this.doers;
    const removing = doers === list ? [...doers] : doers; // remove(group.doers): all of them
    let kept = 0;
    for (let index = 0; index < list.length; index++) {
      const doer = list[index]!;
      if (!removing.includes(doer)) list[kept++] = doer;
    }
    list.length = kept;
    this.#schedule.remove(removing);
  }

  protected override nextTock(): number | undefined {
    const tock = super.nextTock();
    if (this.tock > 0 || tock === Number.POSITIVE_INFINITY) return tock;
    const earliest = this.#schedule.earliest();
    const tyme = this.#tymth()();
    return earliest <= tyme ? undefined : earliest - tyme;
  }

  protected override recurring(): boolean {
    return !this.done || this.always;
  }

  #tymth(): Tymth {
    const tymth = this.tymth;
    if (tymth === undefined) throw new TypeError("DoDoer is not wound to a tyme base: run it under a Doist or pass tymth");
    return tymth;
  }
}
