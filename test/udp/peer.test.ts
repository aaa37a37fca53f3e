import dgram from "node:dgram";
import { afterEach, describe, expect, it } from "vitest";
import { WireLog } from "../../src/io/index.js";
import { Peer, UdpDatagramSizeError, UdpMulticastError, UdpOpenError, UdpSendError, UdpStateError, type Datagram, type PeerOptions, type UdpError } from "../../src/udp/index.js";
import { Cleanup, until } from "../helpers/udp-harness.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

function peer(options: PeerOptions = {}): Peer {
  return cleanup.add(new Peer({ host: "127.0.0.1", ...options }), (it) => it.close());
}

async function openPeer(options: PeerOptions = {}): Promise<Peer> {
  const opened = peer(options);
  await opened.open();
  return opened;
}

async function receiveOne(target: Peer, what = "a datagram"): Promise<Datagram> {
  let datagram: Datagram | undefined;
  await until(() => (datagram = target.receive()) !== undefined, what);
  return datagram!;
}

describe("Peer open and close", () => {
  it("binds loopback by default (127.0.0.1, ::1 for udp6); every interface only when asked (issue 13 item 5)", async () => {
    const plain = cleanup.add(new Peer(), (it) => it.close());
    const v6 = cleanup.add(new Peer({ type: "udp6" }), (it) => it.close());
    const all = cleanup.add(new Peer({ host: "0.0.0.0" }), (it) => it.close());
    await Promise.all([plain.open(), v6.open(), all.open()]);
    expect(plain.address).toMatchObject({ host: "127.0.0.1" });
    expect(v6.address).toMatchObject({ host: "::1" });
    expect(all.address).toMatchObject({ host: "0.0.0.0" });
  });

  it("binds port 0 and reports the ephemeral port", async () => {
    const opened = await openPeer({ port: 0 });
    expect(opened.port).toBeGreaterThan(0);
    expect(opened.address).toEqual({ host: "127.0.0.1", port: opened.port });
    expect(String(opened)).toBe(`udp peer 127.0.0.1:${opened.port}`);
  });

  it("goes closed → opening → open → closed, with the boolean getters agreeing", async () => {
    const handle = peer();
    expect([handle.state, handle.closed, handle.opening, handle.opened]).toEqual(["closed", true, false, false]);
    const opening = handle.open();
    expect([handle.state, handle.closed, handle.opening, handle.opened]).toEqual(["opening", false, true, false]);
    await opening;
    expect([handle.state, handle.closed, handle.opening, handle.opened]).toEqual(["open", false, false, true]);
    handle.close();
    expect([handle.state, handle.closed, handle.opening, handle.opened]).toEqual(["closed", true, false, false]);
  });

  it("returns the same promise while opening and a resolved one once open", async () => {
    const handle = peer();
    const first = handle.open();
    expect(handle.open()).toBe(first);
    await first;
    await expect(handle.open()).resolves.toBeUndefined();
  });

  it("closes idempotently", async () => {
    const handle = await openPeer();
    handle.close();
    expect(() => handle.close()).not.toThrow();
    expect(handle.closed).toBe(true);
  });

  it("rejects a failed open with UdpOpenError naming the peer and address, which service() and send() throw until close()", async () => {
    const first = await openPeer();
    const second = peer({ port: first.port, name: "second" });
    const failure = await second.open().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(UdpOpenError);
    expect((failure as UdpOpenError).message).toContain(`udp peer second 127.0.0.1:${first.port}`);
    expect((failure as UdpOpenError).message).toContain("EADDRINUSE");
    expect(second.closed).toBe(true);
    expect(second.openError).toBe(failure);
    expect(() => second.service()).toThrow(failure as UdpOpenError);
    expect(() => second.send(bytes("x"), { host: "127.0.0.1", port: 9 })).toThrow(failure as UdpOpenError);
    second.close();
    expect(second.openError).toBeUndefined();
    expect(() => second.service()).not.toThrow();
  });

  it("rejects an open in progress when closed", async () => {
    const handle = peer();
    const opening = handle.open();
    handle.close();
    await expect(opening).rejects.toThrow(UdpOpenError);
    await expect(opening).rejects.toThrow(/closed while opening/);
  });

  it("reopens after close on a fresh socket", async () => {
    const handle = await openPeer();
    handle.close();
    await handle.open();
    expect(handle.opened).toBe(true);
  });

  it.each([
    [{ port: 70_000 }, RangeError, /^port must be a whole number in 0\.\.65535/],
    [{ port: "1" as unknown as number }, TypeError, /^port must be a number/],
    [{ maxReceiveCount: 0 }, RangeError, /^maxReceiveCount/],
    [{ maxDatagramSize: 65_508 }, RangeError, /^maxDatagramSize must be a whole number in 1\.\.65507/],
    [{ type: "udp5" as "udp4" }, TypeError, /^type must be/],
    [{ multicastTtl: 256 }, RangeError, /^multicastTtl/],
  ])("rejects bad option %o with an error naming it", (options, kind, pattern) => {
    expect(() => new Peer(options)).toThrow(kind);
    expect(() => new Peer(options)).toThrow(pattern);
  });
});

