import { afterEach, describe, expect, it } from "vitest";
import { runDemo } from "../../examples/demo.js";
import { Lines, Proc } from "../helpers/examples-process.js";

const procs: Proc[] = [];
afterEach(async () => {
  await Promise.all(procs.splice(0).map((proc) => proc.kill()));
});

describe("examples/demo.ts (npm start)", () => {
  it("runs with no arguments, prints the trace and the figures, and exits 0", async () => {
    const proc = Proc.tsx("examples/demo.ts", []);
    procs.push(proc);
    const exit = await proc.waitExit(20_000);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(proc.stdout).toMatch(/server +listening on 127\.0\.0\.1:\d+/);
    expect(proc.stdout).toContain("session exit: server and clients closed");
    expect(proc.stdout).toMatch(/^alice +5 +5 +100 +100 /m);
    expect(proc.stdout).toMatch(/^bob +5 +5 +90 +90 /m);
    expect(proc.stdout).toContain("server: 2 connections, 190 bytes in, 190 bytes out");
    expect(proc.stdout).toContain("every echo matched");
  });

  it("echoes every message of both clients and counts the same bytes on both sides", async () => {
    const lines = new Lines();
    const result = await runDemo({ messages: 3, fast: true, out: lines.out });
    expect(result.ok).toBe(true);
    expect(result.accepted).toBe(2);
    expect(result.talkers.map((talker) => [talker.name, talker.sent, talker.echoed])).toEqual([
      ["alice", 3, 3],
      ["bob", 3, 3],
    ]);
    const clientBytes = result.talkers.reduce((sum, talker) => sum + talker.bytesOut, 0);
    expect(result.serverBytesIn).toBe(clientBytes);
    expect(result.serverBytesOut).toBe(clientBytes);
  });

  it("nests the exits inside the enters: handlers exit before the session does", async () => {
    const lines = new Lines();
    await runDemo({ messages: 1, fast: true, out: lines.out });
    const index = (pattern: RegExp) => lines.lines.findIndex((line) => pattern.test(line));
    const enter = index(/session enter/);
    const clean = index(/session clean/);
    const handlerExit = index(/gone: its handler exits/);
    const exit = index(/session exit/);
    expect(enter).toBeGreaterThanOrEqual(0);
    expect(enter).toBeLessThan(handlerExit);
    // The server shuts down after the last talker: its handlers end before the session is done.
    expect(handlerExit).toBeLessThan(clean);
    expect(clean).toBeLessThan(exit);
  });
});
