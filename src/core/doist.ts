/**
 * Doist: the root scheduler, and the loop that runs it on Node.
 *
 * @module
 */
import { AsyncResource } from "node:async_hooks";
import { context, type DeedView, type Waker } from "./deed.js";
import { checkDoables, type Doable } from "./doable.js";
import { Schedule } from "./schedule.js";
import { Tymist } from "./tymist.js";
import { checkFinite, checkSeconds, describe } from "./validate.js";
import { abortError, checkAbortSignal } from "./abort.js";

/** Options of {@link Doist}. */
export interface DoistOptions {
  /** A name for logs and errors. Default "doist". */
  name?: string;
  /** Initial tyme in seconds. Default 0. */
  tyme?: number;
  /** Seconds per tick. Default 1/32. */
  tock?: number;
  /** Keep tyme in step with the wall clock. Default false: as fast as possible. */
  real?: boolean;
  /** Seconds of tyme after which `do()` stops; 0 or undefined: no limit. */
  limit?: number | undefined;
  /** The doers it runs, in order. */
  doers?: readonly Doable[];
  /**
   * On SIGINT or SIGTERM during `do()`: stop, run every exit, resolve, then
   * raise the signal again so the process ends as Node would have ended it
   * (unless something else listens for it). Default true.
   */
  signals?: boolean;
  /**
   * Seconds a SIGTERM lets doers shut down gracefully before the Doist
   * stops (see {@link Doist.shutdownGrace}). Default 5; 0: SIGTERM stops at
   * once, as SIGINT does.
   */
  shutdownGrace?: number;
}

/**
 * A doer that can shut down gracefully (a `ServerDoer` is one): on SIGTERM a
 * Doist calls `shutdown(grace)` on each of its doers that has such a method
 * (duck-typed) and keeps running until every returned promise settles.
 */
export interface GracefulDoer {
  /**
   * Finishes the doer's work within `grace` seconds (stop taking new work,
   * let what runs end, then force-close the rest).
   * @param grace seconds to finish in
   * @returns settles once the doer is done
   */
  shutdown(grace: number): Promise<unknown>;
}

/** Options of {@link Doist.do}. */
export interface DoistDoOptions {
  /** Replace the doers (and drop the old deeds). */
  doers?: readonly Doable[];
  /** Replace the limit. */
  limit?: number;
  /** Restart from this tyme. */
  tyme?: number;
  /**
   * Stops the run when it aborts, as SIGINT does: every exit runs, then
   * `do()` rejects with an `AbortError` whose `cause` is the signal's reason.
   */
  signal?: AbortSignal | undefined;
}

/** Why `do()` stops early: a process signal, an AbortSignal, or a dispose. */
type StopSignal = "SIGINT" | "SIGTERM" | "abort" | "dispose";

/** Longest single sleep, so a sleeping Doist keeps the process alive. */
const MAX_SLEEP_MS = 60_000;

/**
 * Most wake passes run back to back in one event-loop turn; after that the
 * Doist yields with `setImmediate`, so a deed that wakes itself forever
 * cannot starve Node's event loop (timers, sockets, signals).
 */
export const MAX_WAKE_PASSES = 16;

/** Settled once: `.then` on it queues a microtask. */
const RESOLVED = Promise.resolve();

// Phases of the real-time loop.
/** Not running in real time. */
const IDLE = 0;
/** Running a pass or planning the next sleep. */
const BUSY = 1;
/** Sleeping until `#sleepAt` or a wake. */
const ASLEEP = 2;
/** The deeds are gone: waiting out the last tick; wakes do not end it. */
const ENDING = 3;
/** Waiting for a setImmediate, so Node's event loop gets a turn. */
const YIELDING = 4;

/**
 * The root scheduler. It owns the tyme base, runs its doers' dogs in a fixed
 * order on that tyme, and closes them on every path.
 *
 * Step it by hand in tests with `enter()`, `recur()` (one pass, then a tick)
 * and `exit()`, or run it with `do()`, which returns a Promise and yields to
 * Node's event loop between ticks so socket events are delivered.
 *
 * In real time (`real: true`) tyme advances in whole tocks and never runs
 * ahead of the wall clock; a late tick is made up, not skipped, so a real run
 * gives the same trace as a non-real one. Between passes it sleeps until the
 * earliest deed is due, at any depth, instead of waking every tock; when I/O
 * wakes a deed (`wake()`) it runs that deed at once, in a wake pass at the
 * current tyme that runs only woken deeds.
 *
 * @example
 * ```ts
 * const hello = doify(function* (tymth) {
 *   console.log("hello at", tymth());
 *   yield 0.5;
 *   console.log("bye at", tymth());
 *   return true;
 * });
 * await new Doist({ doers: [hello], tock: 0.25, real: true }).do();
 * ```
 */