describe("Peer round trips on loopback", () => {
  it("carries a datagram both ways over IPv4 and reports the sender", async () => {
    const a = await openPeer();
    const b = await openPeer();
    expect(a.send(bytes("ping"), { host: "127.0.0.1", port: b.port })).toBe(true);
    a.service();
    const request = await receiveOne(b, "ping at b");
    expect(text(request.data)).toBe("ping");
    expect(request.from).toEqual({ host: "127.0.0.1", port: a.port });
    b.send(bytes("pong"), request.from);
    b.service();
    const reply = await receiveOne(a, "pong at a");
    expect(text(reply.data)).toBe("pong");
    expect(reply.from).toEqual({ host: "127.0.0.1", port: b.port });
  });

  it("carries a datagram both ways over IPv6 (::1)", async () => {
    const a = await openPeer({ host: "::1" });
    const b = await openPeer({ host: "::1" });
    expect(a.type).toBe("udp6");
    expect(String(a)).toBe(`udp peer [::1]:${a.port}`);
    a.send(bytes("ping6"), { host: "::1", port: b.port });
    a.service();
    const request = await receiveOne(b, "ping6 at b");
    expect(text(request.data)).toBe("ping6");
    expect(request.from).toEqual({ host: "::1", port: a.port });
    b.send(bytes("pong6"), request.from);
    b.service();
    expect(text((await receiveOne(a, "pong6 at a")).data)).toBe("pong6");
  });

  it("sends the largest IPv4 datagram and keeps its bytes intact", async () => {
    const a = await openPeer({ bufferSize: 1 << 18 });
    const b = await openPeer({ bufferSize: 1 << 18 });
    const big = new Uint8Array(65_507).map((_, index) => index * 7);
    a.send(big, { host: "127.0.0.1", port: b.port });
    a.service();
    const received = await receiveOne(b, "the 65507-byte datagram");
    expect(new Uint8Array(received.data.buffer, received.data.byteOffset, received.data.length)).toEqual(big);
  });

  it("queues sends made while opening and sends them once bound", async () => {
    const b = await openPeer();
    const a = peer();
    const opening = a.open();
    expect(a.send(bytes("early"), { host: "127.0.0.1", port: b.port })).toBe(true);
    a.service(); // still opening: nothing goes yet
    expect(a.counters.sent).toBe(0);
    await opening;
    a.service();
    expect(text((await receiveOne(b, "the early datagram")).data)).toBe("early");
  });

  it("records every datagram in and out on io's WireLog with the far address", async () => {
    const wirelog = new WireLog({ name: "udp-test" });
    const a = await openPeer({ wirelog });
    const b = await openPeer();
    a.send(bytes("out"), { host: "127.0.0.1", port: b.port });
    a.service();
    await until(() => wirelog.entries.length === 1, "the tx entry");
    b.send(bytes("in"), { host: "127.0.0.1", port: a.port });
    b.service();
    await until(() => wirelog.entries.length === 2, "the rx entry");
    expect(wirelog.entries.map((entry) => [entry.direction, text(entry.bytes), entry.peer])).toEqual([
      ["tx", "out", `127.0.0.1:${b.port}`],
      ["rx", "in", `127.0.0.1:${b.port}`],
    ]);
  });
});

