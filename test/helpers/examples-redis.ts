/**
 * A real redis-server for the RESP example: on a port found free by binding
 * port 0 first (redis-server does not take `--port 0`), without persistence,
 * in a temp dir; ready once it logs that it accepts connections.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Proc, freePort } from "./examples-process.js";
import { toolProblem } from "./peers.js";

/** A running redis-server. */
export interface Redis {
  port: number;
  proc: Proc;
  /** Kills it and removes its dir. */
  stop(): Promise<void>;
}

/**
 * Starts redis-server on a free loopback port; retries once when another
 * process took the port between the probe and redis' bind.
 */
export async function startRedis(): Promise<Redis> {
  const missing = toolProblem("redis-server");
  if (missing !== undefined) throw new Error(missing);
  let lastError: unknown;
  for (let attempt = 0; attempt < 2; attempt++) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), "hio-redis-"));
    const proc = Proc.spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir]);
    const stop = async () => {
      await proc.kill();
      rmSync(dir, { recursive: true, force: true });
    };
    try {
      await proc.waitFor(/Ready to accept connections/);
      return { port, proc, stop };
    } catch (error) {
      lastError = error;
      await stop();
    }
  }
  throw lastError;
}
