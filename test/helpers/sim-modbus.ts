/**
 * A simulated Modbus RTU slave for the device end of a SimSerialLink: it cuts
 * request frames by the inter-frame silence, ignores frames with a bad CRC
 * (as real slaves do), and answers function 3 (read holding registers).
 */
import { doify, type DoFunction } from "../../src/core/index.js";
import { crc16Modbus, FrameTooLongError, InterByteTimeoutFramer, readFrame, writeAll } from "../../src/io/index.js";
import type { SimSerialDevice } from "../../src/sim/index.js";

/** What the slave saw. */
export interface SlaveStats {
  answered: number;
  badCrc: number;
}

/**
 * Makes the slave's doer.
 * @param device the link's device end
 * @param unit its unit id
 * @param registers its holding registers
 * @param interval inter-frame silence in seconds
 * @param stats counters it updates
 */
export function modbusSlave(device: SimSerialDevice, unit: number, registers: readonly number[], interval: number, stats: SlaveStats): DoFunction {
  return doify(
    function* slave() {
      const framer = new InterByteTimeoutFramer({ interval, max: 256 });
      for (;;) {
        let frame: Uint8Array;
        try {
          frame = yield* readFrame(device.rxbs, framer);
        } catch (error) {
          if (error instanceof FrameTooLongError) continue; // line noise
          throw error;
        }
        if (frame.length < 4 || crc16Modbus(frame.subarray(0, frame.length - 2)) !== (frame[frame.length - 2]! | (frame[frame.length - 1]! << 8))) {
          stats.badCrc++;
          continue;
        }
        if (frame[0] !== unit || frame[1] !== 0x03 || frame.length !== 8) continue;
        const address = (frame[2]! << 8) | frame[3]!;
        const count = (frame[4]! << 8) | frame[5]!;
        const reply = new Uint8Array(5 + 2 * count);
        reply[0] = unit;
        reply[1] = 0x03;
        reply[2] = 2 * count;
        for (let i = 0; i < count; i++) {
          const value = registers[address + i] ?? 0;
          reply[3 + 2 * i] = value >> 8;
          reply[4 + 2 * i] = value & 0xff;
        }
        const crc = crc16Modbus(reply.subarray(0, reply.length - 2));
        reply[reply.length - 2] = crc & 0xff;
        reply[reply.length - 1] = crc >> 8;
        yield interval; // the silence before answering
        yield* writeAll(device.txbs, reply);
        stats.answered++;
      }
    },
    { name: `modbus slave ${unit}` },
  );
}
