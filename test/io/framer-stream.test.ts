import { DelimiterParser } from "@serialport/parser-delimiter";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { describe, expect, it } from "vitest";
import { DelimiterFramer, FrameTooLongError, FramerTransform, LineFramer, SlipFramer, frames, slipEncode } from "../../src/io/index.js";

const text = "alpha\r\nbeta\r\n\r\ngamma with a longer body\r\nlast-without-end";
const chunkings: [string, number[]][] = [
  ["one chunk", [text.length]],
  ["byte by byte", Array.from({ length: text.length }, () => 1)],
  ["delimiter split 1/2", [6, 1, 100]],
  ["uneven", [3, 7, 2, 11, 5, 100]],
];

function chunked(sizes: number[]): Buffer[] {
  const data = Buffer.from(text);
  const out: Buffer[] = [];
  let at = 0;
  for (const size of sizes) {
    if (at >= data.length) break;
    out.push(data.subarray(at, at + size));
    at += size;
  }
  return out;
}

async function run(stream: NodeJS.ReadWriteStream, chunks: Buffer[]): Promise<string[]> {
  // 'data' events, one per frame: async iteration of parser-delimiter's
  // byte-mode output would join the frames buffered between reads.
  const out: string[] = [];
  stream.on("data", (frame: Uint8Array) => out.push(Buffer.from(frame).toString()));
  await pipeline(Readable.from(chunks), stream);
  return out;
}

describe("FramerTransform", () => {
  for (const [how, sizes] of chunkings) {
    it(`gives the same frames as @serialport/parser-delimiter (${how})`, async () => {
      const ours = await run(new FramerTransform(new DelimiterFramer({ delimiter: "\r\n" })), chunked(sizes));
      const theirs = await run(new DelimiterParser({ delimiter: "\r\n" }), chunked(sizes));
      // Ours keeps the empty frame and holds back the incomplete one;
      // parser-delimiter drops empty frames and flushes the rest at the end.
      expect(ours).toEqual(["alpha", "beta", "", "gamma with a longer body"]);
      expect(theirs).toEqual(["alpha", "beta", "gamma with a longer body", "last-without-end"]);
    });
  }

  it("emits empty frames, and the partial frame at the end with flushPartial", async () => {
    const transform = new FramerTransform(new LineFramer(), { flushPartial: true });
    expect(await run(transform, chunked([text.length]))).toEqual(["alpha", "beta", "", "gamma with a longer body", "last-without-end"]);
  });

  it("counts the dropped partial frame without flushPartial", async () => {
    const transform = new FramerTransform(new LineFramer());
    await run(transform, chunked([text.length]));
    expect(transform.partial).toBe("last-without-end".length);
  });

  it("destroys the stream with the framer's FrameTooLongError", async () => {
    const transform = new FramerTransform(new LineFramer({ max: 8 }));
    await expect(run(transform, [Buffer.from("short\nthis line is too long\n")])).rejects.toBeInstanceOf(FrameTooLongError);
  });

  it("rejects something that is not a framer with a TypeError", () => {
    expect(() => new FramerTransform({} as never)).toThrow(TypeError);
  });
});

describe("frames", () => {
  it("iterates SLIP frames with for await, whatever the chunking", async () => {
    const packets = [Uint8Array.of(1, 2, 0xc0, 3), Uint8Array.of(0xdb), Uint8Array.of(9, 9, 9)];
    const wire = Buffer.concat(packets.map((packet) => slipEncode(packet)));
    const pieces = Array.from({ length: wire.length }, (_, index) => wire.subarray(index, index + 1));
    const got: Uint8Array[] = [];
    for await (const frame of frames(Readable.from(pieces), new SlipFramer())) got.push(frame);
    expect(got.map((frame) => [...frame])).toEqual(packets.map((packet) => [...packet]));
  });
});
