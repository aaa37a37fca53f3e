/**
 * Child process for the lazy-loading test: imports a module of hio-ts and
 * prints which serialport modules Node has loaded, before and after asking
 * for the native binding. Run with `node --import tsx <this file> <module>`.
 */
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";

const require = createRequire(import.meta.url);

function loaded(): string[] {
  return Object.keys(require.cache).filter((key) => /[\\/]node_modules[\\/](serialport|@serialport)[\\/]/.test(key));
}

const target = process.argv[2] ?? "src/index.ts";
const module = (await import(pathToFileURL(resolve(target)).href)) as { nativeSerialBinding: () => unknown };
const before = loaded();
module.nativeSerialBinding();
const after = loaded();
process.stdout.write(JSON.stringify({ before, after: after.length }));
