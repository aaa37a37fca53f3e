#!/usr/bin/env node
/**
 * The `hio` command (in progress).
 *
 * @module
 */
console.error("hio: not built yet");
process.exitCode = 2;
