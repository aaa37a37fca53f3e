/**
 * Core: tyme and the hierarchical, cooperative scheduler (Doist, DoDoer,
 * Doer, doify), after hio's `base.tyming` and `base.doing`. Knows nothing of
 * I/O; everything else in hio-ts runs on it.
 *
 * @module
 */
export { HioError, DoerError } from "./errors.js";
export { Tymist, type Tymth, type TymistOptions } from "./tymist.js";
export { Tymee, type TymeeOptions } from "./tymee.js";
export { Tymer, type TymerOptions } from "./tymer.js";
export type { Operation } from "./operation.js";
export { WAIT, currentWaker, currentTyme, type Dog, type Waker, type DeedView } from "./deed.js";
export { Signal, waitFor } from "./signal.js";
export { isGeneratorFunction, type Doable, type DoerLike, type DoFunction, type DoOptions, type DoerState } from "./doable.js";
export { Doer, type DoerOptions, type RecurDog } from "./doer.js";
export { doify, type DoifyOptions, type DoGeneratorFunction } from "./doify.js";
export { DoDoer, type DoDoerOptions } from "./dodoer.js";
export { Doist, type DoistOptions, type DoistDoOptions, type GracefulDoer } from "./doist.js";
export { AbortError, TimeoutError } from "./errors.js";
export { abortable, abortError, checkAbortSignal, throwIfAborted, whenAborted } from "./abort.js";
export { until, type UntilOptions } from "./until.js";
export { run, runIn, type RunOptions } from "./run.js";
export type { WaitForOptions } from "./signal.js";
export { ChannelClosedError } from "./errors.js";
export { Channel, type ChannelOptions, type ChannelWaitOptions } from "./channel.js";
export { Semaphore, Lock, type AcquireOptions } from "./semaphore.js";
export { race, all, timeout, type Results } from "./combinators.js";
