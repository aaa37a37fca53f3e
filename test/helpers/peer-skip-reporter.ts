/**
 * A vitest reporter that ends the run with one line per missing system peer:
 * "12 tests skipped: socat not found (apt-get install socat)". It reads the
 * reason that test/helpers/peers.ts puts in the name of a skipped test or
 * suite, so the counts are what vitest actually skipped.
 */
import type { Reporter, TestCase, TestModule } from "vitest/node";
import { SKIP_MARK } from "./peers.js";

/** The peer-skip reason in the name of `test` or one of its suites, if any. */
function skipReason(test: TestCase): string | undefined {
  let node: TestCase | TestCase["parent"] = test;
  while (node.type !== "module") {
    const at = node.name.indexOf(SKIP_MARK);
    if (at >= 0) return node.name.slice(at + SKIP_MARK.length);
    node = node.parent;
  }
  return undefined;
}

/** Prints the skip summary at the end of the run. */
export default class PeerSkipReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const counts = new Map<string, number>();
    let total = 0;
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        if (test.result().state !== "skipped") continue;
        const reason = skipReason(test);
        if (reason === undefined) continue;
        total++;
        for (const problem of reason.split("; ")) counts.set(problem, (counts.get(problem) ?? 0) + 1);
      }
    }
    if (total === 0) return;
    const plural = (count: number) => `${count} test${count === 1 ? "" : "s"}`;
    const lines = [...counts].sort((a, b) => b[1] - a[1]).map(([problem, count]) => `  ${plural(count)} skipped: ${problem}`);
    process.stdout.write(`\n${plural(total)} skipped because system peers are missing (HIO_REQUIRE_PEERS=1 makes them fail instead):\n${lines.join("\n")}\n`);
  }
}
