/**
 * What `npm pack` puts in the tarball: built on prepack (not prepare, so
 * `npm install` of a clone does not build and `npm pack --json` prints only
 * JSON), with the LICENSE, the docs and examples the README links to, the
 * sources the declaration maps point at, and no tests.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, ROOT } from "../helpers/build.js";

interface Manifest {
  scripts: Record<string, string>;
  license: string;
  repository: { url: string };
  bugs: { url: string };
  homepage: string;
  sideEffects: boolean;
}
const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as Manifest;

let files: string[] = [];
let stdout = "";

beforeAll(async () => {
  await ensureBuilt();
  // --ignore-scripts: the build is fresh (ensureBuilt); prepack would rebuild it while other tests read dist/.
  stdout = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const report = JSON.parse(stdout) as { files: { path: string }[] }[];
  files = report[0]?.files.map((file) => file.path) ?? [];
}, 300_000);

describe("npm pack", () => {
  it("builds on prepack, not on prepare", () => {
    expect(manifest.scripts.prepare).toBeUndefined();
    expect(manifest.scripts.prepack).toBe("npm run build");
  });

  it("prints only JSON with --json", () => {
    expect(() => JSON.parse(stdout)).not.toThrow();
    expect(stdout.trimStart().startsWith("[")).toBe(true);
  });

  it("ships LICENSE (Apache-2.0), and names the repository, bugs and homepage", () => {
    expect(files).toContain("LICENSE");
    expect(readFileSync(join(ROOT, "LICENSE"), "utf8")).toContain("Apache License\n                           Version 2.0, January 2004");
    expect(manifest.license).toBe("Apache-2.0");
    expect(manifest.repository.url).toMatch(/^git\+https:\/\//);
    expect(manifest.bugs.url).toMatch(/^https:\/\//);
    expect(manifest.homepage).toMatch(/^https:\/\//);
    expect(manifest.sideEffects).toBe(false);
  });

  it("ships every file the README and docs link to", () => {
    const texts = ["README.md", ...files.filter((file) => /^docs\/[^/]+\.md$/.test(file))].map((file) => ({ file, text: readFileSync(join(ROOT, file), "utf8") }));
    const missing: string[] = [];
    for (const { file, text } of texts) {
      for (const match of text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
        const target = match[1]!;
        if (/^[a-z]+:/.test(target) || target.startsWith("api/") || target.startsWith("docs/api/")) continue; // URLs; the generated API pages
        const path = join(file.includes("/") ? file.slice(0, file.lastIndexOf("/")) : "", target).replace(/\\/g, "/");
        if (!files.includes(path)) missing.push(`${file} -> ${target}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("ships dist with declarations and their maps, the sources they map to, and no tests", () => {
    expect(files).toContain("dist/index.js");
    expect(files).toContain("dist/index.d.ts");
    expect(files).toContain("dist/index.d.ts.map");
    expect(files).toContain("src/index.ts");
    expect(files).toContain("dist/cli/hio.js");
    expect(files.filter((file) => file.startsWith("test/") || file.startsWith("bench/") || file.startsWith("docs/api/"))).toEqual([]);
    expect(files.filter((file) => file.endsWith(".cjs"))).toEqual([]);
  });
});
