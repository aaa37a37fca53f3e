import { describe, expect, it } from "vitest";
import { Intake, type IntakeSource } from "../../src/io/intake.js";
import { RingBuffer } from "../../src/io/index.js";

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (data: Uint8Array): string => new TextDecoder().decode(data);

/** A source that records pauses and resumes. */
class Source implements IntakeSource {
  pauses = 0;
  resumes = 0;
  paused = false;
  pause(): void {
    this.pauses++;
    this.paused = true;
  }
  resume(): void {
    this.resumes++;
    this.paused = false;
  }
}

describe("Intake", () => {
  it("takes a chunk that fits whole, without pausing the source", () => {
    const ring = new RingBuffer({ capacity: 8 });
    const source = new Source();
    const intake = new Intake(ring, { source });
    expect(intake.offer(bytes("hello"))).toBe(5);
    expect(intake.held).toBe(0);
    expect(source.pauses).toBe(0);
    expect(text(ring.read())).toBe("hello");
  });

  it("holds what does not fit, pauses the source, and resumes it once a reader made room", () => {
    const ring = new RingBuffer({ capacity: 4 });
    const source = new Source();
    let delivered = 0;
    const intake = new Intake(ring, { source, delivered: () => delivered++ });
    expect(intake.offer(bytes("abcdefghij"))).toBe(4);
    expect(intake.held).toBe(6);
    expect(source.paused).toBe(true);
    expect(text(ring.read(3))).toBe("abc"); // room for 3: some held bytes go in, still paused
    expect(intake.held).toBe(3);
    expect(source.paused).toBe(true);
    expect(delivered).toBe(0);
    expect(text(ring.read())).toBe("defg");
    expect(intake.held).toBe(0);
    expect(source.paused).toBe(false);
    expect([source.pauses, source.resumes, delivered]).toEqual([1, 1, 1]);
    expect(text(ring.read())).toBe("hij");
  });

  it("ends the ring only after the held tail is in (the Console end-of-input case)", () => {
    const ring = new RingBuffer({ capacity: 4 });
    const intake = new Intake(ring, { source: new Source() });
    intake.offer(bytes("last chunk"));
    intake.end();
    expect(ring.ended).toBe(false); // ending now would lose "chunk"
    expect(intake.ending).toBe(true);
    let out = "";
    while (!ring.exhausted) out += text(ring.read());
    expect(out).toBe("last chunk");
    expect(ring.ended).toBe(true);
  });

  it("ends the ring at once when nothing is held", () => {
    const ring = new RingBuffer({ capacity: 4 });
    const intake = new Intake(ring);
    intake.offer(bytes("ab"));
    intake.end();
    expect(ring.ended).toBe(true);
    expect(text(ring.read())).toBe("ab");
  });

  it("holds a view of a stable chunk, and a copy when the source reuses its buffer", () => {
    for (const copy of [false, true]) {
      const ring = new RingBuffer({ capacity: 2 });
      const intake = new Intake(ring, { copy });
      const scratch = bytes("abcd");
      intake.offer(scratch);
      scratch.set(bytes("WXYZ")); // the source reuses its buffer for the next read
      ring.read();
      expect(text(ring.read())).toBe(copy ? "cd" : "YZ");
    }
  });

  it("copies per chunk when offer() is told the chunk's buffer is reused", () => {
    const ring = new RingBuffer({ capacity: 2 });
    const intake = new Intake(ring);
    const scratch = bytes("abcd");
    intake.offer(scratch, true);
    scratch.set(bytes("WXYZ"));
    ring.read();
    expect(text(ring.read())).toBe("cd");
  });

  it("with a wake option, wakes it when room frees up and moves the bytes in flush() (a handle's service)", () => {
    const ring = new RingBuffer({ capacity: 2 });
    const source = new Source();
    let wakes = 0;
    const intake = new Intake(ring, { source, wake: { wake: () => wakes++ } });
    intake.offer(bytes("abcd"));
    ring.read();
    expect([wakes, ring.length, intake.held]).toEqual([1, 0, 2]); // woken, nothing moved yet
    expect(intake.flush()).toBe(true);
    expect(text(ring.read())).toBe("cd");
    expect(source.paused).toBe(false);
  });

  it("queues a chunk offered while bytes are held (a source that delivers after pause)", () => {
    const ring = new RingBuffer({ capacity: 3 });
    const intake = new Intake(ring);
    expect(intake.offer(bytes("abcde"))).toBe(3);
    expect(intake.offer(bytes("fgh"))).toBe(0);
    expect(intake.held).toBe(5);
    let out = "";
    while (ring.length > 0) out += text(ring.read());
    expect(out).toBe("abcdefgh");
  });

  it("drops what it holds once the ring is ended (the consumer closed)", () => {
    const ring = new RingBuffer({ capacity: 2 });
    const source = new Source();
    const intake = new Intake(ring, { source });
    intake.offer(bytes("abcd"));
    ring.end();
    ring.read();
    expect(intake.held).toBe(0);
    expect(intake.offer(bytes("more"))).toBe(0);
    expect(ring.length).toBe(0);
  });

  it("defers the move into the ring to a microtask when asked", async () => {
    const ring = new RingBuffer({ capacity: 2 });
    const intake = new Intake(ring, { defer: true });
    intake.offer(bytes("abcd"));
    expect(text(ring.read())).toBe("ab");
    expect(ring.length).toBe(0); // not inside read()
    await Promise.resolve();
    expect(text(ring.read())).toBe("cd");
  });

  it("flush() moves held bytes in when the room came without a signal it saw", () => {
    const ring = new RingBuffer({ capacity: 2 });
    const source = new Source();
    const intake = new Intake(ring, { source, defer: true });
    intake.offer(bytes("abcd"));
    ring.read(); // the deferred move is queued; flush does it now
    expect(intake.flush()).toBe(true);
    expect(text(ring.read())).toBe("cd");
    expect(source.paused).toBe(false);
  });

  it("reset() forgets held bytes and stops waiting on the ring", () => {
    const ring = new RingBuffer({ capacity: 2 });
    const intake = new Intake(ring, { source: new Source() });
    intake.offer(bytes("abcd"));
    expect(ring.spaceSignal.waiting).toBe(1);
    intake.reset();
    expect(ring.spaceSignal.waiting).toBe(0);
    expect(intake.held).toBe(0);
    expect(intake.paused).toBe(false);
  });

  it("feeds through a custom feed (a line editor) and holds what it did not take", () => {
    const ring = new RingBuffer({ capacity: 16 });
    // Takes only whole lines, as a line editor does.
    const feed = (chunk: Uint8Array, target: RingBuffer): number => {
      const end = chunk.lastIndexOf(0x0a) + 1;
      return end === 0 ? 0 : target.write(chunk.subarray(0, Math.min(end, target.free)));
    };
    const intake = new Intake(ring, { feed });
    expect(intake.offer(bytes("one\ntwo"))).toBe(4);
    expect(intake.held).toBe(3);
  });

  describe("loses no byte and keeps order however the source chunks it", () => {
    const payload = new Uint8Array(5000);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7 + (i >> 8)) & 0xff;
    const rows: Array<[string, number, number, number]> = [
      // name, chunk size, ring capacity, reader step
      ["chunks of 1, ring 7, reads of 3", 1, 7, 3],
      ["chunks of 100, ring 64, reads of 1", 100, 64, 1],
      ["chunks larger than the ring (4096 into 512), reads of 1000", 4096, 512, 1000],
      ["one chunk of everything, ring 1, reads of 1", 5000, 1, 1],
      ["chunks of 333, ring 333, reads of 333", 333, 333, 333],
    ];
    for (const copy of [false, true]) {
      for (const [name, chunk, capacity, step] of rows) {
        it(`${name}${copy ? ", copying" : ""}`, () => {
          const ring = new RingBuffer({ capacity });
          const source = new Source();
          const intake = new Intake(ring, { source, copy });
          const out: number[] = [];
          let sent = 0;
          let ended = false;
          for (let guard = 0; guard < 1_000_000 && !ring.exhausted; guard++) {
            if (!source.paused && sent < payload.length) {
              const next = payload.subarray(sent, Math.min(sent + chunk, payload.length));
              sent += next.length;
              intake.offer(next);
            } else if (sent === payload.length && !ended) {
              ended = true;
              intake.end();
            } else {
              for (const byte of ring.read(step)) out.push(byte);
            }
          }
          expect(ring.exhausted).toBe(true);
          expect(Uint8Array.from(out)).toEqual(payload);
          expect(source.pauses).toBe(source.resumes + (source.paused ? 1 : 0));
        });
      }
    }
  });
});
