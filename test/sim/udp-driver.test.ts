import { describe, expect, it } from "vitest";
import { doify } from "../../src/core/index.js";
import { runSimulation, type SimScenario } from "../../src/sim/index.js";
import { Memoer, Peer, PeerDoer, readDatagram, readMemo, writeDatagram, writeMemo, UdpTimeoutError } from "../../src/udp/index.js";

const enc = (text: string) => new TextEncoder().encode(text);
const dec = (data: Uint8Array) => new TextDecoder().decode(data);

describe("hio-ts/udp on SimNet", () => {
  it("answers every ping through 20 percent loss, with retries on timeout", async () => {
    const answers: string[] = [];
    let retries = 0;
    const scenario: SimScenario = {
      limit: 60,
      tock: 0.01,
      net: { conditions: { latency: 0.02, jitter: 0.01, loss: 0.2 } },
      build: ({ net }) => {
        answers.length = 0;
        net.addHost("server");
        net.addHost("client");
        const server = new Peer({ driver: net.udpDriver("server"), host: "0.0.0.0", port: 4000 });
        const client = new Peer({ driver: net.udpDriver("client"), host: "0.0.0.0", port: 0 });
        const pong = function* pong(peer: Peer) {
          for (;;) {
            const { data, from } = yield* readDatagram(peer);
            yield* writeDatagram(peer, enc(dec(data).replace("ping", "pong")), from);
          }
        };
        const ping = function* ping(peer: Peer) {
          for (let i = 0; i < 40; i++) {
            for (;;) {
              yield* writeDatagram(peer, enc(`ping ${i}`), { host: "server", port: 4000 });
              try {
                const reply = dec((yield* readDatagram(peer, { timeout: 0.2 })).data);
                if (reply === `pong ${i}`) break; // a late answer to an earlier try is skipped
              } catch (error) {
                if (!(error instanceof UdpTimeoutError)) throw error;
                retries++;
              }
            }
            answers.push(`pong ${i}`);
          }
        };
        return [new PeerDoer({ peer: server, handler: pong }), new PeerDoer({ peer: client, handler: ping })];
      },
      done: () => answers.length === 40,
    };
    const result = await runSimulation(scenario, { seed: 17 });
    expect(result.finished).toBe(true);
    expect(answers).toEqual(Array.from({ length: 40 }, (_, i) => `pong ${i}`));
    expect(retries).toBeGreaterThan(0);
    expect(result.net.stats.datagramsLost).toBeGreaterThan(0);
  });

  it("drops datagrams across a partition, as UDP does, and delivers again after the heal", async () => {
    const received: number[] = [];
    const scenario: SimScenario = {
      limit: 3,
      build: ({ net }) => {
        received.length = 0;
        net.addHost("a");
        net.addHost("b");
        const sender = new Peer({ driver: net.udpDriver("a"), port: 5000 });
        const receiver = new Peer({ driver: net.udpDriver("b"), port: 5001 });
        net.at(1, (n) => n.partition(["a"], ["b"]));
        net.at(2, (n) => n.heal());
        const send = doify(function* send(tymth) {
          yield 0;
          for (let i = 0; tymth() < 2.9; i++) {
            sender.send(enc(`${i}`), { host: "b", port: 5001 });
            yield 0.25;
          }
          return true;
        });
        return [
          new PeerDoer({ peer: sender }),
          new PeerDoer({
            peer: receiver,
            handler: function* (peer) {
              for (;;) received.push(Number(dec((yield* readDatagram(peer)).data)));
            },
          }),
          send,
        ];
      },
    };
    const result = await runSimulation(scenario, { seed: 1 });
    expect(received.length).toBeGreaterThan(5);
    expect(result.net.stats.datagramsDropped).toBe(4); // sent at 1.x: 1.0 (in flight), 1.25, 1.5, 1.75
    expect(received.some((n) => n >= 8)).toBe(true); // after the heal
  });

  it("reassembles memos whose segments arrive reordered and duplicated", async () => {
    const memos: string[] = [];
    const message = Array.from({ length: 3000 }, (_, i) => `line ${i}`).join("\n"); // about 19 segments
    const scenario: SimScenario = {
      limit: 10,
      net: { conditions: { latency: 0.01, jitter: 0.03, reorder: 0.5, reorderDelay: 0.05, duplicate: 0.2 } },
      build: ({ net }) => {
        memos.length = 0;
        net.addHost("a");
        net.addHost("b");
        const peerA = new Peer({ driver: net.udpDriver("a"), port: 6000 });
        const peerB = new Peer({ driver: net.udpDriver("b"), port: 6001 });
        // A fixed first message id: the default draws Math.random, which a reproducible run must not.
        const memoerA = new Memoer({ peer: peerA, firstMessageId: 1 });
        const memoerB = new Memoer({ peer: peerB, firstMessageId: 1 });
        return [
          new PeerDoer({
            peer: peerA,
            memoer: memoerA,
            handler: function* () {
              yield* writeMemo(memoerA, enc(message), { host: "b", port: 6001 });
              yield* writeMemo(memoerA, enc("short"), { host: "b", port: 6001 });
              yield 1;
            },
          }),
          new PeerDoer({
            peer: peerB,
            memoer: memoerB,
            handler: function* () {
              for (;;) memos.push(dec((yield* readMemo(memoerB)).data));
            },
          }),
        ];
      },
      done: () => memos.length >= 2,
    };
    const result = await runSimulation(scenario, { seed: 2 });
    expect(memos.length).toBe(2);
    expect(new Set(memos)).toEqual(new Set([message, "short"]));
    expect(result.net.stats.datagramsDuplicated).toBeGreaterThan(0);
  });
});
