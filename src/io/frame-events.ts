/**
 * FrameEvents (internal): keeps a framer's output in stream order when a
 * framing error falls between frames.
 *
 * @module
 */

/**
 * A framer's output: a frame, or an error at that point of the stream. A
 * {@link BufferedFramer} subclass appends these to `events` in its `frame`.
 */
export type FrameEvent = Uint8Array | Error;

/**
 * The backlog of a framer's output. `push` returns the frames before the
 * first error; that error is thrown by the next call, and the frames after
 * it come out of the call after that.
 */
export class FrameEvents {
  #backlog: FrameEvent[] | undefined;

  /** Events are waiting for the next call. */
  get waiting(): boolean {
    return this.#backlog !== undefined;
  }

  /**
   * Starts a call's output with what was held back.
   * @returns the array to append this call's events to
   */
  begin(): FrameEvent[] {
    const events = this.#backlog ?? [];
    this.#backlog = undefined;
    return events;
  }

  /**
   * Ends a call: returns the frames before the first error, or throws it if
   * it comes first; keeps the rest for the next call.
   * @param events this call's events, in order
   * @returns the frames to return
   * @throws the first error, when no frame precedes it
   */
  deliver(events: FrameEvent[]): Uint8Array[] {
    let index = 0;
    while (index < events.length && events[index] instanceof Uint8Array) index++;
    if (index === events.length) return events as Uint8Array[];
    if (index === 0) {
      const error = events[0] as Error;
      if (events.length > 1) this.#backlog = events.slice(1);
      throw error;
    }
    this.#backlog = events.slice(index);
    return events.slice(0, index) as Uint8Array[];
  }

  /** Forgets the backlog. */
  clear(): void {
    this.#backlog = undefined;
  }
}
