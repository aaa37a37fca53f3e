import { describe, expect, it } from "vitest";
import { EndOfStreamError, RingBuffer, readAvailable, readExactly } from "../../src/io/index.js";

/** Runs a reader generator to its end (the ring already ended, so it never sleeps). */
function thrown(reader: Generator<unknown, unknown, number>): unknown {
  try {
    for (let step = reader.next(0); !step.done; step = reader.next(0));
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("EndOfStreamError: a clean end builds no stack trace", () => {
  it("a clean end (empty partial) has only its header line as stack, and is still the right error", () => {
    const ring = new RingBuffer({ capacity: 16, name: "rx" });
    ring.end();
    const error = thrown(readAvailable(ring));
    expect(error).toBeInstanceOf(EndOfStreamError);
    const end = error as EndOfStreamError;
    expect(end.clean).toBe(true);
    expect(end.name).toBe("EndOfStreamError");
    expect(end.message).toMatch(/^rx: stream ended/);
    expect(end.stack).toBe(`EndOfStreamError: ${end.message}`);
  });

  it("an end with bytes in partial keeps its stack, and the global stack limit is restored", () => {
    const limit = Error.stackTraceLimit;
    const ring = new RingBuffer({ capacity: 16, name: "rx" });
    ring.write(new Uint8Array([1, 2]));
    ring.end();
    const error = thrown(readExactly(ring, 4)) as EndOfStreamError;
    expect(error).toBeInstanceOf(EndOfStreamError);
    expect([...error.partial]).toEqual([1, 2]);
    expect(error.stack!.split("\n").length).toBeGreaterThan(1);
    expect(Error.stackTraceLimit).toBe(limit);
    new EndOfStreamError("clean", new Uint8Array(0));
    expect(Error.stackTraceLimit).toBe(limit);
  });
});
