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
  },
});
