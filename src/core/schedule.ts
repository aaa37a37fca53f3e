/**
 * The deed list that both Doist and DoDoer run: enter, one pass, exit, extend
 * and remove, with hio's exact order and retyme rule. Internal to core.
 *
 * @module
 */
import { AGAIN, CLOSING, context, Deed, ENTERING, FINISHED, GENERATOR_NEXT, WOKEN, type DeedOwner, type DeedView } from "./deed.js";
import { checkDoable, startDog, type Doable } from "./doable.js";
import { DoerError } from "./errors.js";
import type { Tymth } from "./tymist.js";

/** What a schedule asks of the Doist or DoDoer that owns it. */
export interface ScheduleHost {
  /** The tyme base to run on and to inject into dogs. */
  readonly tymth: Tymth;
  /** Seconds added to tyme for a dog that yields 0 or undefined. */
  readonly tock: number;
  /**
   * Called when a deed was woken or added between passes, or when a pass
   * ended with deeds it had gone by woken: the host must run again (in real
   * time, in a wake pass at once).
   */
  hostWake(): void;
  /**
   * Called when a deed was woken during a pass. The host is running (it is
   * inside the pass), so it only marks itself due again at its next pass;
   * whether a wake pass is needed is known when the pass ends.
   */
  hostStir(): void;
  /**
   * Whether removing deeds can end the host. Then a removal between passes
   * wakes it, so a sleeping real-time root looks again (it may be done);
   * false for a DoDoer that is `always` (its removals need no pass).
   */
  readonly endsWhenEmpty: boolean;
}

/** A scheduler's deeds, in order, and the operations on them. */
export class Schedule implements DeedOwner {
  readonly deeds: Deed[] = [];
  /** A pass over these deeds is in progress. */
  passing = false;
  /** The deed whose dog this schedule is running now. */
  current: Deed | undefined = undefined;
  readonly #host: ScheduleHost;
  /** Deeds woken during the current pass: those still woken when it ends need a wake pass. */
  readonly #woken: Deed[] = [];

  constructor(host: ScheduleHost) {
    this.#host = host;
  }

  /** The host's current tyme. */
  get tyme(): number {
    return this.#host.tymth();
  }

  /** Live deeds as read-only views, in order. */
  views(): DeedView[] {
    const views: DeedView[] = [];
    for (const deed of this.deeds) {
      if (!deed.finished) views.push({ dog: deed.dog, retyme: deed.retyme, doer: deed.doer });
    }
    return views;
  }

  /** Number of live deeds. */
  get size(): number {
    let size = 0;
    for (const deed of this.deeds) if (!deed.finished) size++;
    return size;
  }

  /** No live deed is left (stops at the first live one, unlike `size`). */
  get empty(): boolean {
    const deeds = this.deeds;
    for (let index = 0; index < deeds.length; index++) if ((deeds[index]!.flags & FINISHED) === 0) return false;
    return true;
  }

  /** Earliest retyme of a live deed (`Infinity` when none is due ever). */
  earliest(): number {
    let earliest = Number.POSITIVE_INFINITY;
    const deeds = this.deeds;
    for (let index = 0; index < deeds.length; index++) {
      const deed = deeds[index]!;
      if (!deed.finished && deed.retyme < earliest) earliest = deed.retyme;
    }
    return earliest;
  }

  /**
   * Starts each doer and runs its enter context (to the dog's first yield).
   * A dog that returns already is done and gets no deed.
   * @param doers the doers to start, in order
   * @param label how errors name the list, e.g. `doers`
   */
  enter(doers: readonly Doable[], label = "doers"): void {
    for (let index = 0; index < doers.length; index++) checkDoable(doers[index], `${label}[${index}]`);
    const tymth = this.#host.tymth;
    const outside = !this.passing;
    for (const doer of doers) {
      doer.done = false;
      const deed = new Deed(startDog(doer, tymth), tymth(), doer, this);
      let step: IteratorResult<number | undefined, boolean | undefined>;
      deed.flags = ENTERING; // waitFor reads it: the value of this first yield is ignored
      try {
        step = this.#step(deed, undefined);
      } catch (error) {
        deed.flags = FINISHED;
        throw error;
      }
      deed.flags &= ~ENTERING;
      if (step.done) {
        deed.flags = FINISHED;
        doer.done = step.value ? true : false;
        continue;
      }
      if (deed.flags & CLOSING) {
        this.#close(deed);
        continue;
      }
      // Added between passes: in real time it may run in a wake pass at once.
      deed.flags = outside ? WOKEN : 0;
      this.deeds.push(deed);
    }
    if (outside && doers.length > 0) this.#host.hostWake();
  }

