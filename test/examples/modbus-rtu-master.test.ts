/**
 * The command line of examples/modbus-rtu-master.ts, run as `tsx` would run
 * it, against a pymodbus RTU server (a peer no one here wrote) on the other
 * end of a socat pty pair: every function the master has (1, 2, 3, 4, 5, 6,
 * 15, 16), reads checked against the server's tables and writes read back.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Proc } from "../helpers/examples-process.js";
import { needPeers } from "../helpers/peers.js";
import { PtyPair } from "../helpers/serial-pty.js";
import { Cleanup } from "../helpers/tcp-harness.js";

/** socat makes the pty pair; pymodbus is the server on its other end. */
const modbus = needPeers("socat", { python: ["pymodbus"] });

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** Runs the example to its end and returns its output. */
async function master(args: string[]): Promise<Proc> {
  const proc = cleanup.add(Proc.tsx("examples/modbus-rtu-master.ts", args, { input: "" }), (p) => p.kill());
  await proc.waitExit(40_000);
  return proc;
}

describe("examples/modbus-rtu-master.ts command line", () => {
  it("prints its help for --help instead of opening a device called --help", async () => {
    const proc = await master(["--help"]);
    expect(proc.exit).toEqual({ code: 0, signal: null });
    expect(proc.stdout).toContain("usage: tsx examples/modbus-rtu-master.ts PATH");
    expect(proc.stdout).toContain("write-coils ADDRESS 1,0,1,...          function 15");
    expect(proc.stderr).toBe("");
    const bad = await master(["/dev/null", "read-everything", "0", "1"]);
    expect(bad.exit?.code).toBe(2);
    expect(bad.stderr).toContain('unknown command "read-everything"');
  });

  modbus.it(
    "reaches functions 1, 2, 3, 4, 5, 6, 15 and 16 of a pymodbus server",
    async () => {
      const pair = cleanup.add(await PtyPair.create(), (p) => p.dispose());
      const server = cleanup.add(Proc.spawn(modbus.python, ["test/helpers/examples-modbus-server.py", pair.b, "19200"]), (p) => p.kill());
      await server.waitFor(/ready/, "stdout", 30_000);
      const run = async (args: string[]): Promise<string[]> => {
        const proc = await master([pair.a, "--timeout", "2", ...args]);
        expect(proc.exit, `${args.join(" ")}: ${proc.stderr}`).toEqual({ code: 0, signal: null });
        return proc.stdout.trim().split("\n");
      };
      // the first form (function 3), as the README shows it
      expect(await run(["19200", "1", "2", "3"])).toEqual(["register 2 = 22", "register 3 = 33", "register 4 = 44"]);
      expect(await run(["read-coils", "0", "7"])).toEqual([0, 1, 2, 3, 4, 5, 6].map((n) => `coil ${n} = ${n % 3 === 0 ? 1 : 0}`));
      expect(await run(["read-discrete-inputs", "4", "3"])).toEqual(["input 4 = 0", "input 5 = 1", "input 6 = 0"]);
      expect(await run(["read-input-registers", "10", "2"])).toEqual(["register 10 = 1010", "register 11 = 1011"]);
      expect(await run(["write-coil", "1", "on"])).toEqual(["ok"]);
      expect(await run(["write-coils", "8", "1,1,0,1,0,0,0,0,1"])).toEqual(["ok"]);
      expect(await run(["read-coils", "0", "17"])).toEqual([1, 1, 0, 1, 0, 0, 1, 0, 1, 1, 0, 1, 0, 0, 0, 0, 1].map((on, n) => `coil ${n} = ${on}`));
      expect(await run(["write-register", "5", "4242"])).toEqual(["ok"]);
      expect(await run(["write-registers", "20", "1,65535,300"])).toEqual(["ok"]);
      expect(await run(["read-holding-registers", "5", "1"])).toEqual(["register 5 = 4242"]);
      expect(await run(["read-holding-registers", "20", "3"])).toEqual(["register 20 = 1", "register 21 = 65535", "register 22 = 300"]);
      // an address the server does not have: a Modbus exception, exit 1
      const failed = await master([pair.a, "--timeout", "2", "read-input-registers", "100", "1"]);
      expect(failed.exit?.code).toBe(1);
      expect(failed.stderr).toMatch(/modbus unit 1 function 4 on .*: exception 2 \(illegal data address\)/);
    },
    240_000,
  );
});
