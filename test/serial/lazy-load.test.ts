import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);

async function probe(module: string): Promise<{ before: string[]; after: number }> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", "test/helpers/serial-lazy-probe.ts", module], { timeout: 20_000 });
  return JSON.parse(stdout) as { before: string[]; after: number };
}

describe("lazy loading of serialport", () => {
  it("importing the package root loads no serialport module until a binding is asked for", async () => {
    const { before, after } = await probe("src/index.ts");
    expect(before).toEqual([]);
    expect(after).toBeGreaterThan(0); // the probe does see the package once it is loaded
  });

  it("importing hio-ts/serial alone loads no serialport module either", async () => {
    const { before } = await probe("src/serial/index.ts");
    expect(before).toEqual([]);
  });
});
