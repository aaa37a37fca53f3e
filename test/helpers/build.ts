/**
 * Builds dist/ for the package tests when it is missing or older than the
 * sources, so they pass on a fresh clone after `npm ci` (which no longer
 * builds: the build runs on `prepack`). One build at a time across workers,
 * by a lock directory.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

/** The repository root. */
export const ROOT = join(import.meta.dirname, "..", "..");

const INPUTS = ["src", "package.json", "tsup.config.ts", "tsconfig.json", "tsconfig.build.json"];
const OUTPUTS = ["dist/index.js", "dist/index.d.ts", "dist/cli/hio.js"];

function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

/** Whether dist/ is missing or older than any input of the build. */
export function buildIsStale(): boolean {
  const outputs = OUTPUTS.map((file) => join(ROOT, file));
  if (!outputs.every((file) => existsSync(file))) return true;
  const built = Math.min(...outputs.map((file) => statSync(file).mtimeMs));
  return INPUTS.some((input) => newest(join(ROOT, input)) > built);
}

/** Runs `npm run build` when dist/ is stale; waits for a build another worker runs. */
export async function ensureBuilt(): Promise<void> {
  const lock = join(ROOT, "node_modules", ".hio-ts-build-lock");
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`waited 300 s for another build (remove ${lock} if none runs)`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    if (buildIsStale()) execFileSync("npm", ["run", "--silent", "build"], { cwd: ROOT, stdio: "pipe" });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
