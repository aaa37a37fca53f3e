import { describe, expect, it } from "vitest";
import { runSimulation, sweepSeeds } from "../../src/sim/index.js";
import { echoScenario } from "../helpers/sim-scenarios.js";

describe("reproduction", () => {
  it("gives the same WireLog transcript and event trace for the same seed and program", async () => {
    const scenario = () => echoScenario({ clients: 3, lines: 15, partition: [0.5, 1.5], conditions: { latency: 0.02, jitter: 0.03, loss: 0.15 } });
    const first = await runSimulation(scenario(), { seed: 7 });
    const second = await runSimulation(scenario(), { seed: 7 });
    expect(first.report!.transcript.length).toBeGreaterThan(1000);
    expect(second.report!.transcript).toBe(first.report!.transcript);
    expect(second.report!.trace).toEqual(first.report!.trace);
    expect(second.net.stats).toEqual(first.net.stats);
  });

  it("gives a different run for a different seed", async () => {
    const first = await runSimulation(echoScenario({ lines: 10 }), { seed: 1 });
    const second = await runSimulation(echoScenario({ lines: 10 }), { seed: 2 });
    expect(second.report!.trace).not.toEqual(first.report!.trace);
  });

  it("skips idle ticks without changing the run (fast-forward on and off give the same transcript)", async () => {
    const fast = await runSimulation(echoScenario({ lines: 10 }), { seed: 3, fastForward: true });
    const slow = await runSimulation(echoScenario({ lines: 10 }), { seed: 3, fastForward: false });
    expect(fast.report!.transcript).toBe(slow.report!.transcript);
    expect(fast.tyme).toBe(slow.tyme);
    expect(fast.passes).toBeLessThan(slow.passes);
  });

  it("sweeps 200 seeds of a lossy echo with every invariant holding", async () => {
    // 15% loss: a segment lost six times in a row (p = 1e-5) backs off 12.6 s,
    // so the deadline allows 10 s (RTO 0.2 s doubling, as TCP does).
    const seeds = Array.from({ length: 200 }, (_, index) => index);
    const sweep = await sweepSeeds(echoScenario({ clients: 3, lines: 10, within: 10, conditions: { latency: 0.02, jitter: 0.02, loss: 0.15 } }), seeds);
    console.log(`sim sweep: ${sweep.runs} seeds of a lossy echo in ${(sweep.wallMs / 1000).toFixed(2)} s of wall time`);
    expect(sweep.failures.map((failure) => failure.message)).toEqual([]);
    expect(sweep.runs).toBe(200);
  });
});
