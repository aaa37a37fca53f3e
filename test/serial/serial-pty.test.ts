/**
 * Serial on real pseudo-terminal pairs made by socat, against a peer on
 * serialport's own stream API.
 */
import { createHash } from "node:crypto";
import { afterEach, beforeEach, expect, it } from "vitest";
import { Doist, type Doable } from "../../src/core/index.js";
import { readExactly, readLine, writeAll } from "../../src/io/index.js";
import { Serial, SerialCutoffError, SerialDoer, type SerialOptions } from "../../src/serial/index.js";
import { eventually, PtyPair, RawPeer, TtyReader } from "../helpers/serial-pty.js";
import { needPeers } from "../helpers/peers.js";

const socat = needPeers("socat");

let pair: PtyPair;
let peers: RawPeer[];
let running: Array<{ doist: Doist; done: Promise<boolean> }>;
let serials: Serial[];
let readers: TtyReader[];

beforeEach(async () => {
  pair = await PtyPair.create();
  peers = [];
  running = [];
  serials = [];
  readers = [];
});

afterEach(async () => {
  for (const { doist, done } of running) {
    doist.remove([...doist.doers]);
    await done.catch(() => {});
  }
  for (const serial of serials) await serial.close();
  for (const peer of peers) await peer.close();
  for (const reader of readers) reader.close();
  await pair.dispose();
});

function serialOn(path: string, options: Partial<SerialOptions> = {}): Serial {
  const serial = new Serial({ path, baudRate: 115200, ...options });
  serials.push(serial);
  return serial;
}

async function peerOn(path: string, options: { flowing?: boolean } = {}): Promise<RawPeer> {
  const peer = await RawPeer.open(path, options);
  peers.push(peer);
  return peer;
}

/** Runs doers in a real-time Doist in the background until the test ends. */
function run(doers: Doable[]): Doist {
  const doist = new Doist({ doers, real: true, tock: 0.01, signals: false });
  running.push({ doist, done: doist.do() });
  return doist;
}

function pattern(size: number): Buffer {
  const data = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) data[i] = (i * 31 + (i >> 8)) & 0xff;
  return data;
}

const sha = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

socat.describe("Serial on a socat pty pair", () => {
  it("answers lines from a serialport peer", async () => {
    const serial = serialOn(pair.a);
    run([
      new SerialDoer({
        serial,
        handler: function* (serial) {
          for (;;) {
            const line = yield* readLine(serial.rxbs);
            yield* writeAll(serial.txbs, Buffer.from(`echo:${Buffer.from(line).toString()}\n`));
          }
        },
      }),
    ]);
    const peer = await peerOn(pair.b);
    await eventually(() => serial.opened, "serial opens");
    await peer.write("hello\nwor");
    await peer.write("ld\n");
    await eventually(() => peer.data().toString() === "echo:hello\necho:world\n", "both echoes arrive");
  });

  it("sends 256 KiB to the peer intact and in order", async () => {
    const payload = pattern(256 * 1024);
    const serial = serialOn(pair.a, { bufferSize: 4096 });
    run([
      new SerialDoer({
        serial,
        handler: function* (serial) {
          yield* writeAll(serial.txbs, payload);
          for (;;) yield* readLine(serial.rxbs); // stay open
        },
      }),
    ]);
    const peer = await peerOn(pair.b);
    await eventually(() => peer.received >= payload.length, "all bytes arrive", 20_000);
    expect(sha(peer.data())).toBe(sha(payload));
  });

  it("receives 256 KiB from the peer intact and in order", async () => {
    const payload = pattern(256 * 1024);
    const serial = serialOn(pair.a, { bufferSize: 4096 });
    let digest = "";
    run([
      new SerialDoer({
        serial,
        handler: function* (serial) {
          const hash = createHash("sha256");
          for (let left = payload.length; left > 0; ) {
            const chunk = yield* readExactly(serial.rxbs, Math.min(left, 1000));
            hash.update(chunk);
            left -= chunk.length;
          }
          digest = hash.digest("hex");
          for (;;) yield* readLine(serial.rxbs);
        },
      }),
    ]);
    await eventually(() => serial.opened, "serial opens");
    const peer = await peerOn(pair.b);
    await peer.write(payload);
    await eventually(() => digest !== "", "all bytes read", 20_000);
    expect(digest).toBe(sha(payload));
  });

  it("stops reading while rxbs is full, so the peer's write waits, and loses nothing", async () => {
    const payload = pattern(256 * 1024);
    const serial = serialOn(pair.a, { bufferSize: 1024 });
    await serial.open();
    const peer = await peerOn(pair.b);
    let written = false;
    const writing = peer.write(payload).then(() => (written = true));
    await eventually(() => serial.rxbs.isFull, "rxbs fills");
    expect(serial.bytesReceived).toBe(1024); // no read in flight beyond the ring's room
    expect(written).toBe(false); // the OS buffers filled up behind us: the peer waits
    const received: Buffer[] = [];
    let total = 0;
    await eventually(
      () => {
        const chunk = serial.rxbs.read();
        received.push(Buffer.from(chunk));
        total += chunk.length;
        return total >= payload.length;
      },
      "every byte is read",
      20_000,
    );
    await writing;
    expect(sha(Buffer.concat(received))).toBe(sha(payload));
  });

  it("holds txbs while the peer does not read, then delivers everything", async () => {
    const payload = pattern(512 * 1024);
    const serial = serialOn(pair.a, { bufferSize: 4096 });
    await serial.open();
    const peer = await peerOn(pair.b, { flowing: false });
    let offered = 0;
    const offer = () => {
      if (offered < payload.length) offered += serial.txbs.write(payload.subarray(offered));
    };
    await eventually(() => {
      offer();
      return serial.txbs.isFull && offered < payload.length;
    }, "txbs fills");
    const stuckAt = serial.bytesSent;
    expect(stuckAt).toBeLessThan(payload.length);
    peer.resume();
    await eventually(
      () => {
        offer();
        return peer.received >= payload.length;
      },
      "the peer has it all",
      20_000,
    );
    expect(sha(peer.data())).toBe(sha(payload));
  });

  it("reports cutoff when socat stops and, reopenable, resends queued bytes once it is back", async () => {
    const serial = serialOn(pair.a, { reopenable: true, tymeout: 0.05 });
    // Record the error at the moment of the cutoff: on a loaded machine a
    // reopen attempt may fail (SerialNotFoundError) before the test looks.
    const cutoffErrors: Array<Error | undefined> = [];
    const watcher = {
      wake(): void {
        if (serial.cutoff) cutoffErrors.push(serial.error);
        serial.stateSignal.subscribe(watcher);
      },
    };
    serial.stateSignal.subscribe(watcher);
    run([new SerialDoer({ serial })]);
    await eventually(() => serial.opened, "serial opens");
    await pair.stop();
    await eventually(() => serial.cutoff, "cutoff");
    expect(cutoffErrors[0]).toBeInstanceOf(SerialCutoffError);
    expect(cutoffErrors[0]?.message).toContain(pair.a);
    serial.txbs.write(Buffer.from("sent while the device was away\n"));
    await pair.start();
    // The serial may reopen and send before the peer is open: read the other
    // end without serialport, whose open would flush what already arrived.
    const peer = new TtyReader(pair.b);
    readers.push(peer);
    await eventually(() => serial.opened, "serial reopens");
    await eventually(() => peer.data().toString() === "sent while the device was away\n", "queued bytes arrive");
    expect(serial.opens).toBe(2);
  });
});
