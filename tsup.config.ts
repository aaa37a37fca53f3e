import { defineConfig } from "tsup";

// ESM only: one module instance for every consumer. Node >= 20.19 loads it
// with require() too, so CJS callers share the same classes (instanceof holds).
// Declarations (with declaration maps) come from tsc -p tsconfig.build.json.
export default defineConfig({
  entry: {
    index: "src/index.ts",
    "core/index": "src/core/index.ts",
    "io/index": "src/io/index.ts",
    "tcp/index": "src/tcp/index.ts",
    "udp/index": "src/udp/index.ts",
    "serial/index": "src/serial/index.ts",
    "sim/index": "src/sim/index.ts",
    "cli/hio": "src/cli/hio.ts",
  },
  format: ["esm"],
  sourcemap: true,
  clean: true,
  target: "node20",
  splitting: true,
  external: ["serialport", "@serialport/bindings-cpp", "@serialport/binding-mock"],
});
