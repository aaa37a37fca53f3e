import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { main } from "../../examples/hierarchy.js";
import { Lines } from "../helpers/examples-process.js";

/** The trace lines only (`tyme  0.125  outer.tick   recur 2` → `0.125 outer.tick recur 2`). */
function trace(lines: Lines): string[] {
  return lines.lines.filter((line) => line.startsWith("tyme")).map((line) => line.replace(/^tyme +/, "").replace(/ +/g, " "));
}

describe("examples/hierarchy.ts", () => {
  it("prints the lifecycle of nested DoDoers in hio's order", async () => {
    const lines = new Lines();
    expect(await main(["--fast"], lines.out)).toBe(0);
    expect(trace(lines)).toEqual([
      "0.000 outer enter",
      "0.000 outer.tick enter",
      "0.000 inner enter",
      "0.000 inner.fast enter",
      "0.000 inner.slow enter",
      "0.000 watchdog enter",
      "0.000 heartbeat enter",
      "0.000 outer.tick recur 1",
      "0.000 inner.fast recur 1",
      "0.000 inner.slow recur 1",
      "0.000 watchdog recur 1",
      "0.000 heartbeat beat",
      "0.063 inner.fast recur 2",
      "0.125 outer.tick recur 2",
      "0.125 outer.tick clean",
      "0.125 outer.tick exit",
      "0.125 inner.fast recur 3",
      "0.125 inner.fast clean",
      "0.125 inner.fast exit",
      "0.250 inner.slow recur 2",
      "0.250 inner.slow clean",
      "0.250 inner.slow exit",
      "0.250 inner clean",
      "0.250 inner exit",
      "0.250 outer clean",
      "0.250 outer exit",
      "0.250 heartbeat beat",
      "0.500 watchdog recur 2",
      "0.500 heartbeat beat",
      "0.750 heartbeat beat",
      "1.000 heartbeat exit",
      // closed by the limit before it was done: cease instead of clean, then exit
      "1.000 watchdog cease",
      "1.000 watchdog exit",
    ]);
    expect(lines.lines.at(-1)).toBe("done: false; tyme 1; outer.done true; watchdog.done false; heartbeat.done false");
  });

  it("shows every lifecycle context the README says it shows", async () => {
    const readme = readFileSync("README.md", "utf8");
    const row = readme.split("\n").find((line) => line.includes("[hierarchy.ts](examples/hierarchy.ts)"));
    expect(row).toBeDefined();
    const listed = /\(([a-z, ]+)\)\s*\|?\s*$/.exec(row!)?.[1]?.split(/,\s*/) ?? [];
    expect(listed).toContain("cease");
    const lines = new Lines();
    await main(["--fast"], lines.out);
    const contexts = new Set(trace(lines).map((line) => line.split(" ")[2]));
    for (const context of listed) expect(contexts, `the README lists ${context}`).toContain(context);
  });

  it("gives the same trace in real time as fast", async () => {
    const fast = new Lines();
    const real = new Lines();
    await main(["--fast"], fast.out);
    await main([], real.out);
    expect(trace(real)).toEqual(trace(fast));
  });
});
