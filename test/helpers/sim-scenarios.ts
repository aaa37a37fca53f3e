/**
 * Scenarios for the simulation tests: the TCP echo and chat programs written
 * with the public hio-ts API, run on a SimNet.
 */
import { doify, type DoFunction } from "../../src/core/index.js";
import { readLine, writeText } from "../../src/io/index.js";
import { ByteLedger, RequestTracker, type LinkConditions, type SimContext, type SimScenario } from "../../src/sim/index.js";
import { Client, ClientDoer, EchoServerDoer, Server, ServerDoer, type Remoter } from "../../src/tcp/index.js";
import { WireLog } from "../../src/io/index.js";

const decoder = new TextDecoder();

/** What the echo scenario reports. */
export interface EchoReport {
  answered: number;
  slowest: number;
  transcript: string;
  trace: string[];
}

/** Options of {@link echoScenario}. */
export interface EchoScenarioOptions {
  clients?: number;
  lines?: number;
  conditions?: Partial<LinkConditions>;
  /** Partition client 0 from the server over this span of tyme. */
  partition?: [number, number];
  /** Deadline for every echo. */
  within?: number;
  limit?: number;
}

/**
 * Clients that each send `lines` lines to an EchoServerDoer and check every
 * echo; a WireLog on every handle; invariants "no byte lost" and "answered
 * within".
 */
export function echoScenario(options: EchoScenarioOptions = {}): SimScenario<EchoReport> {
  const { clients = 2, lines = 20, conditions = { latency: 0.02, jitter: 0.01, loss: 0.1 }, partition, within = 5, limit = 120 } = options;
  const talkers: DoFunction[] = [];
  return {
    name: "lossy echo",
    limit,
    net: { conditions, trace: true },
    build: ({ net, checks, doist }: SimContext) => {
      talkers.length = 0;
      net.addHost("server");
      const wirelog = new WireLog({ tymth: doist.tymen(), name: "echo" });
      const server = new Server({ driver: net.tcpDriver("server"), host: "0.0.0.0", port: 7, wirelog });
      const ledger = new ByteLedger();
      const requests = new RequestTracker();
      checks.add("no byte lost", ledger.check);
      checks.add(`answered within ${within} s`, requests.within(within));
      checks.addFinal("every byte echoed", ledger.settled);
      if (partition !== undefined) {
        net.at(partition[0], (n) => n.partition(["client0"], ["server"]), "partition client0|server");
        net.at(partition[1], (n) => n.heal(), "heal");
      }
      const doers = [];
      doers.push(new EchoServerDoer({ server }));
      for (let index = 0; index < clients; index++) {
        const name = `client${index}`;
        net.addHost(name);
        // Reconnectable: under heavy loss a connect can lose its SYN often enough to time out.
        const client = new Client({ driver: net.tcpDriver(name), host: "server", port: 7, wirelog, reconnectable: true, tymeout: 2 });
        doers.push(new ClientDoer({ client }));
        const talker = doify(
          function* talker(tymth) {
            yield* client.waitConnected({ timeout: 30 });
            for (let line = 0; line < lines; line++) {
              const message = `${name} line ${line}\n`;
              const id = `${name}#${line}`;
              requests.open(id, tymth());
              ledger.sent(name, new TextEncoder().encode(message));
              yield* writeText(client.txbs, message);
              const echo = yield* readLine(client.rxbs, { timeout: 60 });
              ledger.received(name, new TextEncoder().encode(`${decoder.decode(echo)}\n`));
              requests.close(id, tymth());
              yield 0.05;
            }
            return true;
          },
          { name: `talker ${name}` },
        );
        talkers.push(talker);
        doers.push(talker);
      }
      return {
        doers,
        report: () => ({
          answered: requests.answered,
          slowest: requests.slowest,
          transcript: wirelog.entries.map((entry) => `${entry.tyme} ${entry.direction} ${entry.peer} ${Buffer.from(entry.bytes).toString("hex")}`).join("\n"),
          trace: net.traceLines,
        }),
      };
    },
    done: () => talkers.length > 0 && talkers.every((talker) => talker.done === true),
  };
}

/** What the chat scenario reports. */
export interface ChatReport {
  /** Lines each client received, by client. */
  received: Map<string, string[]>;
}

/**
 * A chat server (ServerDoer with a handler that relays every line to every
 * other connection) and `clients` clients that each say `lines` things.
 */
export function chatScenario(options: { clients?: number; lines?: number; conditions?: Partial<LinkConditions>; partition?: [number, number] } = {}): SimScenario<ChatReport> {
  const { clients = 4, lines = 10, conditions = { latency: 0.03, jitter: 0.02, loss: 0.05 }, partition } = options;
  const received = new Map<string, string[]>();
  return {
    name: "chat",
    limit: 120,
    net: { conditions },
    build: ({ net }: SimContext) => {
      received.clear();
      net.addHost("server");
      const server = new Server({ driver: net.tcpDriver("server"), host: "0.0.0.0", port: 6667 });
      const relay = function* relay(remoter: Remoter) {
        for (;;) {
          const line = yield* readLine(remoter.rxbs, { max: 1024 });
          for (const other of server.remoters.values()) {
            if (other !== remoter) yield* writeText(other.txbs, `${decoder.decode(line)}\n`);
          }
        }
      };
      if (partition !== undefined) {
        net.at(partition[0], (n) => n.partition(["client1"], ["server"]), "partition client1|server");
        net.at(partition[1], (n) => n.heal(), "heal");
      }
      const doers = [];
      doers.push(new ServerDoer({ server, handler: relay }));
      for (let index = 0; index < clients; index++) {
        const name = `client${index}`;
        net.addHost(name);
        const inbox: string[] = [];
        received.set(name, inbox);
        const client = new Client({ driver: net.tcpDriver(name), host: "server", port: 6667 });
        doers.push(new ClientDoer({ client }));
        doers.push(
          doify(
            function* chatter() {
              yield* client.waitConnected({ timeout: 30 });
              while (server.remoters.size < clients) yield 0.1; // everyone is in the room
              for (let line = 0; line < lines; line++) {
                yield* writeText(client.txbs, `${name}: ${line}\n`);
                yield 0.1;
              }
              return true;
            },
            { name: `chatter ${name}` },
          ),
          doify(
            function* listener() {
              for (;;) inbox.push(decoder.decode(yield* readLine(client.rxbs, { max: 1024 })));
            },
            { name: `listener ${name}` },
          ),
        );
      }
      return { doers, report: () => ({ received }) };
    },
    done: () => [...received.values()].every((inbox) => inbox.length === (clients - 1) * lines),
  };
}
