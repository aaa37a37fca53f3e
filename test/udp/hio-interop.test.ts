/**
 * Memos between hio-ts and upstream Python hio (its own PeerMemoer and
 * AuthMemoer over UDP), both ways: 1 byte, exactly one gram, many grams and
 * the largest memo hio-ts accepts by default, in hio's text and binary
 * headers, unsigned and signed; and grams that must be rejected.
 */
import { createHash } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { Memoer, MemoKey, memoGramOverhead, MEMO_UDP_GRAM_SIZE, parseMemoGram, Peer, type MemoerOptions } from "../../src/udp/index.js";
import { HioMemoPeer, hioPattern, needHio, type HioPeerOptions } from "../helpers/hio-peer.js";
import { Cleanup, collectMemos, stepUntil } from "../helpers/udp-harness.js";

const hioPeers = needHio();
const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const SEED_TS = "11".repeat(32);
const SEED_HIO = "22".repeat(32);
const LARGEST = 1 << 20; // maxMemoSize's default

async function hioPeer(options: HioPeerOptions): Promise<{ hio: HioMemoPeer; port: number; vid: string | null }> {
  const hio = cleanup.add(new HioMemoPeer(options), (it) => it.close());
  const ready = await hio.ready();
  return { hio, port: ready.port as number, vid: ready.vid as string | null };
}

/** A hio-ts memo peer run by a hand-stepped Doist; collects every memo. */
function tsPeer(options: Omit<MemoerOptions, "peer"> = {}) {
  const peer = cleanup.add(new Peer({ host: "127.0.0.1", bufferSize: 4 << 20 }), (it) => it.close());
  const memoer = new Memoer({ peer, timeout: 60, ...options });
  return { peer, memoer, ...collectMemos(peer, memoer, cleanup) };
}

const variants = [
  { name: "text headers, unsigned", binary: false, signed: false },
  { name: "binary headers, unsigned", binary: true, signed: false },
  { name: "text headers, signed", binary: false, signed: true },
  { name: "binary headers, signed", binary: true, signed: true },
];

