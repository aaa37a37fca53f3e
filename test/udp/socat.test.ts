import { afterEach, expect, it } from "vitest";
import { Doist } from "../../src/core/index.js";
import { Peer, PeerDoer, readDatagram, type Datagram } from "../../src/udp/index.js";
import { Cleanup, spawnChild, stepUntil, until } from "../helpers/udp-harness.js";
import { needPeers } from "../helpers/peers.js";

const socat = needPeers("socat");

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);
const plain = (data: Uint8Array) => new Uint8Array(data.buffer, data.byteOffset, data.length);

async function openPeer(host: string): Promise<Peer> {
  const peer = cleanup.add(new Peer({ host }), (it) => it.close());
  await peer.open();
  return peer;
}

socat.describe("interop with socat as the far peer", () => {
  it.each([
    ["IPv4", "127.0.0.1", "UDP4-SENDTO:127.0.0.1"],
    ["IPv6", "::1", "UDP6-SENDTO:[::1]"],
  ])("exchanges datagrams with a socat echo (socat + cat) over %s", async (_family, host, address) => {
    const peer = await openPeer(host);
    // socat greets us first, so we learn its (ephemeral) address without guessing a port.
    const socat = spawnChild(cleanup, "socat", [`${address}:${peer.port}`, "SYSTEM:echo hello; exec cat"]);
    const payloads = [bytes("first line\n"), new Uint8Array(1000).map((_, index) => index), bytes("last\n")];
    const echoes: Uint8Array[] = [];
    let greeting: Datagram | undefined;
    const doer = new PeerDoer({
      peer,
      handler: function* talk(peer) {
        const hello = yield* readDatagram(peer);
        greeting = hello;
        for (const payload of payloads) {
          peer.send(payload, hello.from);
          echoes.push(plain((yield* readDatagram(peer)).data));
        }
      },
    });
    const doist = new Doist({ tock: 0.125, doers: [doer] });
    cleanup.add(doist, (it) => it.exit());
    doist.enter();
    await stepUntil(doist, () => doer.done === true || socat.process.exitCode !== null, `the echoes (socat stderr: ${socat.stderr})`);
    expect(socat.stderr).toBe("");
    expect(text(greeting!.data)).toBe("hello\n");
    expect(greeting!.from.host).toBe(host);
    expect(echoes).toEqual(payloads);
  });

  it("receives what socat sends (socat -u STDIN UDP4-SENDTO)", async () => {
    const peer = await openPeer("127.0.0.1");
    const socat = spawnChild(cleanup, "socat", ["-u", "STDIN", `UDP4-SENDTO:127.0.0.1:${peer.port}`]);
    socat.process.stdin!.end("from socat\n");
    await until(() => peer.canReceive || (socat.process.exitCode !== null && socat.process.exitCode !== 0), `the datagram (socat stderr: ${socat.stderr})`);
    const datagram = peer.receive()!;
    expect(text(datagram.data)).toBe("from socat\n");
    expect(datagram.from.host).toBe("127.0.0.1");
    expect(await socat.exited).toBe(0);
  });
});
