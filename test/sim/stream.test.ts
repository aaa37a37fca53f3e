import { afterEach, describe, expect, it } from "vitest";
import { SimAddressInUseError, SimRandom, type SimNetOptions, type SimStream } from "../../src/sim/index.js";
import { SimBench, bytes, text } from "../helpers/sim-harness.js";

let bench: SimBench | undefined;
afterEach(() => {
  bench?.close();
  bench = undefined;
});

function setup(options: SimNetOptions & { tock?: number } = {}) {
  bench = new SimBench(options);
  const net = bench.net;
  const server = net.addHost("server");
  const client = net.addHost("client");
  const listener = server.listen({ port: 7 });
  bench.step(); // enters the net
  return { bench, net, server, client, listener };
}

function connectPair(options: SimNetOptions & { tock?: number } = {}) {
  const parts = setup(options);
  const stream = parts.client.connect({ host: "server", port: 7 });
  let accepted: SimStream | undefined;
  parts.bench.until(() => (accepted ??= parts.listener.accept()) !== undefined && stream.open);
  return { ...parts, stream, accepted: accepted! };
}

/** Pumps `data` from `from` to `to`, reading as it goes, until all arrived. */
function transfer(b: SimBench, from: SimStream, to: SimStream, data: Uint8Array, limit = 600): Uint8Array {
  const received: Uint8Array[] = [];
  let sent = 0;
  let got = 0;
  b.until(() => {
    if (sent < data.length) sent += from.write(data.subarray(sent));
    const chunk = to.read();
    received.push(chunk);
    got += chunk.length;
    return got >= data.length;
  }, limit);
  const out = new Uint8Array(got);
  let offset = 0;
  for (const chunk of received) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

function randomBytes(seed: number, length: number): Uint8Array {
  const random = new SimRandom(seed);
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = random.int(256);
  return out;
}

describe("SimNet streams", () => {
  it("connects after one trip each way: SYN, then SYN-ACK", () => {
    const { bench: b, client, listener } = setup({ conditions: { latency: 0.05 } });
    const stream = client.connect({ host: "server", port: 7 });
    b.runTo(0.07);
    expect(listener.pending).toBe(1);
    expect(stream.connecting).toBe(true);
    b.runTo(0.12);
    expect(stream.open).toBe(true);
  });

  it("fails with ECONNREFUSED when nobody listens on the port", () => {
    const { bench: b, client } = setup();
    const stream = client.connect({ host: "server", port: 8 });
    b.until(() => stream.closed);
    expect(stream.error?.code).toBe("ECONNREFUSED");
  });

  it("fails with EHOSTUNREACH for an address no host has", () => {
    const { bench: b, client } = setup();
    const stream = client.connect({ host: "10.9.9.9", port: 7 });
    b.until(() => stream.closed);
    expect(stream.error?.code).toBe("EHOSTUNREACH");
  });

  it("times out a connect across a partition after its timeout", () => {
    const { bench: b, net, client } = setup();
    net.partition(["client"], ["server"]);
    const stream = client.connect({ host: "server", port: 7, timeout: 3 });
    b.until(() => stream.closed, 10);
    expect(stream.error?.code).toBe("ETIMEDOUT");
    expect(b.doist.tyme).toBeGreaterThanOrEqual(3);
    expect(b.doist.tyme).toBeLessThan(3.1);
  });

  it.each([1, 2, 3, 4, 5])("delivers every byte in order through 30 percent loss and jitter (seed %i)", (seed) => {
    const { bench: b, net, stream, accepted } = connectPair({ seed, conditions: { latency: 0.01, jitter: 0.05, loss: 0.3 } });
    const data = randomBytes(seed, 200_000);
    expect(Buffer.from(transfer(b, stream, accepted, data)).equals(data)).toBe(true);
    expect(net.stats.segmentsRetransmitted).toBeGreaterThan(0);
  });

  it("bounds bytes in flight by the receiver's buffer: a receiver that does not read stops the sender", () => {
    const { bench: b, net, stream } = connectPair({ streams: { sendBufferSize: 4096, receiveBufferSize: 8192 } });
    let taken = 0;
    b.until(() => {
      taken += stream.write(new Uint8Array(1000));
      return false;
    }, 2);
    expect(taken).toBe(4096 + 8192);
    expect(net.stats.streamBytesDelivered).toBe(8192);
  });

  it("resumes a stalled sender once the receiver reads, and says so with drain", () => {
    const { bench: b, stream, accepted } = connectPair({ streams: { sendBufferSize: 4096, receiveBufferSize: 8192 } });
    let drained = 0;
    stream.observer = { drain: () => drained++ };
    b.until(() => stream.write(new Uint8Array(1000)) === 0 && false, 1);
    expect(accepted.read().length).toBe(8192);
    b.until(() => drained > 0, 1);
    expect(drained).toBe(1);
    expect(stream.writableFree).toBeGreaterThan(0);
  });

  it("tells a writer whose write came up short that room is back, even when that write's own send made the room", () => {
    const { bench: b, stream } = connectPair({ streams: { sendBufferSize: 4096, receiveBufferSize: 65_536 } });
    let drained = 0;
    stream.observer = { drain: () => drained++ };
    expect(stream.write(new Uint8Array(8192))).toBe(4096); // the ring took 4096, which went straight on the wire
    expect(stream.writableFree).toBe(4096);
    expect(drained).toBe(0); // not from inside the write: the caller has not queued its leftover yet
    b.step();
    expect(drained).toBe(1);
  });

  it("half-closes: the peer sees the end and can still answer", () => {
    const { bench: b, stream, accepted } = connectPair();
    stream.write(bytes("question"));
    stream.end();
    b.until(() => accepted.remoteEnded);
    expect(text(accepted.read())).toBe("question");
    accepted.write(bytes("answer"));
    b.until(() => stream.readableLength === 6);
    expect(text(stream.read())).toBe("answer");
    expect(stream.closed).toBe(false);
  });

  it("closes both ends cleanly once both sides have ended", () => {
    const { bench: b, stream, accepted } = connectPair();
    stream.end();
    b.until(() => accepted.remoteEnded);
    accepted.end();
    b.until(() => stream.closed && accepted.closed);
    expect([stream.error, accepted.error]).toEqual([undefined, undefined]);
  });

  it("resets: the peer fails with ECONNRESET", () => {
    const { bench: b, stream, accepted } = connectPair();
    stream.reset();
    b.until(() => accepted.closed);
    expect(accepted.error?.code).toBe("ECONNRESET");
  });

  it("closing with unread bytes resets the peer, as a kernel does", () => {
    const { bench: b, stream, accepted } = connectPair();
    accepted.write(bytes("unread"));
    b.until(() => stream.readableLength > 0);
    stream.close();
    b.until(() => accepted.closed);
    expect(accepted.error?.code).toBe("ECONNRESET");
  });

  it("resets a peer that sends to a closed socket", () => {
    const { bench: b, stream, accepted } = connectPair();
    accepted.close();
    b.until(() => stream.remoteEnded);
    stream.write(bytes("anyone there?"));
    b.until(() => stream.closed);
    expect(stream.error?.code).toBe("ECONNRESET");
  });

  it("stalls across a partition and delivers everything, in order, after the heal", () => {
    const { bench: b, net, stream, accepted } = connectPair();
    net.partition(["client"], ["server"]);
    stream.write(bytes("one "));
    b.runTo(b.doist.tyme + 1);
    stream.write(bytes("two"));
    b.runTo(b.doist.tyme + 1);
    expect(accepted.readableLength).toBe(0);
    net.heal();
    b.until(() => accepted.readableLength === 7, 1);
    expect(text(accepted.read())).toBe("one two");
  });

  it("holds traffic and releases it in order", () => {
    const { bench: b, net, stream, accepted } = connectPair({ conditions: { jitter: 0.02 } });
    net.hold("client", "server");
    for (let i = 0; i < 10; i++) stream.write(bytes(`${i}`));
    b.runTo(b.doist.tyme + 1);
    expect(accepted.readableLength).toBe(0);
    net.release("client", "server");
    b.step();
    expect(text(accepted.read())).toBe("0123456789");
  });

  it("paces bytes at the path's bandwidth", () => {
    const { bench: b, net, stream, accepted } = connectPair({ conditions: { latency: 0 } });
    net.link("client", "server", { bandwidth: 10_000 });
    const start = b.doist.tyme;
    stream.write(new Uint8Array(10_000));
    b.until(() => accepted.readableLength === 10_000, 5);
    expect(b.doist.tyme - start).toBeGreaterThanOrEqual(1);
    expect(b.doist.tyme - start).toBeLessThan(1.03);
  });

  it("gives up with ETIMEDOUT when every retransmission is lost", () => {
    const { bench: b, net, stream } = connectPair({ streams: { maxRetransmits: 3, retransmitTimeout: 0.1 } });
    net.link("client", "server", { loss: 1 });
    stream.write(bytes("lost"));
    b.until(() => stream.closed, 10);
    expect(stream.error?.code).toBe("ETIMEDOUT");
  });

  it("refuses a second listener on the same port", () => {
    const { server } = setup();
    expect(() => server.listen({ port: 7 })).toThrow(SimAddressInUseError);
  });

  it("gives each connection its own ephemeral port", () => {
    const { bench: b, client } = setup();
    const a = client.connect({ host: "server", port: 7 });
    const c = client.connect({ host: "server", port: 7 });
    b.until(() => a.open && c.open);
    expect(a.localPort).not.toBe(c.localPort);
    expect(a.localPort).toBeGreaterThanOrEqual(49152);
  });
});
