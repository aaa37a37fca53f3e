import { afterEach, describe, expect, it } from "vitest";
import { ChatRoom, chatServer, type ChatMember } from "../../examples/chat-server.js";
import { RingBuffer } from "../../src/index.js";
import { Proc } from "../helpers/examples-process.js";
import { Cleanup, rawClient, runUntil, type RawClient } from "../helpers/tcp-harness.js";
import { needPeers } from "../helpers/peers.js";

const nc = needPeers("nc");

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

async function startServer(options: Parameters<typeof chatServer>[0] = {}) {
  const parts = chatServer({ port: 0, ...options });
  cleanup.add(parts.server, (server) => server.close());
  await parts.server.open();
  return { ...parts, doist: cleanup.doist([parts.doer]) };
}

function member(key: string, capacity: number): ChatMember & { closed: boolean } {
  const txbs = new RingBuffer({ capacity, name: key });
  const result = {
    key,
    txbs,
    closed: false,
    close() {
      result.closed = true;
    },
  };
  return result;
}

describe("examples/chat-server.ts", () => {
  it("relays each line of every client to all the others, with many clients", async () => {
    const { server, doist, room } = await startServer();
    const count = 20;
    const clients: RawClient[] = [];
    for (let index = 0; index < count; index++) {
      const client = cleanup.add(rawClient(server.port), (c) => c.socket.destroy());
      client.socket.write(`user${index}\n`);
      clients.push(client);
    }
    await runUntil(doist, () => room.members.size === count, "everyone joined");
    clients.forEach((client, index) => client.socket.write(`hi from ${index}\n`));
    const heard = (client: RawClient) =>
      client
        .text()
        .split("\n")
        .filter((line) => line.startsWith("<")).length;
    await runUntil(doist, () => clients.every((client) => heard(client) === count - 1), "every line relayed");
    const first = clients[0]!.text();
    for (let index = 1; index < count; index++) expect(first).toContain(`<user${index}> hi from ${index}\n`);
    expect(first).not.toContain("<user0>");
    expect(room.relayed).toBe(count);
  });

  it("asks again for a name that is taken or invalid", async () => {
    const { server, doist, room } = await startServer();
    const first = cleanup.add(rawClient(server.port), (c) => c.socket.destroy());
    first.socket.write("ann\n");
    await runUntil(doist, () => room.members.size === 1, "ann joined");
    const second = cleanup.add(rawClient(server.port), (c) => c.socket.destroy());
    second.socket.write("ann\nno spaces\nbob\n");
    await runUntil(doist, () => second.text().includes("* hello bob") && first.text().includes("* bob joined"), "bob joined");
    expect(second.text()).toContain("ann is taken; your name?\n");
    expect(second.text()).toContain("names are 1-20 letters, digits, _ or -; your name?\n");
    expect(second.text()).toContain("* hello bob; here: ann, bob;");
    expect(first.text()).toContain("* bob joined\n");
  });

  it("answers /who, and on /quit says bye, closes, and tells the room", async () => {
    const { server, doist, room } = await startServer();
    const ann = cleanup.add(rawClient(server.port), (c) => c.socket.destroy());
    const bob = cleanup.add(rawClient(server.port), (c) => c.socket.destroy());
    ann.socket.write("ann\n");
    bob.socket.write("bob\n");
    await runUntil(doist, () => room.members.size === 2, "both joined");
    bob.socket.write("/who\n/quit\n");
    await runUntil(doist, () => bob.ended, "bob's connection ends");
    expect(bob.text()).toMatch(/\* here: (ann, bob|bob, ann)\n\* bye\n$/);
    await runUntil(doist, () => ann.text().includes("* bob left\n"), "ann hears bob left");
    expect(room.names()).toEqual(["ann"]);
  });

  it("disconnects a listener whose txbs has no room, instead of dropping part of a message", () => {
    const room = new ChatRoom();
    const talker = member("talker", 1024);
    const slow = member("slow", 32);
    const other = member("other", 1024);
    room.join("talker", talker);
    room.join("slow", slow);
    room.join("other", other);
    slow.txbs.clear();
    room.broadcast("<talker> 0123456789012345678901234567890123456789\n", "talker");
    expect(slow.closed).toBe(true);
    expect(slow.txbs.length).toBe(0);
    expect(room.dropped).toBe(1);
    expect(room.names()).toEqual(["talker", "other"]);
    expect(new TextDecoder().decode(other.txbs.read())).toBe("<talker> 0123456789012345678901234567890123456789\n* slow left\n");
  });

  nc.it("lets two nc clients talk through the server run by its documented command", async () => {
    const server = cleanup.add(Proc.tsx("examples/chat-server.ts", ["--port", "0"]), (proc) => proc.kill());
    const port = (await server.waitFor(/chat on 127\.0\.0\.1:(\d+)/))[1]!;
    const ann = cleanup.add(Proc.spawn("nc", ["127.0.0.1", port]), (proc) => proc.kill());
    await ann.waitFor(/your name\?\n/);
    ann.write("ann\n");
    await ann.waitFor(/hello ann/);
    const bob = cleanup.add(Proc.spawn("nc", ["127.0.0.1", port]), (proc) => proc.kill());
    await bob.waitFor(/your name\?\n/);
    bob.write("bob\n");
    await ann.waitFor(/\* bob joined\n/);
    ann.write("hello bob\n");
    await bob.waitFor(/<ann> hello bob\n/);
    bob.write("/quit\n");
    await ann.waitFor(/\* bob left\n/);
  });
});
