/**
 * A TCP echo service on a simulated, lossy, partitioned network: the same
 * Server, Client and line handler you would run on real sockets, given a
 * SimNet driver instead. It runs in virtual tyme (no sleeping), so a minute
 * of traffic takes milliseconds, and every run of a seed is identical.
 *
 * ```sh
 * npx tsx examples/sim-lossy-echo.ts                         # seed 1: 10% loss, jitter, a partition from 2 s to 4 s
 * npx tsx examples/sim-lossy-echo.ts --seed 42 --loss 0.3    # another seed, more loss
 * npx tsx examples/sim-lossy-echo.ts --sweep 200             # seeds 0..199; lists the failures
 * npx tsx examples/sim-lossy-echo.ts --sweep 50 --deadline 0.5   # a deadline loss will break: see a failure report
 * ```
 *
 * Each run checks two invariants every tick: no byte is lost or changed
 * (a ByteLedger of what was sent and echoed) and every line is echoed within
 * `--deadline` seconds of tyme. A broken one stops the run with its seed, the
 * tyme and the tree of live doers, and the command to replay it.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import {
  ByteLedger,
  Client,
  ClientDoer,
  decodeUtf8,
  encodeUtf8,
  readLine,
  RequestTracker,
  runSimulation,
  Server,
  ServerDoer,
  SimulationError,
  sweepSeeds,
  WireLog,
  writeAll,
  type Doable,
  type Remoter,
  type SimScenario,
  type Operation,
} from "hio-ts";

/** Options of {@link lossyEcho}. */
export interface LossyEchoOptions {
  /** Echo clients. Default 3. */
  clients?: number;
  /** Lines each client sends. Default 20. */
  lines?: number;
  /** Probability a packet is lost. Default 0.1. */
  loss?: number;
  /** Seconds of tyme within which every line must be echoed. Default 10. */
  deadline?: number;
  /** Partition client0 from the server over this span of tyme. Default [2, 4]. */
  partition?: [number, number] | undefined;
}

/** What one run reports. */
export interface LossyEchoReport {
  /** Lines echoed. */
  echoed: number;
  /** Longest seconds of tyme a line waited for its echo. */
  slowest: number;
  /** Every chunk every handle moved, as text: identical for identical seeds. */
  transcript: string;
}

/** The protocol: echo each line. The same generator would run on real sockets. */
function* echoLines(remoter: Remoter): Operation<void> {
  for (;;) {
    const line = yield* readLine(remoter.rxbs, { max: 8192 });
    yield* writeAll(remoter.txbs, encodeUtf8(`${decodeUtf8(line)}\n`));
  }
}

/**
 * Builds the scenario: a server and `clients` clients on a SimNet, each
 * client sending `lines` lines and checking every echo.
 * @param options sizes, loss, deadline, partition
 * @returns the scenario, to run with a seed
 */
