/**
 * Child process for the Console pty test: runs an EchoConsoleDoer on this
 * process's own stdin/stdout (a pty made by socat), then reports whether the
 * terminal mode was restored. Run with `node --import tsx <this file>`.
 */
import { Console, Doist, EchoConsoleDoer } from "../../src/index.js";

const terminal = new Console();
await new Doist({ doers: [new EchoConsoleDoer({ console: terminal })], real: true, tock: 0.01 }).do();
const stdin = process.stdin as { isTTY?: boolean; isRaw?: boolean };
process.stdout.write(`[tty=${String(stdin.isTTY)} raw=${String(stdin.isRaw)}]\n`);
