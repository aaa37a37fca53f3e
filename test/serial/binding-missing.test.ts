/**
 * The native binding is an optional dependency: without it (not installed,
 * or no addon for the platform) serial use fails with a typed error naming
 * the package to install. A preload (test/helpers/hide-package.cjs) makes the
 * package unresolvable or its addon fail in a child process, since
 * uninstalling it in a test is not practical; the real path runs in-process.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { listSerialPorts, nativeSerialBinding, SERIAL_BINDINGS_PACKAGE } from "../../src/serial/index.js";

const run = promisify(execFile);
const PRELOAD = ["--require", "./test/helpers/hide-package.cjs", "--import", "tsx"];

interface Failure {
  typed: boolean;
  hio: boolean;
  open: boolean;
  packageName?: string;
  message: string;
  state?: string;
  due?: number | null;
}

async function probe(env: Record<string, string>): Promise<{ list: Failure; open: Failure }> {
  const { stdout } = await run(process.execPath, [...PRELOAD, "test/helpers/serial-missing-probe.ts"], { timeout: 20_000, env: { ...process.env, ...env } });
  return JSON.parse(stdout) as { list: Failure; open: Failure };
}

const install = `npm install ${SERIAL_BINDINGS_PACKAGE}`;

describe("without the optional native binding", () => {
  it("names the package to install when it is not installed (listing and opening)", async () => {
    const { list, open } = await probe({ HIO_HIDE_PACKAGES: SERIAL_BINDINGS_PACKAGE });
    for (const failure of [list, open]) {
      expect(failure).toMatchObject({ typed: true, hio: true, open: true, packageName: "@serialport/bindings-cpp" });
      expect(failure.message).toContain("is not installed");
      expect(failure.message).toContain(install);
    }
    expect(open.message).toMatch(/^serial \/dev\/ttyNOPE0: /);
    // A reopenable Serial does not retry a missing package: it is closed, nothing is due.
    expect([open.state, open.due]).toEqual(["closed", null]); // Infinity prints as null
  });

  it("names the package when its native addon cannot load on this platform", async () => {
    const { list, open } = await probe({ HIO_BREAK_PACKAGES: SERIAL_BINDINGS_PACKAGE });
    for (const failure of [list, open]) {
      expect(failure).toMatchObject({ typed: true, packageName: "@serialport/bindings-cpp" });
      expect(failure.message).toMatch(/cannot load its native addon on \w+-\w+ \(No native build was found/);
      expect(failure.message).toContain(install);
    }
  });

  it("hio serial list says what to install, with no stack trace", async () => {
    const failed = await run(process.execPath, [...PRELOAD, "src/cli/hio.ts", "serial", "list"], {
      timeout: 20_000,
      env: { ...process.env, HIO_HIDE_PACKAGES: SERIAL_BINDINGS_PACKAGE },
    }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed).toBeDefined();
    expect(failed!.code).not.toBe(0);
    expect(failed!.stderr).toContain(install);
    expect(failed!.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("with the native binding installed", () => {
  it("loads it once and lists ports through it", async () => {
    const binding = nativeSerialBinding();
    expect(nativeSerialBinding()).toBe(binding);
    expect(Array.isArray(await listSerialPorts())).toBe(true);
  });
});
