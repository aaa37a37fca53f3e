/**
 * The simulation's agenda: events ordered by tyme, ties broken by the order
 * they were scheduled, so a run is a pure function of its seed and program.
 *
 * @module
 */

/** Something the net does at a given tyme. */
export interface SimEvent {
  /** Tyme at which it happens; set by {@link EventQueue.push}. */
  at: number;
  /** Scheduling order, for ties; set by {@link EventQueue.push}. */
  seq: number;
  /** Does it. Called with the event's own tyme. */
  fire(at: number): void;
}

/**
 * A binary min-heap of events by (at, seq). Pushing and popping allocate
 * nothing beyond the heap's array growth.
 */
export class EventQueue {
  readonly #heap: SimEvent[] = [];
  #seq = 0;

  /** Number of pending events. */
  get size(): number {
    return this.#heap.length;
  }

  /** Tyme of the earliest event, or `Infinity` when there is none. */
  get nextAt(): number {
    return this.#heap[0]?.at ?? Number.POSITIVE_INFINITY;
  }

  /**
   * Schedules `event` at tyme `at`.
   * @param event the event (its `at` and `seq` are overwritten)
   * @param at the tyme it happens
   */
  push(event: SimEvent, at: number): void {
    event.at = at;
    event.seq = this.#seq++;
    const heap = this.#heap;
    let index = heap.length;
    heap.push(event);
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const above = heap[parent]!;
      if (!before(event, above)) break;
      heap[index] = above;
      index = parent;
    }
    heap[index] = event;
  }

  /**
   * Removes and returns the earliest event if it is due.
   * @param tyme the current tyme
   * @returns the event, or undefined when none is at or before `tyme`
   */
  popDue(tyme: number): SimEvent | undefined {
    const heap = this.#heap;
    const top = heap[0];
    if (top === undefined || top.at > tyme) return undefined;
    const last = heap.pop()!;
    if (heap.length > 0) {
      let index = 0;
      const size = heap.length;
      for (;;) {
        const left = 2 * index + 1;
        if (left >= size) break;
        const right = left + 1;
        const child = right < size && before(heap[right]!, heap[left]!) ? right : left;
        if (!before(heap[child]!, last)) break;
        heap[index] = heap[child]!;
        index = child;
      }
      heap[index] = last;
    }
    return top;
  }

  /** Drops every pending event. */
  clear(): void {
    this.#heap.length = 0;
  }
}

function before(a: SimEvent, b: SimEvent): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
