import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = fileURLToPath(new URL("./src/", import.meta.url));

export default defineConfig({
  // Examples and docs import the package by its name, as users do; in the
  // tests that is the source (tsconfig.json's paths do the same for tsc and tsx).
  resolve: {
    alias: [
      { find: /^hio-ts$/, replacement: `${src}index.ts` },
      { find: /^hio-ts\/(core|io|tcp|udp|serial|sim)$/, replacement: `${src}$1/index.ts` },
    ],
  },
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