  /**
   * Runs each due deed once, in order. A deed is due when its retyme is at or
   * before `tyme`; in a wake pass it must also have been woken. Deeds added
   * during the pass wait for the next one, as in hio.
   *
   * A deed woken during the pass runs later in it if the pass has not reached
   * it yet; otherwise (it was gone by, or woke while running) it is due again
   * at once, and when the pass ends the host is woken, which in real time
   * means a wake pass in the same event-loop turn.
   * @param tyme the tyme to send
   */
  pass(tyme: number): void {
    const deeds = this.deeds;
    const count = deeds.length;
    const tock = this.#host.tock;
    // Literal bits in the loop (FINISHED 1, WOKEN 2, CLOSING 8): an imported
    // constant is a module-cell load per use.
    const need = context.wakePass ? 3 : 1;
    const want = context.wakePass ? 2 : 0;
    const outer = context.schedule;
    const outerCurrent = this.current;
    let kept = 0;
    let index = 0;
    this.passing = true;
    context.schedule = this;
    try {
      for (; index < count; index++) {
        const deed = deeds[index]!;
        const flags = deed.flags;
        const retyme = deed.retyme;
        // Due: not finished, retyme reached, and in a wake pass also woken.
        if ((flags & need) === want && retyme <= tyme) {
          if (flags !== 0) deed.flags = 0;
          this.current = deed;
          const step = deed.native ? GENERATOR_NEXT.call(deed.dog, tyme) : deed.dog.next(tyme);
          const after = deed.flags;
          if (step.done === true) {
            this.#ended(deed, step.value);
            continue;
          }
          if (after === 0) {
            const yielded = step.value;
            // Cumulative retyme (no drift) for a positive tock; otherwise the next tick.
            deed.retyme = (yielded as number) > 0 ? retyme + (yielded as number) : tyme + tock;
          } else if ((after & 8) !== 0) {
            this.#close(deed);
            continue;
          } else {
            // Woken (or a deed below it woken) while it ran: due again now.
            deed.retyme = tyme;
          }
        } else if ((flags & 1) !== 0) continue; // FINISHED: drop it
        if (kept !== index) deeds[kept] = deed;
        kept++;
      }
    } finally {
      this.current = outerCurrent;
      context.schedule = outer;
      if (index < count) {
        // The dog at `index` threw: it has ended. Keep the rest for exit().
        deeds[index]!.flags = FINISHED;
        for (index++; index < count; index++) deeds[kept++] = deeds[index]!;
      }
      for (let added = count; added < deeds.length; added++) deeds[kept++] = deeds[added]!;
      if (deeds.length !== kept) deeds.length = kept; // a length store is a runtime call: skip it when nothing ended
      this.passing = false;
      if (this.#woken.length > 0) this.#settleWakes();
    }
  }

  /** A deed's dog returned: it leaves the deeds and its doer's `done` is set. */
  #ended(deed: Deed, value: boolean | undefined): void {
    deed.flags = FINISHED;
    (deed.doer as Doable).done = value ? true : false;
  }

