/**
 * Preload (`node --require`) that makes packages unavailable to this process,
 * as on a machine where they were never installed or cannot load:
 * - HIO_HIDE_PACKAGES=a,b: resolving `a` (or `a/...`) fails with
 *   MODULE_NOT_FOUND, as for a package that is not installed;
 * - HIO_BREAK_PACKAGES=a,b: loading `a` throws node-gyp-build's
 *   "No native build was found" error, as on a platform without a prebuilt addon.
 */
const Module = require("node:module");

const list = (name) => (process.env[name] ?? "").split(",").filter((entry) => entry !== "");
const hidden = list("HIO_HIDE_PACKAGES");
const broken = list("HIO_BREAK_PACKAGES");
const matches = (names, request) => names.some((name) => request === name || request.startsWith(`${name}/`));

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (matches(hidden, request)) {
    const error = new Error(`Cannot find module '${request}'`);
    error.code = "MODULE_NOT_FOUND";
    throw error;
  }
  return resolveFilename.call(this, request, ...rest);
};

const load = Module._load;
Module._load = function (request, ...rest) {
  if (matches(broken, request)) {
    throw new Error(`No native build was found for platform=${process.platform} arch=${process.arch} runtime=node abi=${process.versions.modules} uv=1 libc=glibc node=${process.versions.node}\n    loaded from: /nowhere\n`);
  }
  return load.call(this, request, ...rest);
};