hioPeers.describe("memos with Python hio over UDP", () => {
  describe.each(variants)("$name", ({ binary, signed }) => {
    const oneGram = MEMO_UDP_GRAM_SIZE - memoGramOverhead(true, signed, binary);
    const sizes = [1, oneGram, 50_000, LARGEST];

    it("hio-ts → hio: 1 byte, one gram, many grams, the largest", async () => {
      const { hio, port } = await hioPeer({ auth: signed, curt: binary, seed: signed ? SEED_HIO : undefined });
      const signer = signed ? MemoKey.fromSeed(Buffer.from(SEED_TS, "hex")) : undefined;
      const ts = tsPeer(signer === undefined ? { binary } : { binary, signer });
      await stepUntil(ts.doist, () => ts.peer.opened, "the hio-ts peer to open");
      expect(ts.memoer.segmentsFor(oneGram)).toBe(1);
      expect(ts.memoer.segmentsFor(oneGram + 1)).toBe(2);
      for (const [salt, length] of sizes.entries()) {
        const original = hioPattern(length, salt);
        expect(ts.memoer.send(original, { host: "127.0.0.1", port })).toBe(true);
        let got: Record<string, unknown> | undefined;
        const waiting = hio.next((event) => event.event === "memo" || event.event === "rejected", 30_000).then((event) => (got = event));
        await stepUntil(ts.doist, () => got !== undefined, `hio to get the memo of ${length} bytes`, 30_000);
        await waiting;
        expect(got).toMatchObject({ event: "memo", length, sha256: sha256(original), src: ["127.0.0.1", ts.peer.port] });
        expect(got!.vid).toBe(signed ? signer!.vid : null);
      }
      expect(ts.memoer.counters).toMatchObject({ sent: 4, handed: 4, unsent: 0 });
      expect(hio.events.filter((event) => event.event === "rejected")).toEqual([]);
    });

    it("hio → hio-ts: 1 byte, one gram, many grams, the largest", async () => {
      const ts = tsPeer({ authenticated: signed });
      await stepUntil(ts.doist, () => ts.peer.opened, "the hio-ts peer to open");
      const { hio, vid } = await hioPeer({ auth: signed, curt: binary, seed: signed ? SEED_HIO : undefined });
      for (const [salt, length] of sizes.entries()) {
        hio.command({ cmd: "send", to: ["127.0.0.1", ts.peer.port], length, salt });
        await stepUntil(ts.doist, () => ts.memos.length > salt, `the memo of ${length} bytes from hio (${JSON.stringify(ts.memoer.reassembler.counters)})`, 30_000);
        const memo = ts.memos[salt]!;
        expect(memo.data.length).toBe(length);
        expect(sha256(memo.data)).toBe(sha256(hioPattern(length, salt)));
        expect(memo.from.host).toBe("127.0.0.1");
        expect(memo.vid).toBe(signed ? vid : undefined);
        expect(memo.messageId).toMatch(/^0A[A-Za-z0-9_-]{22}$/);
      }
      expect(ts.memoer.reassembler.counters).toMatchObject({ completed: 4, malformed: 0, badSignature: 0, unsigned: 0, expired: 0, evicted: 0 });
    });
  });

  it("hio-ts rejects and counts hio grams that were tampered with, unsigned where signatures are required, or signed by another key", async () => {
    const { hio, vid } = await hioPeer({ auth: true, seed: SEED_HIO });
    hio.command({ cmd: "grams", length: 3000, salt: 5 });
    const rendered = ((await hio.next((event) => event.event === "grams")).grams as string[]).map((hex) => new Uint8Array(Buffer.from(hex, "hex")));
    expect(rendered).toHaveLength(3);
    const ts = tsPeer({ authenticated: true });
    const reassembler = ts.memoer.reassembler;
    const from = { host: "127.0.0.1", port: 40_000 };

    // A flipped body byte in the middle gram: its signature fails, the memo is dropped.
    const tampered = rendered.map((gram) => gram.slice());
    tampered[1]![200]! ^= 1;
    expect(reassembler.push(tampered[0]!, from, 0)).toBeUndefined();
    expect(reassembler.push(tampered[1]!, from, 0)).toBeUndefined();
    expect(reassembler.counters).toMatchObject({ badSignature: 1, rejected: 1, completed: 0 });
    expect(reassembler.lastReject).toMatchObject({ reason: "badSignature", from });
    expect(reassembler.push(tampered[2]!, from, 0)).toBeUndefined();
    expect(reassembler.counters.duplicates).toBe(1); // the rest of a rejected memo is dropped too
    expect(reassembler.pending).toBe(0);

    // The zeroth gram re-signed by another key under hio's vid: rejected at once.
    const forger = MemoKey.generate();
    const zeroth = parseMemoGram(rendered[0]!);
    if (typeof zeroth === "string") throw new Error(zeroth);
    const forged = rendered[0]!.slice();
    forged.set(
      Buffer.from(
        "0B" +
          Buffer.concat([Buffer.alloc(2), forger.sign(zeroth.signed!)])
            .toString("base64url")
            .slice(2),
      ),
      forged.length - 88,
    );
    expect(reassembler.push(forged, { host: "127.0.0.1", port: 40_001 }, 0)).toBeUndefined();
    expect(reassembler.counters.badSignature).toBe(2);

    // The same memo unsigned (hio's plain grams) where signatures are required.
    const plain = await hioPeer({});
    plain.hio.command({ cmd: "grams", length: 3000, salt: 5 });
    const unsigned = ((await plain.hio.next((event) => event.event === "grams")).grams as string[]).map((hex) => new Uint8Array(Buffer.from(hex, "hex")));
    for (const gram of unsigned) expect(reassembler.push(gram, { host: "127.0.0.1", port: 40_002 }, 0)).toBeUndefined();
    expect(reassembler.counters.unsigned).toBe(unsigned.length);

    // The untouched grams still make the memo, signed by hio's vid.
    const memos = rendered.map((gram) => reassembler.push(gram, { host: "127.0.0.1", port: 40_003 }, 0)).filter((memo) => memo !== undefined);
    expect(memos).toHaveLength(1);
    expect(memos[0]!.vid).toBe(vid);
    expect(memos[0]!.data).toEqual(hioPattern(3000, 5));
  });

  it("hio rejects hio-ts grams that were tampered with, and unsigned grams where it requires signatures", async () => {
    const { hio, port } = await hioPeer({ auth: true, seed: SEED_HIO });
    const sender = cleanup.add(new Peer({ host: "127.0.0.1" }), (it) => it.close());
    await sender.open();
    const signer = MemoKey.fromSeed(Buffer.from(SEED_TS, "hex"));
    const signedMemoer = new Memoer({ peer: sender, signer });
    const grams = (await import("../../src/udp/index.js")).encodeMemoGrams(hioPattern(100, 1), "0A" + "B".repeat(22), 1240, false, signer);
    const tampered = grams[0]!.slice();
    tampered[150]! ^= 1;
    sender.send(tampered, { host: "127.0.0.1", port });
    sender.service();
    expect((await hio.next((event) => event.event === "rejected")).reason).toMatch(/MemoerVerifyError|Signature verification failed/);
    const unsignedMemoer = new Memoer({ peer: sender });
    const plain = (await import("../../src/udp/index.js")).encodeMemoGrams(hioPattern(100, 1), "0A" + "C".repeat(22), 1240, false, undefined);
    sender.send(plain[0]!, { host: "127.0.0.1", port });
    sender.service();
    expect((await hio.next((event) => event.event === "rejected")).reason).toMatch(/Unsigned gram/);
    expect(hio.events.filter((event) => event.event === "memo")).toEqual([]);
    expect([signedMemoer.format, unsignedMemoer.format]).toEqual(["hio", "hio"]);
  });
});
