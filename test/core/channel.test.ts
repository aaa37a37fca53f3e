import { describe, expect, it } from "vitest";
import { AbortError, Channel, ChannelClosedError, TimeoutError, doify } from "../../src/core/index.js";
import { steppedDoists } from "../helpers/core-step.js";

const stepped = steppedDoists();

describe("Channel: Deck's push and pull", () => {
  it("push adds in order, pull returns oldest first and undefined when empty (falsy values survive)", () => {
    const deck = new Channel<unknown>();
    for (const value of [false, "", 0, []]) expect(deck.push(value)).toBe(true);
    const got: unknown[] = [];
    for (let value = deck.pull(); value !== undefined; value = deck.pull()) got.push(value);
    expect(got).toEqual([false, "", 0, []]);
    expect(deck.pull()).toBeUndefined();
    expect([deck.pushed, deck.pulled, deck.length]).toEqual([4, 4, 0]);
  });

  it("push says false when full, instead of dropping or growing", () => {
    const channel = new Channel<number>({ capacity: 2 });
    expect([channel.push(1), channel.push(2), channel.push(3)]).toEqual([true, true, false]);
    expect([channel.isFull, channel.free, [...channel]]).toEqual([true, 0, [1, 2]]);
  });

  it("using closes it at the end of the block", () => {
    let kept: Channel<number> | undefined;
    {
      using channel = new Channel<number>();
      channel.push(1);
      kept = channel;
    }
    expect([kept.closed, kept.pull(), kept.exhausted]).toEqual([true, 1, true]);
  });

  it("rejects undefined, a bad capacity, and values after close", () => {
    const channel = new Channel<number | undefined>();
    expect(() => channel.push(undefined)).toThrow(TypeError);
    expect(() => new Channel({ capacity: 0 })).toThrow(/^capacity/);
    channel.close();
    expect(() => channel.push(1)).toThrow(ChannelClosedError);
  });
});

describe("Channel: put and take with back pressure", () => {
  it("a fast producer waits for a slow consumer: never more than capacity held, every value in order", () => {
    const channel = new Channel<number>({ capacity: 2 });
    const taken: number[] = [];
    let most = 0;
    const producer = doify(function* () {
      for (let n = 0; n < 10; n++) {
        yield* channel.put(n);
        most = Math.max(most, channel.length);
      }
      channel.close();
      return true;
    });
    const consumer = doify(function* () {
      for (let value = yield* channel.receive(); value !== undefined; value = yield* channel.receive()) {
        taken.push(value);
        yield 0.5;
      }
      return true;
    });
    const doist = stepped([producer, consumer]);
    for (let n = 0; n < 100 && doist.deeds.length > 0; n++) doist.recur();
    expect(taken).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(most).toBe(2);
    expect(channel.exhausted).toBe(true);
    expect(channel.dataSignal.waiting + channel.spaceSignal.waiting).toBe(0);
  });

  it("take throws ChannelClosedError once closed and drained; a waiting put throws it on close", () => {
    const channel = new Channel<string>({ capacity: 1 });
    const errors: unknown[] = [];
    const putter = doify(function* () {
      yield;
      yield* channel.put("a");
      try {
        yield* channel.put("b");
      } catch (error) {
        errors.push(error);
      }
      return true;
    });
    const doist = stepped([putter]);
    doist.recur();
    doist.recur();
    channel.close();
    doist.recur();
    expect(errors[0]).toBeInstanceOf(ChannelClosedError);
    expect(channel.pull()).toBe("a");
    expect(() => channel.take().next()).toThrow(ChannelClosedError);
  });

  it("take times out in tyme and can be aborted", () => {
    const channel = new Channel<string>();
    const controller = new AbortController();
    const errors: [unknown, number][] = [];
    const taker = doify(function* (tymth) {
      yield;
      try {
        yield* channel.take({ timeout: 1 });
      } catch (error) {
        errors.push([error, tymth()]);
      }
      try {
        yield* channel.take({ signal: controller.signal });
      } catch (error) {
        errors.push([error, tymth()]);
      }
      return true;
    });
    const doist = stepped([taker]);
    for (let n = 0; n < 6; n++) doist.recur();
    expect(errors[0]![0]).toBeInstanceOf(TimeoutError);
    expect(errors[0]![1]).toBe(1);
    controller.abort();
    doist.recur();
    expect(errors[1]![0]).toBeInstanceOf(AbortError);
    expect(channel.dataSignal.waiting).toBe(0);
  });
});
