/**
 * Leak check for serial reopen cycles (issue 11): a reopenable Serial on a
 * socat pty pair whose device vanishes and comes back N times, echoing
 * through its handler each time, ends with the same open file descriptors,
 * active resources, signal waiters and pump state as after its first open.
 */
import { closeSync, constants, openSync, readdirSync, writeSync } from "node:fs";
import { afterEach, beforeEach, expect, it } from "vitest";
import { Doist } from "../../src/core/index.js";
import { pipe } from "../../src/io/index.js";
import { Console, Serial, SerialDoer } from "../../src/serial/index.js";
import { needPeers } from "../helpers/peers.js";
import { eventually, PtyPair, TtyReader } from "../helpers/serial-pty.js";

const socat = needPeers("socat");
const CYCLES = 12;
const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let pair: PtyPair | undefined;
let doist: Doist | undefined;
let done: Promise<boolean> | undefined;
let readers: TtyReader[] = [];

beforeEach(async () => {
  if (socat.reason === undefined) pair = await PtyPair.create(); // without it the tests skip or fail
});

afterEach(async () => {
  if (doist !== undefined) {
    doist.remove([...doist.doers]);
    await done?.catch(() => {});
  }
  for (const reader of readers) reader.close();
  readers = [];
  await pair?.dispose();
  pair = undefined;
  doist = undefined;
});

const openFds = (): number => readdirSync("/proc/self/fd").length;
const activeResources = (): number => process.getActiveResourcesInfo().filter((kind) => kind !== "Timeout" && kind !== "Immediate").length;

/** Everything that would grow if a reopen cycle leaked something. */
function snapshot(serial: Serial): Record<string, number> {
  return {
    fds: openFds(),
    resources: activeResources(),
    stateWaiters: serial.stateSignal.waiting,
    drainWaiters: serial.drainSignal.waiting,
    rxData: serial.rxbs.dataSignal.waiting,
    rxSpace: serial.rxbs.spaceSignal.waiting,
    txData: serial.txbs.dataSignal.waiting,
    txSpace: serial.txbs.spaceSignal.waiting,
    rxbs: serial.rxbs.length,
    unsent: serial.unsent,
  };
}

/** Writes `line` into the far end and waits for the handler's echo. */
async function exchange(far: string, line: string): Promise<void> {
  const reader = new TtyReader(far);
  readers.push(reader);
  const fd = openSync(far, constants.O_RDWR | constants.O_NOCTTY);
  try {
    writeSync(fd, line);
    await eventually(() => reader.data().toString().includes(line), `echo of ${JSON.stringify(line)}`);
  } finally {
    closeSync(fd);
    reader.close();
    readers.splice(readers.indexOf(reader), 1);
  }
}

socat.describe("Serial reopen cycles leak nothing", () => {
  it(`vanishes and returns ${CYCLES} times; fds, resources, waiters and pump state return to their start`, async () => {
    const serial = new Serial({ path: pair!.a, baudRate: 115200, reopenable: true, tymeout: 0.02 });
    doist = new Doist({
      real: true,
      tock: 0.01,
      signals: false,
      doers: [
        new SerialDoer({
          serial,
          handler: function* (serial) {
            yield* pipe(serial.rxbs, serial.txbs); // an echo that lives across reopens
          },
        }),
      ],
    });
    done = doist.do();
    await eventually(() => serial.opened, "first open");
    await exchange(pair!.b, "hello 0\n");
    await eventually(() => serial.drained, "drained");
    const start = snapshot(serial);

    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      await pair!.stop();
      await eventually(() => serial.cutoff, `cutoff ${cycle}`);
      await pair!.start();
      await eventually(() => serial.opened, `reopen ${cycle}`);
      await exchange(pair!.b, `hello ${cycle}\n`);
    }
    expect(serial.opens).toBe(CYCLES + 1);
    await eventually(() => serial.drained && serial.bytesSent === serial.bytesReceived, "echo drained");
    // The old ports close in the background: give their fds a moment to go.
    await eventually(() => openFds() <= start.fds!, "fds back to the start", 5_000).catch(() => {});
    expect(snapshot(serial)).toEqual(start);
  });

  it(`opens and closes a Console by path ${CYCLES} times without leaking its descriptors`, async () => {
    // libuv reopens a pty slave given to a tty stream and leaves the given fd
    // open: before the fix every cycle leaked three descriptors.
    const start = openFds();
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const terminal = new Console({ path: pair!.b });
      await terminal.open();
      terminal.write(`cycle ${cycle}\n`);
      await eventually(() => terminal.drained, "written");
      await terminal.close();
    }
    await eventually(() => openFds() <= start, "fds back to the start", 5_000).catch(() => {});
    await settle(20);
    expect(openFds()).toBe(start);
  });
});
