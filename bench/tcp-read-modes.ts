/**
 * Measures the ways a handle can take bytes off a Node socket, to pick the
 * fastest: flowing 'data' events, paused-mode 'readable' + read(), and the
 * `onread` static buffer (client sockets only). Each mode copies every chunk
 * into a 64 KiB ring-sized buffer, as a handle would. Run: tsx bench/tcp-read-modes.ts
 */
import net from "node:net";

const TOTAL = 512 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 7);
const sink = new Uint8Array(64 * 1024);

type Mode = "data" | "readable" | "onread";

function serve(): Promise<net.Server> {
  const server = net.createServer((socket) => {
    let sent = 0;
    const pump = (): void => {
      while (sent < TOTAL) {
        sent += CHUNK.length;
        if (!socket.write(CHUNK)) return void socket.once("drain", pump);
      }
      socket.end();
    };
    pump();
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

async function run(mode: Mode, port: number): Promise<number> {
  const start = performance.now();
  let received = 0;
  const take = (bytes: Uint8Array): void => {
    for (let offset = 0; offset < bytes.length; offset += sink.length) sink.set(bytes.subarray(offset, offset + sink.length));
    received += bytes.length;
  };
  await new Promise<void>((resolve) => {
    const options: net.NetConnectOpts = { port, host: "127.0.0.1" };
    if (mode === "onread") {
      const buffer = Buffer.allocUnsafe(64 * 1024);
      (options as net.TcpNetConnectOpts).onread = { buffer, callback: (n: number, b: Uint8Array) => (take(b.subarray(0, n)), true) };
    }
    const socket = net.connect(options);
    if (mode === "data") socket.on("data", take);
    if (mode === "readable") {
      socket.on("readable", () => {
        let chunk: Buffer | null;
        while ((chunk = socket.read() as Buffer | null) !== null) take(chunk);
      });
    }
    socket.on("end", () => socket.end());
    socket.on("close", () => resolve());
  });
  if (received !== TOTAL) throw new Error(`${mode}: got ${received}`);
  return TOTAL / 1e6 / ((performance.now() - start) / 1000);
}

const server = await serve();
const port = (server.address() as net.AddressInfo).port;
const modes: Mode[] = ["data", "readable", "onread"];
const results: Record<string, number[]> = {};
for (let round = 0; round < 3; round++) {
  for (const mode of modes) (results[mode] ??= []).push(await run(mode, port));
}
console.log("| read mode | MB/s (best of 3) | runs |");
console.log("| --- | ---: | --- |");
for (const mode of modes) {
  const runs = results[mode]!;
  console.log(`| ${mode} | ${Math.max(...runs).toFixed(0)} | ${runs.map((r) => r.toFixed(0)).join(", ")} |`);
}
server.close();
