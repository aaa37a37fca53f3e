/**
 * Every ```ts block of README.md and docs/*.md (every page, found at run time)
 * compiles: each is written to a module under .docs-check/ in the repository
 * (so "hio-ts" resolves through tsconfig.json's paths, to src/) and all are
 * type-checked by one tsc run. Markers, as HTML comments on the lines right
 * before a block (invisible on the rendered page):
 *
 * - `<!-- prelude: CODE -->` (may span lines): CODE is put before the block
 *   when compiling, for fragments that use names the page set up earlier;
 * - `<!-- run -->`: the block is a whole program; it is run with tsx and must
 *   exit 0 within a minute;
 * - `<!-- output of: npx tsx examples/NAME.ts ARGS -->` before any fenced
 *   block: the block's lines appear, in order and together, in what that
 *   command prints (stdout and stderr).
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../helpers/build.js";

const run = promisify(execFile);
const CHECK_DIR = join(ROOT, ".docs-check");

/** One fenced block of a page. */
interface Block {
  /** The page, relative to the root. */
  page: string;
  /** Line number (1-based) of the block's first code line. */
  line: number;
  lang: string;
  code: string;
  prelude: string;
  run: boolean;
  outputOf: string | undefined;
}

/** README.md and every docs/*.md. */
function pages(): string[] {
  const docs = readdirSync(join(ROOT, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => `docs/${name}`);
  return ["README.md", ...docs];
}

/** The fenced blocks of a page, with the markers in the HTML comments right before each. */
function blocksOf(page: string): Block[] {
  const lines = readFileSync(join(ROOT, page), "utf8").split("\n");
  const blocks: Block[] = [];
  for (let index = 0; index < lines.length; index++) {
    const open = /^(`{3,})([\w-]*)/.exec(lines[index]!);
    if (open === null) continue;
    const fence = open[1]!;
    let end = index + 1;
    while (end < lines.length && lines[end]!.trimEnd() !== fence) end++;
    // The HTML comments directly above the fence (no blank line in between).
    let comments = "";
    for (let above = index - 1; above >= 0 && lines[above]!.trim() !== ""; above--) comments = `${lines[above]}\n${comments}`;
    const markers = [...comments.matchAll(/<!--\s*([\s\S]*?)\s*-->/g)].map((match) => match[1]!);
    const prelude = markers.filter((marker) => marker.startsWith("prelude:")).map((marker) => marker.slice("prelude:".length).trim());
    const outputOf = markers
      .find((marker) => marker.startsWith("output of:"))
      ?.slice("output of:".length)
      .trim();
    blocks.push({
      page,
      line: index + 2,
      lang: open[2]!,
      code: lines.slice(index + 1, end).join("\n"),
      prelude: prelude.join("\n"),
      run: markers.includes("run"),
      outputOf,
    });
    index = end;
  }
  return blocks;
}

const all = pages().flatMap(blocksOf);
const tsBlocks = all.filter((block) => block.lang === "ts" || block.lang === "typescript");
const outputBlocks = all.filter((block) => block.outputOf !== undefined);

/** The module file a block is compiled as. */
function fileOf(block: Block): string {
  return `${block.page.replace(/[/.]/g, "_")}_${block.line}.ts`;
}

/** tsc's errors, by block file. */
const errors = new Map<string, string[]>();

beforeAll(() => {
  rmSync(CHECK_DIR, { recursive: true, force: true });
  mkdirSync(CHECK_DIR, { recursive: true });
  for (const block of tsBlocks) {
    // `export {}` makes every block a module: its own scope, and top-level await.
    const prelude = block.prelude === "" ? "" : `${block.prelude}\n`;
    writeFileSync(join(CHECK_DIR, fileOf(block)), `${prelude}// ---- ${block.page}:${block.line}\n${block.code}\nexport {};\n`);
  }
  writeFileSync(join(CHECK_DIR, "tsconfig.json"), JSON.stringify({ extends: "../tsconfig.json", include: ["*.ts"], compilerOptions: { noEmit: true } }, null, 2));
  let output = "";
  try {
    execFileSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", join(CHECK_DIR, "tsconfig.json"), "--pretty", "false"], {
      cwd: ROOT,
      encoding: "utf8",
      stdio: "pipe",
    });
  } catch (error) {
    output = String((error as { stdout?: string }).stdout ?? error);
  }
  for (const line of output.split("\n")) {
    const match = /^\.docs-check\/([^(]+)\((\d+),\d+\): (.*)$/.exec(line);
    if (match === null) continue;
    const file = match[1]!;
    const block = tsBlocks.find((candidate) => fileOf(candidate) === file);
    const preludeLines = block !== undefined && block.prelude !== "" ? block.prelude.split("\n").length : 0;
    // Map the line back to the page: the block's first line follows the prelude and the marker comment.
    const pageLine = block === undefined ? 0 : block.line + Number(match[2]) - preludeLines - 2;
    const list = errors.get(file) ?? [];
    list.push(pageLine > 0 && pageLine >= (block?.line ?? 0) ? `${block?.page}:${pageLine}: ${match[3]}` : `(prelude) ${match[3]}`);
    errors.set(file, list);
  }
  if (output !== "" && errors.size === 0) throw new Error(`tsc failed without per-file errors:\n${output}`);
}, 120_000);

afterAll(() => rmSync(CHECK_DIR, { recursive: true, force: true }));

describe("code blocks in README.md and docs/*.md", () => {
  it("finds the pages and their ts blocks", () => {
    expect(pages()).toContain("docs/io.md");
    expect(tsBlocks.length).toBeGreaterThan(5);
  });

  it.each(tsBlocks.map((block) => [`${block.page}:${block.line}`, block] as const))("%s compiles", (_name, block) => {
    expect(errors.get(fileOf(block)) ?? []).toEqual([]);
  });

  const programs = tsBlocks.filter((block) => block.run);
  it.each(programs.map((block) => [`${block.page}:${block.line}`, block] as const))("%s runs and exits 0", async (_name, block) => {
    const result = await run(process.execPath, ["--import", "tsx", join(CHECK_DIR, fileOf(block))], { cwd: ROOT, timeout: 60_000 });
    expect(result.stderr).toBe("");
  });

  it.each(outputBlocks.map((block) => [`${block.page}:${block.line}`, block] as const))("%s shows what its command prints", async (_name, block) => {
    const command = block.outputOf!;
    const match = /^npx tsx (examples\/[\w-]+\.ts)((?: [^\s;&|<>`$]+)*)$/.exec(command);
    if (match === null) throw new Error(`"output of" takes "npx tsx examples/NAME.ts ARGS", not: ${command}`);
    const args = match[2]!.trim() === "" ? [] : match[2]!.trim().split(" ");
    let printed: string;
    try {
      const result = await run(process.execPath, ["--import", "tsx", match[1]!, ...args], { cwd: ROOT, timeout: 60_000 });
      printed = result.stdout + result.stderr;
    } catch (error) {
      // A listing of a failure comes from a command that exits non-zero.
      const failed = error as { stdout?: string; stderr?: string; code?: unknown };
      if (typeof failed.code !== "number") throw error;
      printed = `${failed.stdout ?? ""}${failed.stderr ?? ""}`;
    }
    const shown = block.code.split("\n");
    const lines = printed.split("\n");
    const at = lines.findIndex((_, index) => shown.every((line, offset) => lines[index + offset] === line));
    expect(at, `the block's lines are not together in the output of ${command}:\n${printed}`).toBeGreaterThanOrEqual(0);
  });
});
