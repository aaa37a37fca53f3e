/**
 * Real peers for the tcp tests: socat and nc (netcat-openbsd) run as child
 * processes, with what they print collected.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import net from "node:net";

/** A running peer process and what it printed. */
export interface Peer {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  exited(): boolean;
  stop(): void;
}

/** Starts `command` with `args` and collects its output. */
export function startPeer(command: string, args: string[]): Peer {
  const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"] });
  let output = "";
  let exited = false;
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", () => {});
  child.on("exit", () => (exited = true));
  child.on("error", () => (exited = true));
  return {
    child,
    stdout: () => output,
    exited: () => exited,
    stop: () => {
      if (!exited) child.kill();
    },
  };
}

/** Finds a loopback port that is free now (bound and released at once). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
