import type { Operation } from "./operation.js";

/**
 * Deeds: the running dogs a scheduler keeps, and the waking that lets a dog
 * sleep until an event instead of being polled every tick.
 *
 * @module
 */

/**
 * A dog: the generator a doer returns when run. It yields a tock (seconds
 * until it wants to run again; 0 or `undefined`: the next tick; `WAIT`: not
 * until woken), is sent the current tyme, and returns its done state.
 */
export type Dog = Operation<boolean | undefined>;

/**
 * The tock a dog yields to say it has nothing to do until something wakes it
 * (a {@link Signal} it subscribed to, or a handle's I/O). Its scheduler will
 * not run it, nor wake the process for it, until then.
 */
export const WAIT = Number.POSITIVE_INFINITY;

/** Anything that can be woken: a deed, or a Doist. */
export interface Waker {
  /** Asks for the owner to run as soon as it may (at once in real time). */
  wake(): void;
}

/** What a deed needs from the scheduler that keeps it. */
export interface DeedOwner {
  /** The owner's current tyme. */
  readonly tyme: number;
  /** The deed whose dog the owner is running now, if any. */
  readonly current: Deed | undefined;
  /** Marks `deed` due now and passes the wake up the tree. */
  wakeDeed(deed: Deed): void;
  /**
   * Marks `deed`, which is running now, due again at once when it yields,
   * without asking for a wake pass: something below it was woken during a
   * pass. Passes the mark up the tree.
   */
  stirDeed(deed: Deed): void;
}

/**
 * One running doer in a scheduler: its dog, the tyme it next runs at, and the
 * doer it came from. The other fields are the scheduler's bookkeeping.
 */
export class Deed implements Waker {
  // `declare`: set only in the constructor. A class field would start out
  // `undefined`, and V8 would then box every new `retyme` in a fresh heap
  // number (an allocation per deed run) instead of updating one in place.
  /** The running generator. */
  declare dog: Dog;
  /** Tyme at which it next runs. */
  declare retyme: number;
  /** The doer the dog came from; its `done` is set when the dog ends. */
  declare readonly doer: object;
  /** The scheduler that keeps it. */
  declare readonly owner: DeedOwner;
  /**
   * The dog is a plain generator (its `next` is the built-in one, looked up
   * when it starts), so a pass calls that built-in directly: one call site
   * for every kind of generator, not a property lookup that turns slow once
   * a process runs more than four generator functions.
   */
  declare readonly native: boolean;
  /**
   * Bookkeeping bits (FINISHED, WOKEN, AGAIN, CLOSING, ENTERING), one field so the hot loop reads and
   * writes as little as possible.
   */
  flags = 0;

  /** Woken since it last ran. */
  get woken(): boolean {
    return (this.flags & WOKEN) !== 0;
  }

  /** Its dog is executing now (somewhere on the stack). */
  get running(): boolean {
    return this.owner.current === this;
  }

  /** Ended, closed or removed: never run it again. */
  get finished(): boolean {
    return (this.flags & FINISHED) !== 0;
  }

  /**
   * @param dog the running generator
   * @param retyme tyme at which it next runs
   * @param doer where the dog came from
   * @param owner the scheduler that keeps it
   */
  constructor(dog: Dog, retyme: number, doer: object, owner: DeedOwner) {
    this.dog = dog;
    this.native = dog.next === GENERATOR_NEXT;
    this.retyme = retyme;
    this.doer = doer;
    this.owner = owner;
  }

  /** Makes it due now: it runs in the current pass if not yet reached, else the next. */
  wake(): void {
    if ((this.flags & FINISHED) === 0) this.owner.wakeDeed(this);
  }
}

/** The built-in `next` of every generator object. Internal to core. */
export const GENERATOR_NEXT = Object.getPrototypeOf(function* () {}.prototype).next as (this: Dog, tyme: number) => IteratorResult<number | undefined, boolean | undefined>;

/** `Deed.flags` bit: ended, closed or removed; never run it again. */
export const FINISHED = 1;
/** `Deed.flags` bit: woken since it last ran; a wake pass runs it. */
export const WOKEN = 2;
/**
 * `Deed.flags` bit: something below it (a deed of its DoDoer) was woken while
 * it ran, so it is due again at the next pass; unlike WOKEN, a wake pass does
 * not run it for that alone.
 */
export const AGAIN = 4;
/** `Deed.flags` bit: removed while running; close it as soon as it yields. */
export const CLOSING = 8;
/** `Deed.flags` bit: its dog is running its enter step (to its first yield). */
export const ENTERING = 16;

/** A read-only view of a deed, as `doist.deeds` lists them. */
export interface DeedView {
  /** The running generator. */
  readonly dog: Dog;
  /** Tyme at which it next runs. */
  readonly retyme: number;
  /** The doer the dog came from. */
  readonly doer: object;
}

/**
 * Which schedule is running a dog now (its `current` is the deed), and
 * whether the root is in a wake pass. One slot per process, kept on
 * `globalThis` so that two copies of this module (an ESM and a CJS build
 * loaded side by side) still agree on it.
 */
interface SchedulingContext {
  schedule: DeedOwner | undefined;
  wakePass: boolean;
}

const slot = Symbol.for("hio-ts.scheduling");
const holder = globalThis as unknown as Record<symbol, SchedulingContext | undefined>;

/** The process-wide scheduling context. Internal to core. */
export const context: SchedulingContext = holder[slot] ?? (holder[slot] = { schedule: undefined, wakePass: false });

/**
 * Returns the deed whose dog is running now. Internal to core.
 * @returns the innermost running deed, or undefined outside any scheduler
 */
export function runningDeed(): Deed | undefined {
  return context.schedule?.current;
}

/**
 * Returns the deed whose dog is running now, to be woken later.
 *
 * Call it from inside a doer (its enter, recur or generator body). Handles keep
 * the waker of the doer that services them and call `wake()` from their I/O
 * callbacks.
 *
 * @returns the running deed, or `undefined` outside any scheduler
 * @example
 * ```ts
 * const watcher = doify(function* () {
 *   const waker = currentWaker();
 *   setTimeout(() => waker?.wake(), 100);
 *   yield WAIT;           // sleeps until the timer fires
 *   return true;
 * });
 * ```
 */
export function currentWaker(): Waker | undefined {
  return context.schedule?.current;
}

/**
 * Returns the tyme of the scheduler running the current dog, so helpers used
 * with `yield*` (readers with timeouts) can start a deadline before their
 * first yield.
 *
 * @returns the current tyme, or `undefined` outside any scheduler
 */
export function currentTyme(): number | undefined {
  return context.schedule?.tyme;
}