  /**
   * After a pass: a deed woken during it that has not run since (the pass had
   * gone by it, or it woke while running) needs a wake pass, so the host is
   * woken. Deeds woken before the pass reached them ran in it and need none.
   */
  #settleWakes(): void {
    const woken = this.#woken;
    let behind = false;
    for (let index = 0; index < woken.length; index++) {
      if ((woken[index]!.flags & (WOKEN | FINISHED)) === WOKEN) {
        behind = true;
        break;
      }
    }
    woken.length = 0;
    if (behind) this.#host.hostWake();
  }

  /**
   * Closes every live deed in reverse order of entry, so exits nest inside
   * enters, and empties the list.
   */
  exit(): void {
    const deeds = this.deeds;
    let failure: unknown;
    let failed = false;
    while (deeds.length > 0) {
      const deed = deeds.pop()!;
      if (deed.finished) continue;
      try {
        this.#close(deed);
      } catch (error) {
        if (!failed) {
          failed = true;
          failure = error;
        }
      }
    }
    if (failed) throw failure;
  }

  /**
   * Closes the deeds of `doers` (force-close: cease then exit). A deed whose
   * dog is running now is closed as soon as it yields.
   * @param doers the doers to stop
   */
  remove(doers: readonly object[]): void {
    const deeds = this.deeds;
    const closing: Deed[] = [];
    for (const deed of deeds) {
      if (!deed.finished && doers.includes(deed.doer)) closing.push(deed);
    }
    if (!this.passing) {
      let kept = 0;
      for (const deed of deeds) if (!closing.includes(deed)) deeds[kept++] = deed;
      deeds.length = kept;
      // Removed between passes: a sleeping real-time root must look again (it may be done).
      if (closing.length > 0 && this.#host.endsWhenEmpty) this.#host.hostWake();
    }
    let failure: unknown;
    let failed = false;
    for (let index = closing.length - 1; index >= 0; index--) {
      const deed = closing[index]!;
      if (deed.running) {
        deed.flags |= CLOSING;
        continue;
      }
      try {
        this.#close(deed);
      } catch (error) {
        if (!failed) {
          failed = true;
          failure = error;
        }
      }
    }
    if (failed) throw failure;
  }

  /** Drops every deed without closing it (after a fresh `doers` list is set). */
  clear(): void {
    this.deeds.length = 0;
  }

  /**
   * Makes `deed` due now. Between passes the host is woken at once; during a
   * pass the deed is noted, and the pass's end decides whether the host needs
   * a wake pass (see {@link Schedule.pass}).
   * @param deed one of this schedule's deeds
   */
  wakeDeed(deed: Deed): void {
    const flags = deed.flags;
    if (flags & FINISHED) return;
    const tyme = this.#host.tymth();
    if (deed.retyme > tyme) deed.retyme = tyme;
    deed.flags = flags | WOKEN;
    if (this.passing) {
      if (!(flags & WOKEN)) this.#woken.push(deed);
      this.#host.hostStir();
    } else {
      this.#host.hostWake();
    }
  }

  /**
   * Makes `deed`, running now, due again at the next pass, because a deed
   * below it was woken during a pass; the mark goes up the tree.
   * @param deed one of this schedule's deeds
   */
  stirDeed(deed: Deed): void {
    if (deed.flags & FINISHED) return;
    const tyme = this.#host.tymth();
    if (deed.retyme > tyme) deed.retyme = tyme;
    deed.flags |= AGAIN;
    if (this.passing) this.#host.hostStir();
    else this.#host.hostWake();
  }

  /** Runs one step of `deed`'s dog with this schedule and deed current. */
  #step(deed: Deed, tyme: number | undefined): IteratorResult<number | undefined, boolean | undefined> {
    const outer = context.schedule;
    const outerCurrent = this.current;
    context.schedule = this;
    this.current = deed;
    try {
      return tyme === undefined ? deed.dog.next() : deed.dog.next(tyme);
    } finally {
      this.current = outerCurrent;
      context.schedule = outer;
    }
  }

  #close(deed: Deed): void {
    deed.flags = FINISHED;
    const doer = deed.doer as Doable;
    const outer = context.schedule;
    const outerCurrent = this.current;
    context.schedule = this;
    this.current = deed;
    try {
      const step = deed.dog.return(false);
      if (!step.done) {
        throw new DoerError(`doer ${nameOf(doer)} yielded while being closed; a dog must not yield in finally`);
      }
    } finally {
      this.current = outerCurrent;
      context.schedule = outer;
      doer.done = false;
    }
  }
}

/**
 * Names a doer for error messages.
 * @param doer the doer
 * @returns its `name`, or its class name
 */
export function nameOf(doer: object): string {
  const named = (doer as { name?: unknown }).name;
  if (typeof named === "string" && named.length > 0) return named;
  return doer.constructor?.name ?? "doer";
}
