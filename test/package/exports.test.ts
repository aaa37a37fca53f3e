/**
 * The built package (dist/, built here when stale; `npm pack` builds it on
 * prepack) is ESM only and resolves every subpath for import and for
 * require() (Node >= 20.19 loads ESM with require), to one module instance:
 * a class reached by require is the class reached by import, so errors
 * thrown by code loaded one way are instanceof the other's classes.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, ROOT } from "../helpers/build.js";

interface Manifest {
  type: string;
  main: string;
  types: string;
  engines: { node: string };
  sideEffects: boolean;
  exports: Record<string, { types: string; default: string } | string>;
  bin: Record<string, string>;
  scripts: Record<string, string>;
}
const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as Manifest;

const expected: Record<string, string[]> = {
  ".": ["Doist", "RingBuffer", "Server", "Peer", "Serial", "SimNet", "HioError"],
  "./core": ["Doist", "DoDoer", "Doer", "doify", "Tymist", "Tymer", "Signal", "WAIT"],
  "./io": ["RingBuffer", "readLine", "WireLog", "SlipFramer"],
  "./tcp": ["Client", "Server", "ServerDoer", "ClientTls"],
  "./udp": ["Peer", "PeerDoer", "Memoer"],
  "./serial": ["Serial", "SerialDoer", "Console", "Driver"],
  "./sim": ["SimNet", "runSimulation"],
};

function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** Every file under dist/, relative to it. */
function distFiles(dir = join(ROOT, "dist"), prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? distFiles(join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`],
  );
}

beforeAll(() => ensureBuilt(), 300_000);

describe("package exports", () => {
  it("is ESM only, for Node >= 20.19 (which loads ESM with require)", () => {
    expect(manifest.type).toBe("module");
    expect(manifest.engines.node).toBe(">=20.19");
    expect(distFiles().filter((file) => /\.(cjs|d\.cts)$/.test(file))).toEqual([]);
    expect(existsSync(join(ROOT, "dist/cli/hio.cjs"))).toBe(false);
  });

  it.each(Object.keys(expected))("resolves %s for require and import to the same module, with its declarations", (subpath) => {
    const entry = manifest.exports[subpath];
    if (typeof entry !== "object") throw new Error(`exports[${subpath}] must name types and default`);
    expect(Object.keys(entry)).toEqual(["types", "default"]); // types first, as TypeScript needs
    for (const file of [entry.types, entry.default, `${entry.types}.map`]) expect(existsSync(join(ROOT, file)), file).toBe(true);
    const specifier = subpath === "." ? "hio-ts" : `hio-ts/${subpath.slice(2)}`;
    const script = [
      `import { createRequire } from "node:module";`,
      `const imported = await import(${JSON.stringify(specifier)});`,
      `const required = createRequire(process.cwd() + "/")(${JSON.stringify(specifier)});`,
      `const names = ${JSON.stringify(expected[subpath])};`,
      `const missing = names.filter((name) => imported[name] === undefined);`,
      `const different = names.filter((name) => imported[name] !== required[name]);`,
      `console.log(JSON.stringify({ missing, different }));`,
    ].join("\n");
    expect(JSON.parse(node(["--input-type=module", "-e", script]))).toEqual({ missing: [], different: [] });
  });

  it("makes an error thrown by required code instanceof the imported classes", () => {
    const script = [
      `import { createRequire } from "node:module";`,
      `const { HioError, RingEndedError } = await import("hio-ts");`,
      `const { RingBuffer } = createRequire(process.cwd() + "/")("hio-ts/io");`,
      `const ring = new RingBuffer(8);`,
      `ring.end();`,
      `try { ring.write(new Uint8Array([1])); console.log("no error"); }`,
      `catch (error) { console.log(error instanceof HioError && error instanceof RingEndedError ? "instanceof" : "foreign " + error); }`,
    ].join("\n");
    expect(node(["--input-type=module", "-e", script]).trim()).toBe("instanceof");
  });

  it("loads with a plain require() from a CommonJS script", () => {
    expect(node(["-e", `const m = require("hio-ts"); console.log(typeof m.Doist, typeof m.HioError);`]).trim()).toBe("function function");
  });

  it("shares one scheduling context between import and require", () => {
    const script = [
      `import { createRequire } from "node:module";`,
      `const esm = await import("hio-ts/core");`,
      `const cjs = createRequire(process.cwd() + "/")("hio-ts/core");`,
      `let seen;`,
      `const probe = esm.doify(function* () { seen = cjs.currentWaker(); yield; return true; });`,
      `const doist = new esm.Doist({ doers: [probe] });`,
      `doist.enter();`,
      `console.log(seen !== undefined ? "shared" : "separate");`,
    ].join("\n");
    expect(node(["--input-type=module", "-e", script]).trim()).toBe("shared");
  });

  it("ships source maps without build-machine paths, and declaration maps", () => {
    const maps = distFiles().filter((file) => file.endsWith(".map"));
    expect(maps.some((file) => file.endsWith(".d.ts.map"))).toBe(true);
    for (const file of maps) {
      const map = JSON.parse(readFileSync(join(ROOT, "dist", file), "utf8")) as { sources: string[]; sourceRoot?: string };
      for (const source of map.sources) expect(source, `${file}: ${source}`).not.toMatch(/^(\/|[A-Za-z]:|file:)/);
      expect(map.sourceRoot ?? "").not.toMatch(/^(\/|[A-Za-z]:|file:)/);
      expect(readFileSync(join(ROOT, "dist", file), "utf8")).not.toContain(ROOT);
    }
  });

  it("runs the hio bin from the build", () => {
    const bin = manifest.bin.hio;
    if (bin === undefined) throw new Error("package.json has no hio bin");
    expect(readFileSync(join(ROOT, bin), "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
    expect(node([join(ROOT, bin), "--help"])).toMatch(/usage: hio <command>/);
  });
});
