/**
 * Unix datagram peers (hio's `uxd`) through `unixDatagramDriver` and the
 * optional addon unix-dgram: memos with Python hio's uxd PeerMemoer both
 * ways (unsigned and signed), and the faults of the IP peer (a path in use, a
 * destination nobody bound, queue bounds).
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { Memoer, MemoKey, memoGramOverhead, Peer, UdpOpenError, UdpSendError, unixDatagramDriver, UXD_ADDON, type MemoerOptions } from "../../src/udp/index.js";
import { requireUxdAddon } from "../../src/udp/unix-driver.js";
import { UxdAddonError } from "../../src/udp/index.js";
import { HioMemoPeer, hioPattern, needHio } from "../helpers/hio-peer.js";
import { peerGate } from "../helpers/peers.js";
import { Cleanup, collectMemos, stepUntil, until } from "../helpers/udp-harness.js";

function addonMissing(): string | undefined {
  try {
    createRequire(import.meta.url)("unix-dgram");
    return undefined;
  } catch {
    return `unix-dgram not installed or not built (npm install ${UXD_ADDON}, which needs a C++ compiler)`;
  }
}

const noAddon = addonMissing();
const addon = peerGate(noAddon);
const cleanup = new Cleanup();
afterEach(() => cleanup.run());
const dir = mkdtempSync(join(tmpdir(), "hio-ts-uxd-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let sockets = 0;
const path = () => join(dir, `peer-${sockets++}.sock`);
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

function uxdPeer(options: { host?: string; maxSendCount?: number } = {}): Peer {
  return cleanup.add(
    new Peer({ driver: unixDatagramDriver(), host: options.host ?? path(), name: "uxd", ...(options.maxSendCount === undefined ? {} : { maxSendCount: options.maxSendCount }) }),
    (it) => it.close(),
  );
}

function tsMemoPeer(options: Omit<MemoerOptions, "peer"> = {}) {
  const peer = uxdPeer();
  const memoer = new Memoer({ peer, timeout: 60, segmentSize: peer.maxDatagramSize, ...options });
  return { peer, memoer, ...collectMemos(peer, memoer, cleanup) };
}

describe("Unix datagram addon loading", () => {
  it("turns a missing addon into a UxdAddonError naming the package to install", () => {
    expect(() => requireUxdAddon("unix-dgram-not-installed-here")).toThrow(UxdAddonError);
    expect(() => requireUxdAddon("unix-dgram-not-installed-here")).toThrow(`npm install ${UXD_ADDON}`);
  });
});

addon.describe("Unix datagram Peer", () => {
  it("exchanges datagrams between two peers, with the path as the address; the path is removed on close", async () => {
    const a = uxdPeer();
    const b = uxdPeer();
    await Promise.all([a.open(), b.open()]);
    expect(a.label).toBe(`udp peer uxd ${a.host}`);
    a.send(new TextEncoder().encode("over a path"), { host: b.host, port: 0 });
    a.service();
    await until(() => b.canReceive, "the datagram");
    const datagram = b.receive()!;
    expect(new TextDecoder().decode(datagram.data)).toBe("over a path");
    expect(datagram.from).toEqual({ host: a.host, port: 0 });
    const again = uxdPeer({ host: a.host });
    a.close();
    await again.open(); // the path is free again
  });

  it("fails to open on a path in use with a UdpOpenError naming the peer", async () => {
    const first = uxdPeer();
    await first.open();
    const second = uxdPeer({ host: first.host });
    await expect(second.open()).rejects.toThrow(UdpOpenError);
    await expect(second.open()).rejects.toThrow(`udp peer uxd ${first.host}: cannot open`);
  });

  it("reports a send to a path nobody bound as a UdpSendError, counted, and goes on", async () => {
    const peer = uxdPeer();
    await peer.open();
    peer.send(Uint8Array.of(1), { host: join(dir, "nobody.sock"), port: 0 });
    peer.service();
    await until(() => peer.counters.sendErrors === 1, "the send error");
    expect(peer.takeErrors()[0]).toBeInstanceOf(UdpSendError);
    expect(peer.opened).toBe(true);
  });

  it("refuses a Unix destination with a port, naming it", async () => {
    const peer = uxdPeer();
    await peer.open();
    expect(() => peer.send(Uint8Array.of(1), { host: "/tmp/x.sock", port: 7 })).toThrow(/^to\.port must be 0 for the Unix socket path \/tmp\/x\.sock/);
  });
});

const hioPeers = needHio(noAddon);

hioPeers.describe("memos with Python hio over Unix datagrams", () => {
  describe.each([
    { name: "unsigned", signed: false },
    { name: "signed", signed: true },
  ])("$name", ({ signed }) => {
    it("hio-ts → hio and hio → hio-ts: 1 byte, one gram, many grams, the largest", async () => {
      const hio = cleanup.add(new HioMemoPeer({ transport: "uxd", name: `hio${sockets++}`, auth: signed, seed: signed ? "33".repeat(32) : undefined }), (it) => it.close());
      const ready = await hio.ready();
      const signer = signed ? MemoKey.fromSeed(Buffer.alloc(32, 0x44)) : undefined;
      const ts = tsMemoPeer(signer === undefined ? {} : { signer, authenticated: true });
      await stepUntil(ts.doist, () => ts.peer.opened, "the uxd peer to open");
      const oneGram = ts.memoer.segmentSize - memoGramOverhead(true, signed, false);
      const sizes = [1, oneGram, 300_000, 1 << 20];
      for (const [salt, length] of sizes.entries()) {
        const original = hioPattern(length, salt);
        expect(ts.memoer.send(original, { host: ready.path as string, port: 0 })).toBe(true);
        let got: Record<string, unknown> | undefined;
        const waiting = hio.next((event) => event.event === "memo" || event.event === "rejected", 30_000).then((event) => (got = event));
        try {
          await stepUntil(ts.doist, () => got !== undefined, `hio to get the memo of ${length} bytes`, 20_000);
        } catch (error) {
          hio.process.kill("SIGUSR1");
          await new Promise((resolve) => setTimeout(resolve, 300));
          throw new Error(
            `${String(error)} (${JSON.stringify(ts.peer.counters)}, queued ${ts.memoer.queuedBytes}, in flight ${ts.peer.sendQueueLength}; hio ${JSON.stringify(hio.events).slice(0, 300)} ${hio.stderr.slice(-1500)})`,
          );
        }
        await waiting;
        expect(got).toMatchObject({ event: "memo", length, sha256: sha256(original), src: ts.peer.host, vid: signed ? signer!.vid : null });
      }
      for (const [salt, length] of sizes.entries()) {
        hio.command({ cmd: "send", to: ts.peer.host, length, salt });
        await hio.next((event) => event.event === "queued", 10_000);
        await stepUntil(
          ts.doist,
          () => ts.memos.length > salt,
          `the memo of ${length} bytes from hio (${JSON.stringify(ts.memoer.reassembler.counters)}, ${JSON.stringify(ts.peer.counters)}; hio: ${JSON.stringify(hio.events).slice(0, 300)} ${hio.stderr.slice(-1500)})`,
          30_000,
        );
        const memo = ts.memos[salt]!;
        expect([memo.data.length, sha256(memo.data)]).toEqual([length, sha256(hioPattern(length, salt))]);
        expect(memo.from).toEqual({ host: ready.path, port: 0 });
        expect(memo.vid).toBe(signed ? ready.vid : undefined);
      }
      expect(ts.memoer.reassembler.counters).toMatchObject({ completed: 4, malformed: 0, badSignature: 0, expired: 0 });
      expect(ts.peer.counters.sendErrors).toBe(0);
    }, 60_000);
  });
});
