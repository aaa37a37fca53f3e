import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Socket- and pty-heavy suites share one machine's loopback and ptys;
    // bounded parallelism keeps them from starving each other.
    maxWorkers: 2,
    // One line per missing system peer at the end: "12 tests skipped: socat not found (apt-get install socat)".
    reporters: ["default", "./test/helpers/peer-skip-reporter.ts"],
  },
});
