import { afterEach, describe, expect, it } from "vitest";
import { DoDoer, Doist, doify } from "../../src/core/index.js";
import {
  ByteLedger,
  describeDoers,
  InvariantDoer,
  InvariantError,
  RequestTracker,
  rerunSimulation,
  runSimulation,
  SimulationError,
  type SimScenario,
  type SimulationRun,
} from "../../src/sim/index.js";
import { echoScenario } from "../helpers/sim-scenarios.js";

let paused: SimulationRun | undefined;
afterEach(() => {
  paused?.exit();
  paused = undefined;
});

/** A request/answer scenario whose 0.3 s deadline breaks under loss. */
const tight = (): SimScenario => echoScenario({ clients: 2, lines: 20, within: 0.3, conditions: { latency: 0.02, loss: 0.3 } });

async function failure(scenario: SimScenario, seed: number): Promise<SimulationError> {
  try {
    await runSimulation(scenario, { seed });
  } catch (error) {
    if (error instanceof SimulationError) return error;
    throw error;
  }
  throw new Error("the run did not fail");
}

describe("invariants and failure reports", () => {
  it("fails the run with the check's name, the seed and the tyme", async () => {
    const error = await failure(tight(), 4);
    expect(error.cause).toBeInstanceOf(InvariantError);
    const cause = error.cause as InvariantError;
    expect(cause.invariant).toBe("answered within 0.3 s");
    expect(cause.seed).toBe(4);
    expect(error.message).toContain("seed 4");
    expect(error.message).toContain(`tyme ${error.tyme}`);
  });

  it("lists the live doers of the failed run, nested", async () => {
    const error = await failure(tight(), 4);
    expect(error.doerTree).toMatch(/^ {2}SimNet simnet/m);
    expect(error.doerTree).toMatch(/^ {2}EchoServerDoer/m);
    expect(error.doerTree).toMatch(/^ {2}doified talker client\d/m);
  });

  it("fails the same way, at the same tyme, every time", async () => {
    const first = await failure(tight(), 9);
    const second = await failure(tight(), 9);
    expect(second.message).toBe(first.message);
  });

  it("reruns a failed seed to just before its failure, then fails at the same tyme", async () => {
    const error = await failure(tight(), 4);
    paused = await rerunSimulation(tight(), { seed: 4, until: error.tyme });
    expect(paused.tyme).toBe(error.tyme);
    expect(paused.net.traceLines.length).toBeGreaterThan(0);
    await expect(paused.advance(error.tyme + 1)).rejects.toThrow(error.message);
  });

  it("reports the same failure tyme with fast-forward on and off (deadlines are not skipped)", async () => {
    const lonely: SimScenario = {
      limit: 10,
      build: ({ checks }) => {
        const requests = new RequestTracker();
        requests.open("never answered", 0.5);
        checks.add("answered within 1 s", requests.within(1));
        return [
          doify(function* idle() {
            yield 0;
            yield 100;
            return true;
          }),
        ];
      },
    };
    const fast = await failure(lonely, 0);
    let slow: SimulationError | undefined;
    try {
      await runSimulation(lonely, { fastForward: false });
    } catch (error) {
      slow = error as SimulationError;
    }
    expect(slow?.tyme).toBe(fast.tyme);
    expect(fast.tyme).toBeGreaterThan(1.5);
    expect(fast.tyme).toBeLessThan(1.55);
  });

  it("runs final checks when the run ends", async () => {
    const scenario: SimScenario = {
      limit: 1,
      build: ({ checks }) => {
        checks.addFinal("never true", () => "still waiting for byte 3");
        return [];
      },
    };
    const error = await failure(scenario, 2);
    expect(error.message).toContain('invariant "never true" broken');
  });

  it("throws InvariantError from the doer itself, outside the harness", () => {
    const checks = new InvariantDoer({ seed: 12, checks: { "always fails": () => false } });
    const doist = new Doist({ doers: [checks] });
    doist.enter();
    try {
      expect(() => doist.recur()).toThrow(InvariantError);
    } finally {
      doist.exit();
    }
  });
});

describe("ByteLedger", () => {
  const enc = (text: string) => new TextEncoder().encode(text);

  it("accepts bytes received in order across any chunking", () => {
    const ledger = new ByteLedger();
    ledger.sent("f", enc("hello "));
    ledger.sent("f", enc("world"));
    expect(ledger.received("f", enc("hel"))).toBe(true);
    expect(ledger.received("f", enc("lo wor"))).toBe(true);
    expect(ledger.outstanding("f")).toBe(2);
    expect(ledger.received("f", enc("ld"))).toBe(true);
    expect(ledger.settled(0)).toBe(true);
  });

  it("names the first byte that differs", () => {
    const ledger = new ByteLedger();
    ledger.sent("f", enc("abc"));
    expect(ledger.received("f", enc("abd"))).toBe(false);
    expect(ledger.check(0)).toBe("f: byte 2 is 100, sent 99");
  });

  it("reports bytes never received as a final failure", () => {
    const ledger = new ByteLedger();
    ledger.sent("f", enc("abc"));
    ledger.received("f", enc("a"));
    expect(ledger.settled(0)).toBe("f: 2 bytes sent were never received");
  });
});

describe("describeDoers", () => {
  it("indents the children of a DoDoer and marks sleeping doers", () => {
    const sleeper = doify(
      function* sleeper() {
        yield 0;
        yield Infinity;
        return true;
      },
      { name: "sleeper" },
    );
    const group = new DoDoer({ doers: [sleeper] });
    const doist = new Doist({ doers: [group] });
    doist.enter();
    try {
      doist.recur();
      expect(describeDoers(doist)).toBe("DoDoer  waiting\n  doified sleeper  waiting");
    } finally {
      doist.exit();
    }
  });
});
