import { describe, expect, it } from "vitest";
import { runSimulation, type SimScenario } from "../../src/sim/index.js";
import { Serial, SerialDoer } from "../../src/serial/index.js";
import { Client, ClientDoer, Server, ServerDoer } from "../../src/tcp/index.js";
import { ModbusCrcError, ModbusError, ModbusRtuMaster, ModbusTimeoutError } from "../../examples/modbus-rtu-master.js";
import { echoTalker, type Echo } from "../../examples/tcp-echo-client.js";
import { echoLines, echoServer } from "../../examples/tcp-echo-server.js";
import { ChatRoom, chatServer } from "../../examples/chat-server.js";
import { doify, type Doable } from "../../src/core/index.js";
import { readLineText, writeText } from "../../src/io/index.js";
import { modbusSlave, type SlaveStats } from "../helpers/sim-modbus.js";

describe("the examples' protocol code on SimNet", () => {
  it("runs the echo example's server handler and client talker through loss and a partition", async () => {
    const echoes: Echo[][] = [];
    const messages = Array.from({ length: 15 }, (_, i) => `message ${i}`);
    const scenario: SimScenario = {
      name: "echo example",
      limit: 120,
      tock: 0.01,
      net: { conditions: { latency: 0.02, jitter: 0.02, loss: 0.1 } },
      build: ({ net }) => {
        echoes.length = 0;
        net.addHost("server");
        const { doer } = echoServer({ driver: net.tcpDriver("server"), host: "0.0.0.0", port: 7000 });
        const doers = [doer];
        for (let index = 0; index < 3; index++) {
          net.addHost(`client${index}`);
          const client = new Client({ driver: net.tcpDriver(`client${index}`), host: "server", port: 7000 });
          const got: Echo[] = [];
          echoes.push(got);
          doers.push(new ClientDoer({ client, handler: echoTalker(messages, got, 30) }) as never);
        }
        net.at(0.5, (n) => n.partition(["client1"], ["server"]), "split");
        net.at(3, (n) => n.heal(), "heal");
        return doers;
      },
      done: () => echoes.length === 3 && echoes.every((got) => got.length === messages.length),
    };
    const result = await runSimulation(scenario, { seed: 21 });
    expect(result.finished).toBe(true);
    for (const got of echoes) expect(got.map((echo) => echo.received)).toEqual(messages);
    expect(result.tyme).toBeGreaterThan(3); // client1 waited for the heal
  });

  it("runs the Modbus RTU master against a simulated slave through bit errors and an unplug", async () => {
    const registers = [1234, 5678, 42, 65535];
    const polls: { tyme: number; values?: number[]; error?: ModbusError }[] = [];
    const slaveStats: SlaveStats = { answered: 0, badCrc: 0 };
    let serial: Serial | undefined;
    const scenario: SimScenario = {
      name: "modbus master",
      limit: 12,
      tock: 0.001,
      build: ({ net, checks }) => {
        polls.length = 0;
        const link = net.serialLink("/dev/ttySIM0", { baudRate: 19200, bitErrorRate: 2e-4 });
        serial = new Serial({ path: "/dev/ttySIM0", baudRate: 19200, binding: net.serialBinding(), reopenable: true, tymeout: 0.5 });
        net.at(4, () => link.unplug(), "unplug");
        net.at(6, () => link.replug(), "replug");
        checks.add("never accepts wrong register values", () => {
          const last = polls[polls.length - 1];
          return last?.values === undefined || last.values.join() === registers.join() || `read ${last.values.join()} at ${last.tyme}`;
        });
        const master = new SerialDoer({
          serial,
          handler: function* poll(handle) {
            const modbus = new ModbusRtuMaster({ serial: handle, timeout: 0.2 });
            for (;;) {
              const tyme = handle.tyme ?? 0;
              try {
                polls.push({ tyme, values: yield* modbus.readHoldingRegisters(1, 0, 4) });
              } catch (error) {
                if (!(error instanceof ModbusError)) throw error;
                polls.push({ tyme, error });
              }
              yield 0.05;
            }
          },
        });
        return [master, modbusSlave(link.device, 1, registers, (3.5 * 11) / 19200, slaveStats)];
      },
    };
    const result = await runSimulation(scenario, { seed: 5 });
    const good = polls.filter((poll) => poll.values !== undefined);
    const failed = polls.filter((poll) => poll.error !== undefined);
    expect(good.length).toBeGreaterThan(100);
    expect(failed.some((poll) => poll.tyme > 4 && poll.tyme < 6 && poll.error instanceof ModbusTimeoutError)).toBe(true); // unplugged
    expect(good.some((poll) => poll.tyme > 6.5)).toBe(true); // polling resumed after the replug
    expect(serial?.opens).toBe(2);
    expect(result.net.stats.serialBitErrors).toBeGreaterThan(0);
    expect(failed.some((poll) => poll.error instanceof ModbusCrcError) || slaveStats.badCrc > 0).toBe(true); // noise was caught by a CRC
  });

  it("echoes long lines intact through the example's handler under 20 percent loss", async () => {
    const got: Echo[] = [];
    const messages = Array.from({ length: 30 }, (_, i) => `${i}:${"x".repeat(i * 137)}`);
    const scenario: SimScenario = {
      limit: 300,
      net: { conditions: { latency: 0.01, loss: 0.2 }, streams: { mss: 536 } },
      build: ({ net }) => {
        net.addHost("server");
        net.addHost("client");
        const server = new Server({ driver: net.tcpDriver("server"), host: "0.0.0.0", port: 7000 });
        const client = new Client({ driver: net.tcpDriver("client"), host: "server", port: 7000, reconnectable: true, tymeout: 2 });
        return [new ServerDoer({ server, handler: echoLines }), new ClientDoer({ client, handler: echoTalker(messages, got, 60) })];
      },
      done: () => got.length === messages.length,
    };
    const result = await runSimulation(scenario, { seed: 13 });
    expect(result.finished).toBe(true);
    expect(got.map((echo) => echo.received)).toEqual(messages);
    expect(result.net.stats.segmentsRetransmitted).toBeGreaterThan(10);
  });

  it("runs the chat example's handler: every member hears every other, in order, through loss and a partition", async () => {
    const names = ["ann", "bob", "cat", "dan"];
    const heard = new Map<string, string[]>();
    let room = new ChatRoom();
    const scenario: SimScenario = {
      name: "chat example",
      limit: 120,
      net: { conditions: { latency: 0.03, jitter: 0.02, loss: 0.05 } },
      build: ({ net }) => {
        heard.clear();
        net.addHost("server");
        const chat = chatServer({ driver: net.tcpDriver("server"), host: "0.0.0.0", port: 7001 });
        room = chat.room;
        net.at(1, (n) => n.partition(["bob"], ["server"]), "partition bob | server");
        net.at(2.5, (n) => n.heal(), "heal");
        const doers: Doable[] = [chat.doer];
        for (const name of names) {
          net.addHost(name);
          const client = new Client({ driver: net.tcpDriver(name), host: "server", port: 7001 });
          const lines: string[] = [];
          heard.set(name, lines);
          doers.push(
            new ClientDoer({ client }),
            doify(
              function* member() {
                yield* client.waitConnected({ timeout: 30 });
                yield* readLineText(client.rxbs); // welcome
                yield* writeText(client.txbs, `${name}\n`);
                yield* readLineText(client.rxbs); // hello
                while (room.members.size < names.length) yield 0.1;
                for (let i = 0; i < 5; i++) {
                  yield* writeText(client.txbs, `message ${i}\n`);
                  yield 0.2;
                }
                for (;;) {
                  const line = yield* readLineText(client.rxbs);
                  if (line.startsWith("<")) lines.push(line);
                }
              },
              { name: `member ${name}` },
            ),
          );
        }
        return doers;
      },
      done: () => heard.size === names.length && [...heard.values()].every((lines) => lines.length === 15),
    };
    const result = await runSimulation(scenario, { seed: 8 });
    expect(result.finished).toBe(true);
    for (const [name, lines] of heard) {
      for (const other of names.filter((n) => n !== name)) {
        expect(lines.filter((line) => line.startsWith(`<${other}>`))).toEqual(Array.from({ length: 5 }, (_, i) => `<${other}> message ${i}`));
      }
    }
    expect(room.relayed).toBe(20);
    expect(room.dropped).toBe(0);
  });
});
