/**
 * hio's memogram format on its own (no Python needed): grams recorded from
 * upstream hio 0.7.20 parse and verify, hio-ts's grams round-trip, bad input
 * never throws.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeMemoGrams, MemoKey, memoGramCount, memoIdOf, MemoReassembler, parseMemoGram, verifyMemoSignature } from "../../src/udp/index.js";

const hex = (text: string) => new Uint8Array(Buffer.from(text, "hex"));
/** A 5-byte memo "!(/6=" rendered by hio's AuthMemoer, seed 00..01 (text headers). */
const HIO_SIGNED =
  "6241414341414142304142714b6c3677384655523859736f417677414141414242457931715f61746566763171377a4b5f4d4a7032467a535a523755754957316870386b4775337770626f7021282f363d30424358736e5649414d5a5a424955763135376e506b78486548586f524479366133304f455841396372413061647172726b45334f4e4a65775338634f37486c45493837734563597656656e4e427956516173507359554c";
/** The same memo by hio's plain Memoer with binary headers: hio writes a count of 0 for it. */
const HIO_BINARY = "6c0000000000d0006a764154f05511f1b04702fc0000000121282f363d";
const from = { host: "127.0.0.1", port: 5000 };

describe("hio memograms", () => {
  it("parses and verifies a signed gram recorded from hio", () => {
    const gram = parseMemoGram(hex(HIO_SIGNED));
    if (typeof gram === "string") throw new Error(gram);
    expect(gram).toMatchObject({ binary: false, zeroth: true, authenticated: true, count: 1, mid: "0ABqKl6w8FUR8YsoAvwAAAAB" });
    expect(gram.vid).toBe(MemoKey.fromSeed(hex("00".repeat(31) + "01")).vid);
    expect(new TextDecoder().decode(gram.body)).toBe("!(/6=");
    expect(verifyMemoSignature(gram.vid!, gram.signed!, gram.signature!, undefined)).toBe("ok");
    const tampered = hex(HIO_SIGNED);
    tampered[80]! ^= 1;
    const bad = parseMemoGram(tampered);
    if (typeof bad === "string") throw new Error(bad);
    expect(verifyMemoSignature(bad.vid!, bad.signed!, bad.signature!, undefined)).toBe("badSignature");
  });

  it("takes hio's binary gram with a count of 0 as the one gram it is", () => {
    const reassembler = new MemoReassembler();
    const memo = reassembler.push(hex(HIO_BINARY), from, 0);
    expect(new TextDecoder().decode(memo!.data)).toBe("!(/6=");
  });

  it("signs like hio: the same seed and gram give the same signature bytes", () => {
    const key = MemoKey.fromSeed(hex("00".repeat(31) + "01"));
    const grams = encodeMemoGrams(new TextEncoder().encode("!(/6="), "0ABqKl6w8FUR8YsoAvwAAAAB", 1240, false, key);
    expect(Buffer.from(grams[0]!).toString("hex")).toBe(HIO_SIGNED); // Ed25519 is deterministic
  });

  it("round-trips any memo in any header form, signed or not, reordered (fuzzed)", () => {
    const key = MemoKey.generate();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.integer({ min: 200, max: 700 }), fc.boolean(), fc.boolean(), fc.nat(), (message, size, binary, signed, seed) => {
        const grams = encodeMemoGrams(message, memoIdOf(new Uint8Array(16).fill(seed & 0xff)), size, binary, signed ? key : undefined);
        expect(grams).toHaveLength(memoGramCount(message.length, size, signed, binary));
        for (const gram of grams) expect(gram.length).toBeLessThanOrEqual(size);
        const reassembler = new MemoReassembler({ authenticated: signed });
        const order = grams.map((_, index) => index).sort((a, b) => ((a * 7919 + seed) % 13) - ((b * 7919 + seed) % 13));
        const memos = order.map((index) => reassembler.push(grams[index]!, from, 0)).filter((memo) => memo !== undefined);
        expect(memos).toHaveLength(1);
        expect(memos[0]!.data).toEqual(message);
        expect(memos[0]!.vid).toBe(signed ? key.vid : undefined);
      }),
      { numRuns: 150, seed: 7 },
    );
  });

  it("never throws on arbitrary bytes, counting each as malformed or a gram (fuzzed)", () => {
    const reassembler = new MemoReassembler();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        reassembler.push(bytes, from, 0);
      }),
      { numRuns: 1000, seed: 3 },
    );
    const { segments, accepted, duplicates, malformed, overLimit, unsigned, badSignature, unknownVerifier } = reassembler.counters;
    expect(accepted + duplicates + malformed + overLimit + unsigned + badSignature + unknownVerifier).toBe(segments);
  });
});
