/**
 * A Doist stopped by SIGTERM shuts its ServerDoers down gracefully first
 * (issue 11): a slow handler still sends its whole reply and FIN, then the
 * process ends by the signal.
 */
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { Doist } from "../../src/core/index.js";

const fixture = fileURLToPath(new URL("../fixtures/tcp-graceful-term.ts", import.meta.url));

describe("Doist on SIGTERM: graceful shutdown of doers that offer it", () => {
  let child: ChildProcess | undefined;
  let socket: net.Socket | undefined;

  afterEach(() => {
    socket?.destroy();
    socket = undefined;
    child?.kill("SIGKILL");
    child = undefined;
  });

  /** Runs the fixture, sends a request, SIGTERMs the child once the handler has it; returns the reply, whether FIN came, and how the child ended. */
  async function requestThenTerm(grace: number): Promise<{ bytes: number; fin: boolean; signal: NodeJS.Signals | null; code: number | null }> {
    child = spawn(process.execPath, ["--import", "tsx", fixture, String(grace)], { stdio: ["ignore", "pipe", "pipe"] });
    const running = child;
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => running.on("exit", (code, signal) => resolve({ code, signal })));
    let output = "";
    const seen = (text: string): Promise<void> =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (output.includes(text)) resolve();
        };
        running.stdout!.on("data", check);
        running.on("exit", () => reject(new Error(`fixture ended before "${text}": ${output}`)));
        check();
      });
    running.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    await seen("port ");
    const port = Number(/port (\d+)/.exec(output)![1]);
    const client = net.connect({ port, host: "127.0.0.1" });
    socket = client;
    let bytes = 0;
    let fin = false;
    client.on("data", (chunk: Buffer) => (bytes += chunk.length));
    client.on("error", () => {});
    const closed = new Promise<void>((resolve) => client.on("close", () => resolve()));
    client.on("end", () => {
      fin = true;
      client.end();
    });
    client.write("request\n");
    await seen("got");
    running.kill("SIGTERM");
    const result = await ended;
    await closed;
    return { bytes, fin, ...result };
  }

  it("lets the slow handler send its whole reply and FIN, then ends by SIGTERM", async () => {
    const result = await requestThenTerm(5);
    expect(result.bytes).toBe(256 * 1024);
    expect(result.fin).toBe(true);
    expect(result.signal).toBe("SIGTERM");
  });

  it("with shutdownGrace 0 stops at once, as before (the reply is cut)", async () => {
    const result = await requestThenTerm(0);
    expect(result.bytes).toBeLessThan(256 * 1024);
    expect(result.signal).toBe("SIGTERM");
  });

  it("checks shutdownGrace: a negative or non-finite value is a RangeError naming it", () => {
    expect(() => new Doist({ shutdownGrace: -1 })).toThrow(RangeError);
    expect(() => new Doist({ shutdownGrace: -1 })).toThrow(/shutdownGrace/);
    expect(() => new Doist({ shutdownGrace: Number.NaN })).toThrow(/shutdownGrace/);
    expect(new Doist().shutdownGrace).toBe(5);
  });
});
