import { afterEach, describe, expect, it } from "vitest";
import { SimAddressInUseError, SimNetworkError, type SimNetOptions } from "../../src/sim/index.js";
import { SimBench, bytes, text } from "../helpers/sim-harness.js";

let bench: SimBench | undefined;
afterEach(() => {
  bench?.close();
  bench = undefined;
});

function setup(options: SimNetOptions & { tock?: number } = {}) {
  bench = new SimBench(options);
  const net = bench.net;
  const a = net.addHost("a");
  const b = net.addHost("b");
  const sender = a.bind({ port: 5000 });
  const receiver = b.bind({ port: 6000 });
  bench.step();
  return { bench, net, a, b, sender, receiver };
}

function drain(socket: { receive(): { data: Uint8Array } | undefined }): string[] {
  const out: string[] = [];
  for (let datagram = socket.receive(); datagram; datagram = socket.receive()) out.push(text(datagram.data));
  return out;
}

describe("SimNet datagrams", () => {
  it("arrive after the latency, with the sender's address and port", () => {
    const { bench: t, sender, receiver } = setup({ conditions: { latency: 0.1 } });
    sender.send(bytes("hi"), 6000, "b");
    t.runTo(0.09);
    expect(receiver.pending).toBe(0);
    t.runTo(0.13);
    const datagram = receiver.receive();
    expect(datagram && text(datagram.data)).toBe("hi");
    expect([datagram?.address, datagram?.port]).toEqual(["10.0.0.1", 5000]);
  });

  it("are lost at about the configured rate, and counted", () => {
    const { bench: t, net, sender, receiver } = setup({ seed: 3, conditions: { loss: 0.2 } });
    for (let i = 0; i < 1000; i++) sender.send(bytes(`${i}`), 6000, "b");
    t.runTo(1);
    const received = drain(receiver).length;
    expect(received + net.stats.datagramsLost).toBe(1000);
    expect(net.stats.datagramsLost).toBeGreaterThan(150);
    expect(net.stats.datagramsLost).toBeLessThan(250);
  });

  it("are duplicated at the configured rate", () => {
    const { bench: t, net, sender, receiver } = setup({ seed: 4, conditions: { duplicate: 0.5 } });
    for (let i = 0; i < 200; i++) sender.send(bytes(`${i}`), 6000, "b");
    t.runTo(1);
    expect(drain(receiver).length).toBe(200 + net.stats.datagramsDuplicated);
    expect(net.stats.datagramsDuplicated).toBeGreaterThan(70);
  });

  it("are reordered when held back by reorder", () => {
    const { bench: t, sender, receiver } = setup({ seed: 5, conditions: { reorder: 0.5, reorderDelay: 0.2 } });
    for (let i = 0; i < 50; i++) sender.send(bytes(`${i}`), 6000, "b");
    t.runTo(1);
    const order = drain(receiver).map(Number);
    expect(order).toHaveLength(50);
    expect(order).not.toEqual([...order].sort((x, y) => x - y));
  });

  it("are dropped at a partition and flow again after the heal", () => {
    const { bench: t, net, sender, receiver } = setup();
    net.partition(["a"], ["b"]);
    sender.send(bytes("lost"), 6000, "b");
    t.runTo(0.5);
    net.heal();
    sender.send(bytes("found"), 6000, "b");
    t.runTo(1);
    expect(drain(receiver)).toEqual(["found"]);
    expect(net.stats.datagramsDropped).toBe(1);
  });

  it("wait on a hold and arrive in order on release", () => {
    const { bench: t, net, sender, receiver } = setup({ seed: 6, conditions: { jitter: 0.05 } });
    net.hold("a", "b");
    for (let i = 0; i < 5; i++) sender.send(bytes(`${i}`), 6000, "b");
    t.runTo(1);
    expect(receiver.pending).toBe(0);
    net.release();
    t.step();
    expect(drain(receiver)).toHaveLength(5);
  });

  it("overflow a full receive queue into a drop count", () => {
    bench = new SimBench();
    const a = bench.net.addHost("a");
    const b = bench.net.addHost("b");
    const sender = a.bind();
    const receiver = b.bind({ port: 6000, receiveQueueSize: 3 });
    bench.step();
    for (let i = 0; i < 5; i++) sender.send(bytes(`${i}`), 6000, "b");
    bench.runTo(1);
    expect(drain(receiver)).toEqual(["0", "1", "2"]);
    expect(receiver.dropped).toBe(2);
  });

  it("reach every other host bound to the port when broadcast", () => {
    bench = new SimBench();
    const hosts = ["a", "b", "c"].map((name) => bench!.net.addHost(name));
    const sockets = hosts.map((host) => host.bind({ port: 9 }));
    bench.step();
    sockets[0]!.send(bytes("all"), 9, "255.255.255.255");
    bench.runTo(0.5);
    expect(sockets.map((socket) => socket.pending)).toEqual([0, 1, 1]);
  });

  it("reject an oversized datagram with EMSGSIZE", () => {
    const { sender } = setup();
    expect(() => sender.send(new Uint8Array(65_508), 6000, "b")).toThrow(SimNetworkError);
  });

  it("refuse a port already bound", () => {
    const { b } = setup();
    expect(() => b.bind({ port: 6000 })).toThrow(SimAddressInUseError);
  });
});