export class Doist extends Tymist implements Waker {
  /** A name for logs and errors. */
  name: string;
  /** Keep tyme in step with the wall clock. */
  real: boolean;
  /** `undefined` before `do()`; `true` when all deeds completed; `false` when stopped by limit, error or signal. */
  done: boolean | undefined = undefined;
  /** The doers it runs, in order. */
  doers: Doable[];
  /** Whether `do()` handles SIGINT and SIGTERM. */
  signals: boolean;
  /**
   * Seconds a SIGTERM during `do()` gives doers to shut down gracefully:
   * the Doist calls `shutdown(shutdownGrace)` on each of its doers (the ones
   * in `doers`, not nested ones) that has a `shutdown` method (a
   * {@link GracefulDoer}, e.g. a `ServerDoer`: stop accepting, let handlers
   * finish, flush, FIN), keeps running until all of them are done or
   * `shutdownGrace` seconds of wall clock have passed, then stops as on any
   * signal (every exit runs, then the signal is raised again, so the process
   * ends by SIGTERM, exit status 143). A second SIGTERM stops at once. 0, or
   * no doer with `shutdown`: SIGTERM stops at once. SIGINT always stops at once.
   */
  shutdownGrace: number;
  readonly #schedule: Schedule;
  #limit: number | undefined;
  #wakePending = false;
  /** Wake passes run since the loop last yielded to the event loop's next turn. */
  #wakeStreak = 0;
  // The real-time loop (#runReal) is driven by callbacks, not awaits, so a
  // wake reaches the woken deed in one microtask and a sleep allocates nothing.
  /** Where the real-time loop is: IDLE, BUSY, ASLEEP, ENDING or YIELDING. */
  #phase = IDLE;
  /** Tyme at which the real-time run stops, if limited. */
  #stop: number | undefined;
  /** Tyme and wall clock (ms, performance.now) at the start of the real-time run. */
  #startTyme = 0;
  #startReal = 0;
  /** Tyme, tock and earliest retyme when the current sleep began. */
  #last = 0;
  #lastTock = 0;
  #due = 0;
  /** Wall clock (ms) at which the current sleep ends (Infinity: only a wake ends it). */
  #sleepAt = 0;
  /** The sleep timer, kept armed across wakes while its deadline still fits. */
  #timer: NodeJS.Timeout | undefined;
  /** The deadline (wall clock, ms) `#timer` is armed for (Infinity when none is). */
  #timerAt = Number.POSITIVE_INFINITY;
  #immediate: NodeJS.Immediate | undefined;
  /** Whether the sleep that a pending setImmediate ends counts as woken. */
  #yieldWoken = false;
  /** A microtask to run the wake pass is queued. */
  #wakeQueued = false;
  /** Settles the promise of the real-time run. */
  #settle: ((error: unknown, failed: boolean) => void) | undefined;
  readonly #onTimer = (): void => this.#timerFired();
  /** The microtask a wake queued: ends an (interruptible) sleep at once. */
  readonly #wakeTask = (): void => {
    this.#wakeQueued = false;
    if (this.#phase !== ASLEEP) return;
    this.#wakePending = false;
    this.#awake(true);
  };
  /** `#wakeTask` in the async context of the `do()` call (see #runReal). */
  #onWake: () => void = this.#wakeTask;
  /**
   * Wakes the Doist (its schedule's `hostWake`, `wake()`, a stop signal).
   * During a pass there is no sleep to cut (unless `force`); the schedule
   * tells at the pass's end whether it left woken deeds behind (then this
   * runs again). Asleep: the wake pass runs in a microtask, right after the
   * caller (an I/O callback, a timer) returns, never inside it. In other
   * phases the loop sees `#wakePending` when it next plans. One function
   * (not a method behind an arrow): a wake from I/O runs as little code as
   * it can.
   */
  readonly #hostWake = (force?: boolean): void => {
    if (this.#schedule.passing && force !== true) return;
    this.#wakePending = true;
    if (this.#phase === ASLEEP && !this.#wakeQueued) {
      this.#wakeQueued = true;
      // A resolved promise's reaction: the same microtask as queueMicrotask
      // without the AsyncResource and bound function Node makes for each one.
      RESOLVED.then(this.#onWake);
    }
  };
  readonly #onImmediate = (): void => this.#immediateRan();
  #stopSignal: StopSignal | undefined;
  /** A SIGTERM that is shutting doers down gracefully (the run goes on meanwhile). */
  #graceSignal: "SIGTERM" | undefined;
  #running = false;
  #run: Promise<void> | undefined;

  /**
   * Creates a Doist.
   * @param options `name`, `tyme`, `tock`, `real`, `limit`, `doers`, `signals`
   * @throws TypeError/RangeError naming the option that is wrong
   */
  constructor(options: DoistOptions = {}) {
    super({ ...(options.tyme === undefined ? {} : { tyme: options.tyme }), ...(options.tock === undefined ? {} : { tock: options.tock }) });
    this.name = options.name ?? "doist";
    this.real = options.real ?? false;
    this.limit = options.limit;
    this.signals = options.signals ?? true;
    this.shutdownGrace = checkSeconds("shutdownGrace", options.shutdownGrace ?? 5);
    this.doers = [...checkDoables(options.doers ?? [], "doers")];
    const self = this;
    this.#schedule = new Schedule({
      tymth: this.tymen(),
      get tock(): number {
        return self.tock;
      },
      hostWake: this.#hostWake,
      hostStir: () => {}, // the root is in its pass; the pass's end says if a wake pass is needed
      endsWhenEmpty: true,
    });
  }

  /** Seconds of tyme after which `do()` stops, or undefined for none. */
  get limit(): number | undefined {
    return this.#limit;
  }

  /** Sets the limit in seconds of tyme; 0 or undefined: none. */
  set limit(limit: number | undefined) {
    this.#limit = limit === undefined || limit === 0 ? undefined : checkSeconds("limit", limit);
  }

  /** The running deeds, in order, as `{ dog, retyme, doer }`. */
  get deeds(): DeedView[] {
    return this.#schedule.views();
  }

  /**
   * Enter context: starts each doer (default: `this.doers`), runs its enter
   * context and adds a deed due now. Doers given here join `this.doers`.
   * @param doers doers to enter
   * @throws TypeError for an entry that is not a doer; whatever an enter throws
   */
  enter(doers?: readonly Doable[]): void {
    if (doers !== undefined && doers !== this.doers) {
      checkDoables(doers, "doers");
      for (const doer of doers) if (!this.doers.includes(doer)) this.doers.push(doer);
    }
    this.#schedule.enter(doers ?? this.doers);
  }

  /** Recur context: one pass over the deeds at the current tyme, then one tick. */
  recur(): void {
    this.#pass(false);
    this.tick();
  }

  /** Exit context: force-closes the deeds left, in reverse order of entry. */
  exit(): void {
    this.#schedule.exit();
  }

  /**
   * Adds doers while running (or before); each is entered at once and first
   * recurs at the next pass.
   * @param doers doers to add; ones already present are ignored
   */
  extend(doers: readonly Doable[]): void {
    checkDoables(doers, "doers");
    const added = doers.filter((doer, index) => !this.doers.includes(doer) && doers.indexOf(doer) === index);
    this.doers.push(...added);
    this.#schedule.enter(added);
  }

  /**
   * Removes doers and force-closes their dogs (cease, then exit), even from
   * inside a running doer (a doer may remove itself).
   * @param doers doers to remove
   */
  remove(doers: readonly object[]): void {
    if (!Array.isArray(doers)) throw new TypeError(`doers must be an array, got ${describe(doers)}`);
    this.doers = this.doers.filter((doer) => !doers.includes(doer));
    this.#schedule.remove(doers);
  }

  /**
   * Asks each doer with a `shutdown` method to shut down within
   * `shutdownGrace` (none when it is 0).
   * @returns their promises (empty: nothing shuts down gracefully)
   */
  #shutdownDoers(): Promise<unknown>[] {
    const shutdowns: Promise<unknown>[] = [];
    if (this.shutdownGrace === 0) return shutdowns;
    for (const doer of this.doers) {
      const shutdown = (doer as Partial<GracefulDoer>).shutdown;
      if (typeof shutdown !== "function") continue;
      try {
        shutdowns.push(Promise.resolve(shutdown.call(doer, this.shutdownGrace)));
      } catch (error) {
        shutdowns.push(Promise.reject(error));
      }
    }
    return shutdowns;
  }

  /**
   * Cuts a real-time sleep short, so woken deeds run at once: in a microtask
   * after the caller (e.g. an I/O callback) returns, never inside `wake()`.
   */
  wake(): void {
    this.#hostWake();
  }

  /**
   * Runs the doers to completion: enter, then recur until no deeds are left
   * or `limit` seconds of tyme have passed, then exit, on every path.
   * @param options `doers`, `limit`, `tyme`, `signal`
   * @returns resolves with `done` (true when every deed completed); rejects
   *   with the error a doer threw, after every exit ran, or with an
   *   AbortError (`cause`: the reason) when `signal` aborted the run
   */
  async do(options: DoistDoOptions = {}): Promise<boolean> {
    if (this.#running) throw new Error(`Doist ${this.name} is already running`);
    if (options.doers !== undefined) {
      checkDoables(options.doers, "doers");
      this.doers = [...options.doers];
      this.#schedule.clear();
    }
    if (options.limit !== undefined) this.limit = options.limit;
    if (options.tyme !== undefined) this.tyme = checkFinite("tyme", options.tyme);
    const abort = checkAbortSignal("signal", options.signal);
    if (abort?.aborted === true) throw abortError(abort, `doist ${this.name}`);
    this.done = false;
    this.#running = true;
    this.#stopSignal = undefined;
    this.#graceSignal = undefined;
    let finished!: () => void;
    this.#run = new Promise<void>((resolve) => (finished = resolve));
    const onSignal = (signal: StopSignal) => {
      this.#stopSignal = signal;
      this.#hostWake(true);
    };
    const onInt = () => onSignal("SIGINT");
    let graceTimer: NodeJS.Timeout | undefined;
    const onTerm = () => {
      if (this.#graceSignal !== undefined) return onSignal("SIGTERM"); // a second SIGTERM: stop now
      const shutdowns = this.#shutdownDoers();
      if (shutdowns.length === 0) return onSignal("SIGTERM");
      // Graceful: keep running while the doers shut down, then stop as on a signal.
      this.#graceSignal = "SIGTERM";
      const stop = () => {
        clearTimeout(graceTimer);
        if (this.#running && this.#stopSignal === undefined) onSignal("SIGTERM");
      };
      graceTimer = setTimeout(stop, this.shutdownGrace * 1000);
      void Promise.allSettled(shutdowns).then(stop);
      this.#hostWake(true);
    };
    const onAbort = () => onSignal("abort");
    abort?.addEventListener("abort", onAbort, { once: true });
    if (this.signals) {
      process.on("SIGINT", onInt);
      process.on("SIGTERM", onTerm);
    }
    try {
      this.enter();
      const stop = this.#limit === undefined ? undefined : this.tyme + this.#limit;
      if (this.real) await this.#runReal(stop);
      else await this.#runFast(stop);
    } finally {
      try {
        this.exit();
      } finally {
        this.#running = false;
        this.#run = undefined;
        finished();
        this.#cancelSleep();
        clearTimeout(graceTimer);
        abort?.removeEventListener("abort", onAbort);
        if (this.signals) {
          process.removeListener("SIGINT", onInt);
          process.removeListener("SIGTERM", onTerm);
        }
        // A graceful SIGTERM whose doers all ended also ends the process by it.
        const signal = this.#stopSignal ?? this.#graceSignal;
        if ((signal === "SIGINT" || signal === "SIGTERM") && process.listenerCount(signal) === 0) {
          // Exits have run; end the process the way the signal would have.
          setImmediate(() => process.kill(process.pid, signal));
        }
      }
    }
    if (this.#stopSignal === "abort" && abort !== undefined && !this.done) throw abortError(abort, `doist ${this.name}`);
    return this.done;
  }

  /**
   * Stops it for `using`: a running `do()` stops as on SIGINT (every exit
   * runs at its next turn); a Doist stepped by hand exits at once.
   */
  [Symbol.dispose](): void {
    if (this.#running) {
      this.#stopSignal ??= "dispose";
      this.#hostWake(true);
    } else this.exit();
  }

  /**
   * Stops it for `await using`, and resolves once a running `do()` has run
   * every exit (its result or error is left to whoever awaits `do()`).
   * @returns resolves when it is stopped
   */
  async [Symbol.asyncDispose](): Promise<void> {
    const running = this.#run;
    this[Symbol.dispose]();
    if (running !== undefined)
      await running.then(
        () => undefined,
        () => undefined,
      );
  }

  async #runFast(stop: number | undefined): Promise<void> {
    for (;;) {
      this.recur();
      if (this.#schedule.empty) {
        this.done = true;
        return;
      }
      if (stop !== undefined && this.tyme >= stop) return;
      await immediate();
      if (this.#stopSignal !== undefined) return;
    }
  }

  /**
   * The real-time loop: a pass, then sleep until the first tick at which a
   * deed is due (or the limit), or until a wake; then catch tyme up with the
   * wall clock and run a pass, or a wake pass when still inside the tick.
   * Callbacks drive it (a kept timer, one microtask per wake, setImmediate to
   * give Node's event loop a turn), so a wake from an I/O callback runs the
   * woken deed in a microtask right after that callback.
   * @returns settles when the run ends: resolves at the limit, when the deeds
   *   are gone (`done` set) or on a stop signal; rejects with a pass's error
   */
  #runReal(stop: number | undefined): Promise<void> {
    // Timers and immediates keep the async context they were set in; a wake
    // comes from a foreign one (a socket's callback), so its task is bound to
    // the context of the do() call (AsyncLocalStorage reads the same store in
    // every pass, as in a non-real run).
    // (runInAsyncScope directly: AsyncResource.bind's wrapper copies its
    // arguments into fresh arrays on every call.)
    const scope = new AsyncResource("HioDoistWake");
    const task = this.#wakeTask;
    this.#onWake = () => scope.runInAsyncScope(task);
    this.#stop = stop;
    this.#startTyme = this.tyme;
    this.#startReal = performance.now();
    this.#pass(false);
    return new Promise<void>((resolve, reject) => {
      this.#settle = (error, failed) => (failed ? reject(error) : resolve());
      this.#phase = BUSY;
      this.#plan();
    });
  }

  /** Wall clock (ms, performance.now) at which the real-time run reaches `tyme`. */
  #realAt(tyme: number): number {
    return this.#startReal + (tyme - this.#startTyme) * 1000;
  }

  /** The top of the real-time loop: stop, end, or sleep until the next due tick. */
  #plan(): void {
    if (this.#stopSignal !== undefined) {
      this.#end(undefined, false);
      return;
    }
    if (this.#schedule.empty) {
      // Done: wait out the current tick (wakes do not cut it short), then end.
      this.tick();
      this.#phase = ENDING;
      this.#sleepAt = this.#realAt(this.tyme);
      this.#sleep();
      return;
    }
    const tock = this.tock;
    const last = this.tyme;
    const stop = this.#stop;
    // Sleep until the first tick at which a deed is due (or the limit),
    // rather than waking for empty passes; a wake cuts the sleep short.
    const due = this.#schedule.earliest();
    const bound = stop === undefined ? due : Math.min(due, stop);
    let target: number;
    if (tock === 0) target = due <= last ? last : Number.POSITIVE_INFINITY;
    else if (bound <= last + tock) target = last + tock;
    else target = last + Math.ceil((bound - last) / tock) * tock;
    this.#last = last;
    this.#lastTock = tock;
    this.#due = due;
    this.#sleepAt = target === Number.POSITIVE_INFINITY ? target : this.#realAt(target);
    this.#phase = ASLEEP;
    if (this.#wakePending) {
      // Woken during the last pass: run the wake pass in this same turn (in a
      // microtask, so promise callbacks run between passes), unless the last
      // MAX_WAKE_PASSES did, so timers and I/O get a turn.
      this.#wakePending = false;
      if (++this.#wakeStreak > MAX_WAKE_PASSES) {
        this.#wakeStreak = 0;
        this.#yieldTurn(true);
      } else this.#queueWake();
      return;
    }
    this.#wakeStreak = 0;
    this.#sleep();
  }

  /** Sleeps until `#sleepAt`: by the timer, or a turn of the event loop when it is already past. */
  #sleep(): void {
    const now = performance.now();
    const delay = this.#sleepAt - now;
    if (delay <= 0) {
      this.#yieldTurn(false);
      return;
    }
    // An armed timer that fires no later than needed is kept (a wake does not
    // clear it); firing early only means sleeping again.
    if (this.#timer !== undefined) {
      if (this.#timerAt <= this.#sleepAt) return;
      clearTimeout(this.#timer);
    }
    // Whole milliseconds (Node's timer lists are keyed by the exact delay),
    // rounded up: a timer that fires before its deadline only re-arms.
    const ms = Math.min(Math.max(Math.ceil(delay), 1), MAX_SLEEP_MS);
    this.#timer = setTimeout(this.#onTimer, ms);
    this.#timerAt = Math.min(this.#sleepAt, now + ms);
  }

  #timerFired(): void {
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    const phase = this.#phase;
    if (phase !== ASLEEP && phase !== ENDING) return;
    // The pass runs after the poll phase (I/O of this turn delivered first).
    if (this.#sleepAt - performance.now() <= 0) this.#yieldTurn(false);
    else this.#sleep(); // early, or armed for an earlier deadline: sleep on
  }

  /** Ends the sleep in a setImmediate (the event loop's next check phase). */
  #yieldTurn(woken: boolean): void {
    if (this.#phase !== ENDING) this.#phase = YIELDING;
    this.#yieldWoken = woken;
    this.#immediate = setImmediate(this.#onImmediate);
  }

  #immediateRan(): void {
    this.#immediate = undefined;
    const phase = this.#phase;
    if (phase === ENDING) {
      this.done = true;
      this.#end(undefined, false);
    } else if (phase === YIELDING) this.#awake(this.#yieldWoken);
  }

  #queueWake(): void {
    if (this.#wakeQueued) return;
    this.#wakeQueued = true;
    // A resolved promise's reaction: the same microtask as queueMicrotask
    // without the AsyncResource and bound function Node makes for each one.
    RESOLVED.then(this.#onWake);
  }

  /**
   * The sleep is over: catch tyme up with the wall clock, run a pass (a wake
   * pass when still inside the tick and woken), and plan the next sleep.
   * @param woken a wake, not the timer, ended the sleep
   */
  #awake(woken: boolean): void {
    this.#phase = BUSY;
    try {
      if (this.#stopSignal !== undefined) {
        this.#end(undefined, false);
        return;
      }
      const tock = this.#lastTock;
      const last = this.#last;
      if (tock > 0) {
        // Catch tyme up with the wall clock one tick at a time (the same sums
        // as a fast run), stopping at the limit or at the first tick where a
        // deed was due: a late tick is made up, never skipped.
        const stop = this.#stop;
        const due = this.#due;
        const now = performance.now();
        while (this.#realAt(this.tyme + tock) <= now) {
          this.tick();
          if (stop !== undefined && this.tyme >= stop) {
            this.#end(undefined, false);
            return;
          }
          if (this.tyme >= due) break;
        }
      }
      if (this.tyme > last || (tock === 0 && !woken)) this.#pass(false);
      else if (woken) this.#pass(true); // still inside the current tick: run only woken deeds
      this.#plan();
    } catch (error) {
      this.#end(error, true);
    }
  }

  /** Ends the real-time run: settles its promise (do() then exits the deeds). */
  #end(error: unknown, failed: boolean): void {
    this.#phase = IDLE;
    const settle = this.#settle;
    this.#settle = undefined;
    settle?.(error, failed);
  }

  #pass(wakePass: boolean): void {
    this.#wakePending = false;
    context.wakePass = wakePass;
    try {
      this.#schedule.pass(this.tyme);
    } finally {
      context.wakePass = false;
    }
  }

  /** Stops the real-time loop's timer and setImmediate (after the run, or a failed start). */
  #cancelSleep(): void {
    this.#phase = IDLE;
    this.#settle = undefined;
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#timerAt = Number.POSITIVE_INFINITY;
    }
    if (this.#immediate !== undefined) {
      clearImmediate(this.#immediate);
      this.#immediate = undefined;
    }
  }
}

function immediate(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
