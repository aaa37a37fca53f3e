import { defineConfig } from "tsup";

const library = {
  index: "src/index.ts",
  "core/index": "src/core/index.ts",
  "io/index": "src/io/index.ts",
  "tcp/index": "src/tcp/index.ts",
  "udp/index": "src/udp/index.ts",
  "serial/index": "src/serial/index.ts",
  "sim/index": "src/sim/index.ts",
};

export default defineConfig({
  entry: { ...library, "cli/hio": "src/cli/hio.ts" },
  format: ["esm", "cjs"],
  // Declarations for the library subpaths only: the hio command is a program.
  dts: { entry: library },
  sourcemap: true,
  clean: true,
  target: "node20",
  splitting: true,
  external: ["serialport", "@serialport/bindings-cpp", "@serialport/binding-mock"],
  shims: true,
});
