/**
 * Helpers for framer tests: push chunks and collect frames and errors in order.
 */
import type { Framer } from "../../src/io/index.js";

/** One event a framer produced: a frame, or the name of an error it threw. */
export type FrameEvent = Uint8Array | string;

/**
 * Pushes `chunks` in order (each with its tyme, if given), then empty chunks
 * until nothing more comes out (to collect what a framer held back after an
 * error), and records frames and errors.
 * @param framer the framer
 * @param chunks the chunks
 * @param tymes the tyme of each chunk
 * @returns frames and error class names in the order they came
 */
export function pushAll(framer: Framer, chunks: Uint8Array[], tymes?: number[]): FrameEvent[] {
  const events: FrameEvent[] = [];
  const push = (chunk: Uint8Array, tyme: number | undefined): boolean => {
    try {
      const frames = framer.push(chunk, tyme);
      events.push(...frames);
      return frames.length > 0;
    } catch (error) {
      events.push((error as Error).constructor.name);
      return true;
    }
  };
  chunks.forEach((chunk, index) => push(chunk, tymes?.[index]));
  while (push(new Uint8Array(0), tymes?.[chunks.length - 1]));
  return events;
}

/**
 * Splits `bytes` at the given cut points.
 * @param bytes the whole stream
 * @param cuts positions to cut at (any order, duplicates allowed)
 * @returns the chunks
 */
export function chunk(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((cut) => Math.min(Math.max(cut, 0), bytes.length)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of points) {
    chunks.push(bytes.subarray(start, point));
    start = point;
  }
  chunks.push(bytes.subarray(start));
  return chunks;
}

/** Renders events as strings, for readable assertions. */
export const show = (events: FrameEvent[]): string[] => events.map((event) => (typeof event === "string" ? `!${event}` : new TextDecoder().decode(event)));
