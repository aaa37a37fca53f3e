/**
 * Load generator for bench/udp.bench.ts, run in its own process so the echo
 * server under test has a core to itself: keeps `window` datagrams of `size`
 * bytes in flight to an echo server, sends one more for every echo, and
 * prints one JSON line `{ echoes, seconds, rate, reprimed }`.
 *
 * Usage: node --import tsx bench/udp-load.ts <port> <seconds> <size> <window>
 */
import dgram from "node:dgram";

const [portArg, secondsArg, sizeArg, windowArg] = process.argv.slice(2);
const port = Number(portArg);
const seconds = Number(secondsArg ?? 3);
const size = Number(sizeArg ?? 1024);
const window = Number(windowArg ?? 32);
const warmup = 0.5;

const socket = dgram.createSocket("udp4");
const payload = Buffer.alloc(size, 0x61);
let echoes = 0;
let counted = 0;
let reprimed = 0;
let measuring = false;
let lastEcho = performance.now();
let start = 0;

function send(): void {
  socket.send(payload, port, "127.0.0.1");
}

function prime(): void {
  for (let i = 0; i < window; i++) send();
}

socket.on("message", () => {
  echoes++;
  if (measuring) counted++;
  lastEcho = performance.now();
  send();
});

socket.bind(0, "127.0.0.1", () => {
  prime();
  // Loopback UDP rarely loses, but a lost datagram shrinks the window for good;
  // top it up when the flow stalls, and say how often that happened.
  const stall = setInterval(() => {
    if (performance.now() - lastEcho > 100) {
      reprimed++;
      prime();
    }
  }, 50);
  setTimeout(() => {
    measuring = true;
    start = performance.now();
    setTimeout(() => {
      const elapsed = (performance.now() - start) / 1000;
      clearInterval(stall);
      process.stdout.write(`${JSON.stringify({ echoes: counted, seconds: elapsed, rate: counted / elapsed, reprimed, total: echoes })}\n`);
      socket.close();
    }, seconds * 1000);
  }, warmup * 1000);
});