describe("Peer queues and errors", () => {
  it("drops and counts datagrams over the receive count bound, keeping the first ones", async () => {
    const receiver = await openPeer({ maxReceiveCount: 3 });
    const sender = await openPeer();
    for (let index = 0; index < 5; index++) sender.send(bytes(`d${index}`), { host: "127.0.0.1", port: receiver.port });
    sender.service();
    await until(() => receiver.counters.received + receiver.counters.dropped === 5, "5 arrivals");
    expect(receiver.counters).toMatchObject({ received: 3, receivedBytes: 6, dropped: 2, droppedBytes: 4 });
    expect(receiver.receiveQueueLength).toBe(3);
    expect([receiver.receive(), receiver.receive(), receiver.receive()].map((datagram) => text(datagram!.data))).toEqual(["d0", "d1", "d2"]);
    expect(receiver.receive()).toBeUndefined();
  });

  it("drops and counts datagrams over the receive byte bound", async () => {
    const receiver = await openPeer({ maxReceiveBytes: 250 });
    const sender = await openPeer();
    for (let index = 0; index < 3; index++) sender.send(new Uint8Array(100), { host: "127.0.0.1", port: receiver.port });
    sender.service();
    await until(() => receiver.counters.received + receiver.counters.dropped === 3, "3 arrivals");
    expect(receiver.counters).toMatchObject({ received: 2, receivedBytes: 200, dropped: 1, droppedBytes: 100 });
    expect(receiver.receiveQueueBytes).toBe(200);
  });

  it("refuses a send (returns false, queues nothing) when the send queue is full, and accepts again once sent", async () => {
    const receiver = await openPeer();
    const sender = await openPeer({ maxSendCount: 2 });
    const to = { host: "127.0.0.1", port: receiver.port };
    expect(sender.send(bytes("1"), to)).toBe(true);
    expect(sender.send(bytes("2"), to)).toBe(true);
    expect(sender.send(bytes("3"), to)).toBe(false);
    expect(sender.sendQueueLength).toBe(2);
    sender.service();
    await until(() => sender.sendQueueLength === 0, "the send queue to drain");
    expect(sender.counters.sent).toBe(2);
    expect(sender.send(bytes("3"), to)).toBe(true);
  });

  it("counts bytes in flight against maxSendBytes", async () => {
    const sender = await openPeer({ maxSendBytes: 300 });
    const to = { host: "127.0.0.1", port: 9 };
    expect(sender.send(new Uint8Array(200), to)).toBe(true);
    sender.service(); // handed to the socket; its completion comes on a later tick
    expect(sender.sendQueueBytes).toBe(200);
    expect(sender.canSend(1, 100)).toBe(true);
    expect(sender.canSend(1, 101)).toBe(false);
    expect(sender.send(new Uint8Array(101), to)).toBe(false);
  });

  it("throws UdpDatagramSizeError naming the peer, the destination and the size", async () => {
    const sender = await openPeer({ name: "big", maxDatagramSize: 1000 });
    const error = (() => {
      try {
        sender.send(new Uint8Array(1001), { host: "127.0.0.1", port: 9 });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(UdpDatagramSizeError);
    expect(error).toMatchObject({ size: 1001, maxSize: 1000 });
    expect((error as Error).message).toBe(`udp peer big 127.0.0.1:${sender.port}: datagram of 1001 bytes to 127.0.0.1:9 is over maxDatagramSize (1000 bytes)`);
  });

  it("throws UdpStateError for a send on a closed peer", () => {
    const handle = peer();
    expect(() => handle.send(bytes("x"), { host: "127.0.0.1", port: 9 })).toThrow(UdpStateError);
    expect(() => handle.send(bytes("x"), { host: "127.0.0.1", port: 9 })).toThrow(/udp peer 127\.0\.0\.1:0: cannot send to 127\.0\.0\.1:9: the peer is closed/);
  });

  it.each([
    ["a string as data", "x", { host: "127.0.0.1", port: 9 }, TypeError, /^data must be a Uint8Array/],
    ["no destination", new Uint8Array(1), undefined, TypeError, /^to must be an address/],
    ["port 0", new Uint8Array(1), { host: "127.0.0.1", port: 0 }, RangeError, /^to\.port must be a whole number in 1\.\.65535/],
    ["an empty host", new Uint8Array(1), { host: "", port: 9 }, TypeError, /^to\.host must be a non-empty string/],
  ])("rejects %s with an error naming the argument", async (_label, data, to, kind, pattern) => {
    const handle = await openPeer();
    const call = () => handle.send(data as Uint8Array, to as { host: string; port: number });
    expect(call).toThrow(kind);
    expect(call).toThrow(pattern);
  });

  it("reports a send the OS refuses as a UdpSendError in errors (broadcast without the broadcast option)", async () => {
    const sender = await openPeer({ host: "0.0.0.0" });
    sender.send(bytes("x"), { host: "127.255.255.255", port: 9 });
    sender.service();
    await until(() => sender.counters.sendErrors === 1, "the send error");
    const [error] = sender.takeErrors();
    expect(error).toBeInstanceOf(UdpSendError);
    expect(error).toMatchObject({ code: "EACCES", to: "127.255.255.255:9", size: 1 });
    expect(error!.message).toContain(`udp peer 0.0.0.0:${sender.port}: cannot send 1 bytes to 127.255.255.255:9`);
    expect(sender.errors).toEqual([]);
    expect(sender.counters.errors).toBe(1);
    expect(sender.sendQueueLength).toBe(0);
  });

  it("hands errors to onError instead of keeping them, and wakes the waker", async () => {
    const seen: UdpError[] = [];
    let wakes = 0;
    const sender = await openPeer({ host: "0.0.0.0", onError: (error) => seen.push(error) });
    sender.waker = { wake: () => wakes++ };
    sender.send(bytes("x"), { host: "127.255.255.255", port: 9 });
    const wakesAfterSend = wakes;
    sender.service();
    await until(() => seen.length === 1, "onError");
    expect(seen[0]).toBeInstanceOf(UdpSendError);
    expect(sender.errors).toEqual([]);
    expect(wakes).toBeGreaterThan(wakesAfterSend);
  });

  it("keeps only the latest maxErrors errors but counts them all", async () => {
    const sender = await openPeer({ host: "0.0.0.0", maxErrors: 2 });
    for (let port = 1; port <= 3; port++) sender.send(bytes("x"), { host: "127.255.255.255", port });
    sender.service();
    await until(() => sender.counters.sendErrors === 3, "three send errors");
    expect(sender.counters.errors).toBe(3);
    expect(sender.errors.map((error) => (error as UdpSendError).to)).toEqual(["127.255.255.255:2", "127.255.255.255:3"]);
  });

  it("discards sends still queued at close and counts them", async () => {
    const sender = await openPeer();
    sender.send(bytes("a"), { host: "127.0.0.1", port: 9 });
    sender.send(bytes("b"), { host: "127.0.0.1", port: 9 });
    sender.close();
    expect(sender.counters.discarded).toBe(2);
    expect(sender.sendQueueLength).toBe(0);
  });

  it("still delivers datagrams handed to the socket just before close", async () => {
    const receiver = await openPeer();
    const sender = await openPeer();
    sender.send(bytes("last words"), { host: "127.0.0.1", port: receiver.port });
    sender.service();
    sender.close();
    expect(text((await receiveOne(receiver, "the datagram sent before close")).data)).toBe("last words");
    expect(sender.counters).toMatchObject({ sent: 1, discarded: 0, sendErrors: 0 });
  });

  it("keeps received datagrams readable after close", async () => {
    const receiver = await openPeer();
    const sender = await openPeer();
    sender.send(bytes("kept"), { host: "127.0.0.1", port: receiver.port });
    sender.service();
    await until(() => receiver.canReceive, "the datagram");
    receiver.close();
    expect(text(receiver.receive()!.data)).toBe("kept");
  });

  it("wakes its waker and notifies receiveSignal once per burst of arrivals", async () => {
    const receiver = await openPeer();
    const sender = await openPeer();
    let wakes = 0;
    receiver.waker = { wake: () => wakes++ };
    for (let index = 0; index < 3; index++) sender.send(bytes(`${index}`), { host: "127.0.0.1", port: receiver.port });
    sender.service();
    await until(() => receiver.receiveQueueLength === 3 && wakes > 0, "three arrivals and a wake");
    expect(wakes).toBeGreaterThanOrEqual(1);
    expect(wakes).toBeLessThanOrEqual(3);
  });
});

describe("Peer broadcast and multicast on loopback", () => {
  it("receives a broadcast to 127.255.255.255 sent with the broadcast option", async () => {
    const receiver = await openPeer({ host: "0.0.0.0" });
    const sender = await openPeer({ host: "0.0.0.0", broadcast: true });
    sender.send(bytes("to all"), { host: "127.255.255.255", port: receiver.port });
    sender.service();
    await until(() => receiver.canReceive || sender.counters.sendErrors > 0, "the broadcast or its error");
    if (sender.counters.sendErrors > 0) {
      const [error] = sender.takeErrors();
      console.warn(`broadcast on loopback refused by this kernel: ${error?.message}`);
      expect(error).toBeInstanceOf(UdpSendError);
      expect((error as UdpSendError).to).toBe(`127.255.255.255:${receiver.port}`);
      return;
    }
    const datagram = receiver.receive()!;
    expect(text(datagram.data)).toBe("to all");
    expect(datagram.from.port).toBe(sender.port);
  });

  it("delivers to a joined IPv4 multicast group over lo, and not after leave", async () => {
    const group = "239.255.42.99";
    const receiver = await openPeer({ host: "0.0.0.0", reuseAddr: true });
    const sender = await openPeer({ multicastInterface: "127.0.0.1", multicastLoopback: true, multicastTtl: 1 });
    try {
      receiver.join(group, "127.0.0.1");
    } catch (error) {
      console.warn(`multicast on loopback refused by this kernel: ${(error as Error).message}`);
      expect(error).toBeInstanceOf(UdpMulticastError);
      expect((error as UdpMulticastError).group).toBe(group);
      expect((error as Error).message).toContain(`udp peer 0.0.0.0:${receiver.port}: cannot join multicast group ${group} on 127.0.0.1`);
      return;
    }
    sender.send(bytes("to the group"), { host: group, port: receiver.port });
    sender.service();
    const datagram = await receiveOne(receiver, "the multicast datagram");
    expect(text(datagram.data)).toBe("to the group");
    receiver.leave(group, "127.0.0.1");
    // After leave, a marker sent straight to the receiver must be the next thing it gets.
    sender.send(bytes("to the group again"), { host: group, port: receiver.port });
    sender.service();
    await until(() => sender.counters.sent === 2, "the second multicast send");
    sender.send(bytes("direct"), { host: "127.0.0.1", port: receiver.port });
    sender.service();
    expect(text((await receiveOne(receiver, "the direct marker")).data)).toBe("direct");
  });

  it("throws UdpMulticastError naming the group when the OS refuses a join", async () => {
    const receiver = await openPeer();
    expect(() => receiver.join("127.0.0.1")).toThrow(UdpMulticastError);
    expect(() => receiver.join("127.0.0.1")).toThrow(`udp peer 127.0.0.1:${receiver.port}: cannot join multicast group 127.0.0.1`);
  });

  it("throws UdpStateError for join on a closed peer", () => {
    expect(() => peer().join("239.1.2.3")).toThrow(UdpStateError);
  });
});

describe("Peer with a raw dgram far end", () => {
  it("interoperates with a plain node:dgram socket", async () => {
    const far = cleanup.add(dgram.createSocket("udp4"), (socket) => socket.close());
    far.on("message", (message, from) => far.send(Buffer.concat([Buffer.from("re:"), message]), from.port, from.address));
    await new Promise<void>((resolve) => far.bind(0, "127.0.0.1", resolve));
    const near = await openPeer();
    near.send(bytes("hello"), { host: "127.0.0.1", port: far.address().port });
    near.service();
    expect(text((await receiveOne(near, "the reply")).data)).toBe("re:hello");
  });
});
