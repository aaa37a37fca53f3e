import { describe, expect, it } from "vitest";
import { main } from "../../examples/sim-lossy-echo.js";

async function run(args: string[]): Promise<{ code: number; output: string }> {
  const lines: string[] = [];
  const code = await main(args, (line) => lines.push(line));
  return { code, output: lines.join("\n") };
}

describe("examples/sim-lossy-echo.ts", () => {
  it("runs a seed twice and reports that the transcript reproduced", async () => {
    const { code, output } = await run(["--seed", "3", "--lines", "5"]);
    expect(code).toBe(0);
    expect(output).toMatch(/15 lines echoed/);
    expect(output).toMatch(/: reproduced$/m);
  });

  it("prints the seed, tyme, live doers and rerun command of a failing sweep", async () => {
    const { code, output } = await run(["--sweep", "3", "--deadline", "0.5", "--lines", "40"]);
    expect(code).toBe(1);
    expect(output).toMatch(/failed at tyme [\d.]+ with seed \d+/);
    expect(output).toMatch(/rerun: rerunSimulation\(scenario, \{ seed: \d+, until: [\d.]+ \}\)/);
    expect(output).toMatch(/live doers:\n {2}SimNet simnet/);
  });
});
