/**
 * Ed25519 keys for signed memos (hio's AuthMemoer), with `node:crypto`.
 *
 * @module
 */
import { createPrivateKey, createPublicKey, randomBytes, sign, verify, type KeyObject } from "node:crypto";
import { memoVidKey, memoVidOf, type MemoSigner } from "./memo-gram.js";

const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI_ED25519_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/**
 * An Ed25519 signing key and its verifier id, for a {@link Memoer}'s `signer`.
 *
 * @example
 * ```ts
 * const signer = MemoKey.fromSeed(seed); // 32 bytes, e.g. hio's qss decoded
 * const memoer = new Memoer({ peer, signer, authenticated: true });
 * console.log(signer.vid); // "B..." 44 characters, what receivers see as memo.vid
 * ```
 */
export class MemoKey implements MemoSigner {
  /** The verifier id ("B" + the public key in Base64), 44 characters. */
  readonly vid: string;
  /** The raw 32-byte public key. */
  readonly publicKey: Uint8Array;
  readonly #privateKey: KeyObject;

  private constructor(privateKey: KeyObject) {
    this.#privateKey = privateKey;
    const spki = createPublicKey(privateKey).export({ format: "der", type: "spki" });
    this.publicKey = new Uint8Array(spki.subarray(spki.length - 32));
    this.vid = memoVidOf(this.publicKey);
  }

  /**
   * Makes a key from a 32-byte seed (what hio keeps, Base64-qualified, as `qss`).
   * @param seed 32 bytes
   * @returns the key
   * @throws RangeError when the seed is not 32 bytes
   */
  static fromSeed(seed: Uint8Array): MemoKey {
    if (!(seed instanceof Uint8Array) || seed.length !== 32) throw new RangeError("seed must be 32 bytes");
    return new MemoKey(createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: "der", type: "pkcs8" }));
  }

  /**
   * Makes a new random key.
   * @returns the key
   */
  static generate(): MemoKey {
    return MemoKey.fromSeed(randomBytes(32));
  }

  /**
   * Signs bytes.
   * @param data the bytes
   * @returns the 64-byte Ed25519 signature
   */
  sign(data: Uint8Array): Uint8Array {
    return sign(null, data, this.#privateKey);
  }
}

const publicKeys = new Map<string, KeyObject>();

/**
 * Verifies an Ed25519 signature by a verifier id. "B" (non-transferable) vids
 * carry their public key; "D"/"E" vids are looked up in `keep`.
 * @param vid the signer's verifier id
 * @param data the signed bytes
 * @param signature the 64-byte signature
 * @param keep raw public keys by vid, for vids that do not carry their key
 * @returns "ok", "unknownVerifier" (no key for the vid) or "badSignature"
 */
export function verifyMemoSignature(
  vid: string,
  data: Uint8Array,
  signature: Uint8Array,
  keep: ReadonlyMap<string, Uint8Array> | undefined,
): "ok" | "unknownVerifier" | "badSignature" {
  let key = publicKeys.get(vid);
  if (key === undefined) {
    const decoded = memoVidKey(vid);
    if (decoded === undefined) return "unknownVerifier";
    const raw = decoded.code === "B" ? decoded.key : keep?.get(vid);
    if (raw === undefined || raw.length !== 32) return "unknownVerifier";
    try {
      key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: "der", type: "spki" });
    } catch {
      return "unknownVerifier";
    }
    if (decoded.code === "B") {
      // Self-certifying: the key cannot change under this vid, so it may be cached.
      if (publicKeys.size >= 1024) publicKeys.delete(publicKeys.keys().next().value as string);
      publicKeys.set(vid, key);
    }
  }
  return signature.length === 64 && verify(null, data, key, signature) ? "ok" : "badSignature";
}