export function lossyEcho(options: LossyEchoOptions = {}): SimScenario<LossyEchoReport> {
  const { clients = 3, lines = 20, loss = 0.1, deadline = 10, partition = [2, 4] } = options;
  let talkers: ClientDoer[] = [];
  return {
    name: "lossy echo",
    limit: 600,
    net: { conditions: { latency: 0.02, jitter: 0.02, loss } },
    build({ net, checks, doist }) {
      const tymth = doist.tymen();
      const wirelog = new WireLog({ tymth, name: "lossy echo" });
      const ledger = new ByteLedger();
      const requests = new RequestTracker();
      checks.add("no byte lost or changed", ledger.check);
      checks.add(`every line echoed within ${deadline} s`, requests.within(deadline));
      checks.addFinal("every line echoed", ledger.settled);

      net.addHost("server");
      // The one option that picks the simulation: the driver.
      const server = new Server({ driver: net.tcpDriver("server"), host: "0.0.0.0", port: 7, wirelog });
      const doers: Doable[] = [new ServerDoer({ server, handler: echoLines })];
      talkers = [];
      for (let index = 0; index < clients; index++) {
        const name = `client${index}`;
        net.addHost(name);
        const client = new Client({ driver: net.tcpDriver(name), host: "server", port: 7, reconnectable: true, tymeout: 2, wirelog });
        // The ClientDoer is done when its handler returns (and closes the client).
        const talker = new ClientDoer({
          client,
          handler: function* talk(client) {
            yield* client.waitConnected();
            for (let line = 0; line < lines; line++) {
              const text = `${name} says ${line}\n`;
              requests.open(`${name}#${line}`, tymth());
              ledger.sent(name, encodeUtf8(text));
              yield* writeAll(client.txbs, encodeUtf8(text));
              const echo = yield* readLine(client.rxbs);
              ledger.received(name, encodeUtf8(`${decodeUtf8(echo)}\n`));
              requests.close(`${name}#${line}`, tymth());
              yield 0.1;
            }
          },
        });
        talkers.push(talker);
        doers.push(talker);
      }
      if (partition !== undefined) {
        net.at(partition[0], (n) => n.partition(["client0"], ["server"]), "partition client0 | server");
        net.at(partition[1], (n) => n.heal(), "heal");
      }
      return {
        doers,
        report: () => ({
          echoed: requests.answered,
          slowest: requests.slowest,
          transcript: wirelog.entries.map((entry) => `${entry.tyme} ${entry.direction} ${entry.peer} ${Buffer.from(entry.bytes).toString("hex")}`).join("\n"),
        }),
      };
    },
    done: () => talkers.length > 0 && talkers.every((talker) => talker.done === true),
  };
}

/**
 * Runs one seed (twice, to show it reproduces) or sweeps many.
 * @param argv command-line arguments
 * @param out where to print
 * @returns the exit code: 0 when every run held its invariants
 */
export async function main(argv: string[] = process.argv.slice(2), out: (line: string) => void = console.log): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      seed: { type: "string", default: "1" },
      loss: { type: "string", default: "0.1" },
      deadline: { type: "string", default: "10" },
      clients: { type: "string", default: "3" },
      lines: { type: "string", default: "20" },
      sweep: { type: "string" },
    },
  });
  const options: LossyEchoOptions = {
    loss: Number(values.loss),
    deadline: Number(values.deadline),
    clients: Number(values.clients),
    lines: Number(values.lines),
  };
  if (values.sweep !== undefined) {
    const count = Number(values.sweep);
    const seeds = Array.from({ length: count }, (_, seed) => seed);
    const sweep = await sweepSeeds(lossyEcho(options), seeds);
    out(`${sweep.runs} seeds in ${(sweep.wallMs / 1000).toFixed(2)} s of wall time: ${sweep.failures.length} failed`);
    const first = sweep.failures[0];
    if (first !== undefined) {
      out(`seeds that failed: ${sweep.failures.map((failure) => failure.seed).join(", ")}`);
      out(`first failure:\n${first.message}`);
    }
    return sweep.failures.length === 0 ? 0 : 1;
  }
  const seed = Number(values.seed);
  try {
    const started = performance.now();
    const first = await runSimulation(lossyEcho(options), { seed });
    const wall = performance.now() - started;
    const again = await runSimulation(lossyEcho(options), { seed });
    const hash = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 16);
    const report = first.report!;
    const stats = first.net.stats;
    out(`seed ${seed}: ${report.echoed} lines echoed by tyme ${first.tyme.toFixed(3)} s (${wall.toFixed(0)} ms of wall time)`);
    out(`slowest echo ${report.slowest.toFixed(3)} s; ${stats.segmentsSent} segments, ${stats.segmentsRetransmitted} retransmitted, ${stats.streamBytesDelivered} bytes delivered`);
    out(
      `transcript sha256 ${hash(report.transcript)}; second run ${hash(again.report!.transcript)}: ${report.transcript === again.report!.transcript ? "reproduced" : "DIFFERENT"}`,
    );
    return 0;
  } catch (error) {
    if (!(error instanceof SimulationError)) throw error;
    out(error.message);
    return 1;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main();
