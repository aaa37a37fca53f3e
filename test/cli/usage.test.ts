import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Proc } from "../helpers/examples-process.js";

/** Runs hio to its end (killed if it outlives the deadline): each test owns its process. */
async function hio(args: string[]): Promise<Proc> {
  const proc = Proc.hio(args, { input: "" });
  try {
    // a generous deadline: up to five of these start node + tsx at once on a shared machine
    await proc.waitExit(50_000);
  } finally {
    await proc.kill();
  }
  return proc;
}

// Each test runs its own short-lived process, so they may overlap.
describe.concurrent("hio usage", { timeout: 60_000 }, () => {
  it("prints the usage on stderr and exits 2 without a command", async () => {
    const proc = await hio([]);
    expect(proc.exit?.code).toBe(2);
    expect(proc.stderr).toContain("usage: hio <command> [options]");
  });

  it("lists every command with --help on stdout and exits 0", async () => {
    const proc = await hio(["--help"]);
    expect(proc.exit?.code).toBe(0);
    for (const command of ["echo", "connect", "listen", "udp send", "udp listen", "serial list", "serial monitor", "bridge"]) expect(proc.stdout).toContain(`  ${command}`);
    expect(proc.stdout).toContain("exit codes:");
  });

  it.each([["--version"], ["-V"]])("prints the package's version with %s and exits 0", async (flag) => {
    const { version } = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
    const proc = await hio([flag]);
    expect(proc.exit?.code).toBe(0);
    expect(proc.stdout).toBe(`hio ${version} (hio-ts, node ${process.versions.node})\n`);
  });

  it.each([
    [["bridge", "--help"], "usage: hio bridge PATH --port N"],
    [["echo", "--help"], "usage: hio echo --port N"],
    [["connect", "--help"], "usage: hio connect HOST:PORT"],
    [["listen", "-h"], "usage: hio listen --port N"],
    [["udp", "send", "--help"], "usage: hio udp send HOST:PORT"],
    [["udp", "listen", "--help"], "usage: hio udp listen --port N"],
    [["serial", "list", "--help"], "usage: hio serial list"],
    [["serial", "monitor", "--help"], "usage: hio serial monitor PATH"],
  ])("prints the help of %j on stdout and exits 0", async (args, usage) => {
    const proc = await hio(args);
    expect(proc.exit?.code).toBe(0);
    expect(proc.stdout.startsWith(usage)).toBe(true);
    expect(proc.stdout).toContain("options:");
  });

  it.each([
    [["bogus"], 'hio: unknown command "bogus"'],
    [["echo"], "hio echo: --port is required"],
    [["echo", "--port", "7000", "--colour"], "hio echo: Unknown option '--colour'"],
    [["echo", "--port", "70000"], 'hio echo: --port must be a whole number from 0 to 65535, got "70000"'],
    [["connect", "localhost"], 'hio connect: address must be HOST:PORT or HOST PORT (port 1-65535), got "localhost"'],
    [["connect", "localhost", "http"], 'hio connect: address must be HOST:PORT or HOST PORT (port 1-65535), got "localhost"'],
    [["connect", "127.0.0.1:7000", "-w", "0"], 'hio connect: -w must be a number > 0, got "0"'],
    [["connect", "127.0.0.1:7000", "-q", "soon"], 'hio connect: -q must be a number of seconds >= 0, got "soon"'],
    [["serial", "monitor", "/dev/ttyUSB0", "--parity", "weird"], 'hio serial monitor: --parity must be none, even, odd, mark or space, got "weird"'],
    [["serial", "monitor", "/dev/ttyUSB0", "--dtr", "maybe"], 'hio serial monitor: --dtr must be on or off, got "maybe"'],
    [["bridge", "--port", "0"], "hio bridge: a device PATH is required"],
    [["bridge", "/dev/ttyUSB0"], "hio bridge: --port is required"],
    [["connect", "127.0.0.1:7000", "--timeout", "soon"], 'hio connect: --timeout must be a number > 0, got "soon"'],
    [["listen", "--port", "1.5"], 'hio listen: --port must be a whole number from 0 to 65535, got "1.5"'],
    [["udp", "shout"], 'hio udp: unknown udp command "shout"'],
    [["udp", "send", "127.0.0.1:9", "x", "--replies", "many"], 'hio udp send: --replies must be a whole number >= 1, got "many"'],
    [["serial", "monitor"], "hio serial monitor: a device PATH is required"],
    [["serial", "monitor", "/dev/ttyUSB0", "--eol", "nl"], 'hio serial monitor: --eol must be crlf, cr or lf, got "nl"'],
    [["echo", "--port", "0", "--wirelog", "/nonexistent-dir/x.wirelog"], "hio echo: --wirelog: cannot open /nonexistent-dir/x.wirelog"],
  ])("rejects %j with exit code 2, naming the problem", async (args, message) => {
    const proc = await hio(args);
    expect(proc.exit?.code).toBe(2);
    expect(proc.stderr).toContain(message);
    expect(proc.stderr).toContain("--help");
  });
});
