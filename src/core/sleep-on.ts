/**
 * sleepOn (internal to core): one wait on a Signal with a deadline in tyme,
 * unsubscribing in `finally` so a closed waiter leaves nothing behind.
 *
 * @module
 */
import { currentTyme, runningDeed, WAIT } from "./deed.js";
import type { Operation } from "./operation.js";
import type { Signal } from "./signal.js";

/**
 * Sleeps until `signal` notifies or tyme `deadline` (Infinity: none).
 * Outside a scheduler it yields 0 (the next step) instead.
 * @param signal what to wait for
 * @param deadline tyme at which to wake anyway
 * @returns the tyme it was resumed at
 */
export function* sleepOn(signal: Signal, deadline: number): Operation<number> {
  const deed = runningDeed();
  if (deed === undefined) return yield 0;
  signal.subscribe(deed);
  try {
    const now = currentTyme() ?? 0;
    return yield deadline === WAIT ? WAIT : Math.max(deadline - now, 0);
  } finally {
    signal.unsubscribe(deed);
  }
}

/**
 * The deadline for a wait of `timeout` seconds starting now.
 * @param timeout seconds, or undefined for none
 * @returns the tyme, or `WAIT` when there is no timeout (or no clock yet)
 */
export function deadlineOf(timeout: number | undefined): number {
  if (timeout === undefined) return WAIT;
  const now = currentTyme();
  return now === undefined ? WAIT : now + timeout;
}
