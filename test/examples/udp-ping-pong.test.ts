import { afterEach, describe, expect, it } from "vitest";
import { main, pingPong } from "../../examples/udp-ping-pong.js";
import { Lines, Proc, freeUdpPort } from "../helpers/examples-process.js";
import { Cleanup } from "../helpers/tcp-harness.js";
import { needPeers } from "../helpers/peers.js";

const socat = needPeers("socat");

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

describe("examples/udp-ping-pong.ts", () => {
  it("answers every ping with its pong over loopback", async () => {
    const report = await pingPong({ count: 4, interval: 0.05 });
    expect(report).toMatchObject({ sent: 4, received: 4, answered: 4 });
    expect(report.rttMs).toHaveLength(4);
  });

  it("prints each pong and the summary, and exits 0, with no arguments", async () => {
    const lines = new Lines();
    expect(await main(["--count", "2", "--interval", "0.05"], lines.out)).toBe(0);
    expect(lines.lines[0]).toMatch(/^pong 1 from 127\.0\.0\.1:\d+: [\d.]+ ms$/);
    expect(lines.lines.at(-1)).toMatch(/^2 pings, 2 pongs, 0 lost; rtt min\/avg\/max /);
  });

  socat.it("answers socat as the pong role", async () => {
    const pong = cleanup.add(Proc.tsx("examples/udp-ping-pong.ts", ["--role", "pong", "--port", "0"]), (p) => p.kill());
    const port = (await pong.waitFor(/pong on 127\.0\.0\.1:(\d+)/))[1]!;
    const socat = cleanup.add(Proc.spawn("socat", ["-", `UDP:127.0.0.1:${port}`]), (p) => p.kill());
    socat.write("ping 7");
    await socat.waitFor(/pong 7/);
    expect(socat.stdout).toBe("pong 7");
  });

  it("counts lost pings and exits 1 when nobody answers", async () => {
    const port = await freeUdpPort();
    const lines = new Lines();
    expect(await main(["--role", "ping", "--to", `127.0.0.1:${port}`, "--count", "2", "--interval", "0", "--timeout", "0.2"], lines.out)).toBe(1);
    expect(lines.lines).toEqual(["ping 1: no answer within 0.2 s", "ping 2: no answer within 0.2 s", "2 pings, 0 pongs, 2 lost"]);
  });
});
