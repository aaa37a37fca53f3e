/**
 * The built package (made by `npm install` through the prepare script, or
 * `npm run build`) resolves every subpath for import and require, with type
 * declarations for both.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const manifest = JSON.parse(readFileSync(`${root}package.json`, "utf8")) as {
  exports: Record<string, { import: { types: string; default: string }; require: { types: string; default: string } } | string>;
  bin: Record<string, string>;
};

const expected: Record<string, string[]> = {
  ".": ["Doist", "RingBuffer", "Server", "Peer", "Serial", "SimNet"],
  "./core": ["Doist", "DoDoer", "Doer", "doify", "Tymist", "Tymer", "Signal", "WAIT"],
  "./io": ["RingBuffer", "readLine", "WireLog", "SlipFramer"],
  "./tcp": ["Client", "Server", "ServerDoer", "ClientTls"],
  "./udp": ["Peer", "PeerDoer", "Memoer"],
  "./serial": ["Serial", "SerialDoer", "Console", "Driver"],
  "./sim": ["SimNet", "runSimulation"],
};

function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: root, encoding: "utf8" });
}

describe("package exports", () => {
  it("has been built (npm install runs the prepare script; or run npm run build)", () => {
    expect(existsSync(`${root}dist/index.js`)).toBe(true);
  });

  it.each(Object.keys(expected))("resolves %s for require and import with the same names, and ships its declarations", (subpath) => {
    const entry = manifest.exports[subpath];
    if (typeof entry !== "object") throw new Error(`exports[${subpath}] must have import and require conditions`);
    for (const file of [entry.import.types, entry.import.default, entry.require.types, entry.require.default]) {
      expect(existsSync(`${root}${file}`), file).toBe(true);
    }
    const specifier = subpath === "." ? "hio-ts" : `hio-ts/${subpath.slice(2)}`;
    const names = JSON.stringify(expected[subpath]);
    const check = `const names = ${names}; const missing = names.filter((name) => m[name] === undefined); if (missing.length) { console.log("missing " + missing); process.exit(1); } console.log("ok");`;
    expect(node(["-e", `const m = require(${JSON.stringify(specifier)}); ${check}`]).trim()).toBe("ok");
    expect(node(["--input-type=module", "-e", `const m = await import(${JSON.stringify(specifier)}); ${check}`]).trim()).toBe("ok");
  });

  it("shares one scheduling context between the ESM and CJS builds", () => {
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

  it("runs the hio bin from the build", () => {
    const bin = manifest.bin.hio;
    if (bin === undefined) throw new Error("package.json has no hio bin");
    expect(node([`${root}${bin}`, "--help"])).toMatch(/usage: hio <command>/);
  });
});
