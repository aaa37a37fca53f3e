/**
 * Load client process for bench/tcp.bench.ts: gets one scenario over IPC,
 * runs it against the echo server on loopback, sends back the result, and
 * exits. The same client measures every server, so only the server differs.
 */
import net from "node:net";

interface Job {
  scenario: "throughput" | "pingpong" | "churn" | "idle";
  port: number;
  connections: number;
  bytes?: number;
  seconds?: number;
  /** Message size of a ping-pong, bytes (default 64). */
  size?: number;
}

const send = (message: object): void => void process.send?.(message);

function open(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: "127.0.0.1", noDelay: true });
    socket.once("connect", () => resolve(socket));
    socket.once("error", reject);
  });
}

async function throughput(job: Job): Promise<object> {
  const share = Math.floor(job.bytes! / job.connections);
  const chunk = Buffer.alloc(64 * 1024, 0x5a);
  const sockets = await Promise.all(Array.from({ length: job.connections }, () => open(job.port)));
  const start = performance.now();
  await Promise.all(
    sockets.map(
      (socket) =>
        new Promise<void>((resolve) => {
          let sent = 0;
          let received = 0;
          socket.on("data", (data: Buffer) => {
            received += data.length;
            if (received >= share) resolve();
          });
          const pump = (): void => {
            while (sent < share) {
              sent += chunk.length;
              if (!socket.write(chunk)) return void socket.once("drain", pump);
            }
          };
          pump();
        }),
    ),
  );
  const seconds = (performance.now() - start) / 1000;
  for (const socket of sockets) socket.destroy();
  return { mbPerSecond: (share * job.connections) / 1e6 / seconds, megabytes: (share * job.connections) / 1e6 };
}

async function pingpong(job: Job): Promise<object> {
  const message = Buffer.alloc(job.size ?? 64, 0x61);
  const sockets: net.Socket[] = [];
  for (let opened = 0; opened < job.connections; opened += 500) {
    sockets.push(...(await Promise.all(Array.from({ length: Math.min(500, job.connections - opened) }, () => open(job.port)))));
  }
  // One untimed round trip on every connection first: the clock starts once
  // the server has accepted and answered them all (a connection the client
  // sees as open may still wait in the server's accept queue; accepting is
  // what the churn scenario measures).
  await Promise.all(
    sockets.map(
      (socket) =>
        new Promise<void>((resolve) => {
          let pending = 0;
          const onData = (data: Buffer): void => {
            pending += data.length;
            if (pending < message.length) return;
            socket.off("data", onData);
            resolve();
          };
          socket.on("data", onData);
          socket.write(message);
        }),
    ),
  );
  const latencies: number[] = [];
  const stopAt = performance.now() + job.seconds! * 1000;
  const start = performance.now();
  await Promise.all(
    sockets.map(
      (socket) =>
        new Promise<void>((resolve) => {
          let pending = 0;
          let sentAt = 0;
          const ping = (): void => {
            sentAt = performance.now();
            socket.write(message);
          };
          socket.on("data", (data: Buffer) => {
            pending += data.length;
            if (pending < message.length) return;
            pending -= message.length;
            const now = performance.now();
            latencies.push((now - sentAt) * 1000);
            if (now >= stopAt) resolve();
            else ping();
          });
          ping();
        }),
    ),
  );
  const seconds = (performance.now() - start) / 1000;
  for (const socket of sockets) socket.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { roundTrips: latencies.length / seconds, p50: at(0.5), p99: at(0.99), completed: latencies.length };
}

async function churn(job: Job): Promise<object> {
  const stopAt = performance.now() + job.seconds! * 1000;
  let completed = 0;
  const start = performance.now();
  const worker = async (): Promise<void> => {
    while (performance.now() < stopAt) {
      await new Promise<void>((resolve, reject) => {
        const socket = net.connect({ port: job.port, host: "127.0.0.1", noDelay: true });
        socket.once("connect", () => socket.write("x"));
        socket.once("data", () => socket.end());
        socket.once("error", reject);
        socket.once("close", () => resolve());
        socket.resume();
      });
      completed++;
    }
  };
  await Promise.all(Array.from({ length: job.connections }, worker));
  return { connsPerSecond: completed / ((performance.now() - start) / 1000), completed };
}

let idleSockets: net.Socket[] = [];

async function idle(job: Job): Promise<object> {
  for (let opened = 0; opened < job.connections; opened += 500) {
    const batch = await Promise.all(Array.from({ length: Math.min(500, job.connections - opened) }, () => open(job.port)));
    idleSockets.push(...batch);
  }
  return { opened: idleSockets.length };
}

process.on("message", async (message: Job | { scenario: "close" }) => {
  if (message.scenario === "close") {
    for (const socket of idleSockets) socket.destroy();
    idleSockets = [];
    send({ done: true });
    return;
  }
  const job = message;
  const run = { throughput, pingpong, churn, idle }[job.scenario];
  send(await run(job));
  if (job.scenario !== "idle") process.exit(0);
});
