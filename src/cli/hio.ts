#!/usr/bin/env node
/**
 * The `hio` command's entry point (the package's bin). See `hio --help`,
 * docs/cli.md, and {@link run}.
 *
 * @module
 */
import { run } from "./run.js";

// No top-level await: tsup also builds this entry as CommonJS.
run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`hio: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
