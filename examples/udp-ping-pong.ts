/**
 * UDP ping/pong: a pong peer answers every `ping N` datagram with `pong N`;
 * a ping peer sends pings at an interval, matches the answers, and reports
 * round-trip times and losses. Both are handler generators over a Peer's
 * datagram queues, run by PeerDoers.
 *
 * ```sh
 * npx tsx examples/udp-ping-pong.ts                                  # both peers, one Doist, over loopback
 * npx tsx examples/udp-ping-pong.ts --role pong --port 9000          # in one terminal (Ctrl-C stops it)
 * npx tsx examples/udp-ping-pong.ts --role ping --to 127.0.0.1:9000 --count 5
 * ```
 *
 * Options: `--count N` pings (default 5), `--interval S` seconds of tyme
 * between them (default 0.2), `--timeout S` to wait for each pong (default 1).
 * Exit code 0 when every ping was answered, 1 when some were lost, 2 for
 * bad arguments.
 *
 * @module
 */
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import {
  Doist,
  HioError,
  Peer,
  PeerDoer,
  Signal,
  UdpTimeoutError,
  decodeUtf8,
  encodeUtf8,
  formatUdpAddress,
  race,
  readDatagram,
  waitFor,
  writeDatagram,
  type UdpAddress,
  type Operation,
} from "hio-ts";

type Out = (line: string) => void;

/**
 * Answers `ping N` with `pong N` to whoever sent it; ignores anything else.
 * @param answered counts the pongs sent
 * @param stop when given, the handler returns as soon as it notifies;
 *   without it the handler runs until the Doist stops
 * @returns a handler for a PeerDoer
 */
export function pongHandler(answered: { count: number } = { count: 0 }, stop?: Signal) {
  function* serve(peer: Peer): Operation<void> {
    for (;;) {
      const { data, from } = yield* readDatagram(peer);
      const text = decodeUtf8(data);
      if (!text.startsWith("ping ")) continue;
      yield* writeDatagram(peer, encodeUtf8(`pong ${text.slice(5)}`), from);
      answered.count++;
    }
  }
  return function* pong(peer: Peer): Operation<unknown> {
    if (stop === undefined) return yield* serve(peer);
    // The first to finish wins; race closes the other (serving stops).
    return yield* race<unknown>([serve(peer), waitFor(stop)]);
  };
}

/** What a ping run found. */
export interface PingReport {
  /** Pings sent. */
  sent: number;
  /** Pongs matched to their ping. */
  received: number;
  /** Wall-clock round-trip times in milliseconds, of the answered pings. */
  rttMs: number[];
}

/**
 * Sends `count` pings to `to`, `interval` seconds of tyme apart, each waiting
 * up to `timeout` for its pong (stale pongs of earlier pings are skipped).
 * @param to the pong peer
 * @param options `count`, `interval`, `timeout`, `out`
 * @param report filled in as it goes
 * @returns a handler for a PeerDoer; it returns after the last ping
 */
export function pingHandler(to: UdpAddress, options: { count: number; interval: number; timeout: number; out?: Out }, report: PingReport) {
  return function* ping(peer: Peer): Operation<void> {
    for (let n = 1; n <= options.count; n++) {
      const start = performance.now(); // wall clock: tyme only moves in tocks
      yield* writeDatagram(peer, encodeUtf8(`ping ${n}`), to);
      report.sent++;
      try {
        for (;;) {
          const { data } = yield* readDatagram(peer, { timeout: options.timeout });
          if (decodeUtf8(data) !== `pong ${n}`) continue; // a late answer to an earlier ping
          const rtt = performance.now() - start;
          report.received++;
          report.rttMs.push(rtt);
          options.out?.(`pong ${n} from ${formatUdpAddress(to)}: ${rtt.toFixed(3)} ms`);
          break;
        }
      } catch (error) {
        if (!(error instanceof UdpTimeoutError)) throw error;
        options.out?.(`ping ${n}: no answer within ${options.timeout} s`);
      }
      if (n < options.count) yield options.interval;
    }
  };
}

/**
 * Runs a pong peer and a ping peer under one Doist over loopback.
 * @param options `count`, `interval`, `timeout`, `out`, `real`
 * @returns the ping report and how many pongs were sent
 */
export async function pingPong(options: { count?: number; interval?: number; timeout?: number; out?: Out; real?: boolean } = {}): Promise<PingReport & { answered: number }> {
  const pongPeer = new Peer({ host: "127.0.0.1", port: 0, name: "pong" });
  await pongPeer.open();
  const answered = { count: 0 };
  const report: PingReport = { sent: 0, received: 0, rttMs: [] };
  const pingPeer = new Peer({ host: "127.0.0.1", port: 0, name: "ping" });
  const to = { host: pongPeer.host, port: pongPeer.port };
  const pinged = new Signal();
  const pings = pingHandler(to, { count: options.count ?? 5, interval: options.interval ?? 0.2, timeout: options.timeout ?? 1, ...(options.out && { out: options.out }) }, report);
  // Each PeerDoer is done when its handler returns, so the Doist ends when
  // both have: the ping handler after its last ping, the pong handler when
  // the ping handler tells it (also if the ping handler failed).
  const ping = new PeerDoer({
    peer: pingPeer,
    handler: function* ping(peer) {
      try {
        yield* pings(peer);
      } finally {
        pinged.notify();
      }
    },
  });
  const pong = new PeerDoer({ peer: pongPeer, handler: pongHandler(answered, pinged) });
  await new Doist({ name: "udp-ping-pong", real: options.real ?? true, doers: [pong, ping] }).do();
  return { ...report, answered: answered.count };
}

function summary(report: PingReport, out: Out): void {
  const rtt = report.rttMs;
  const avg = rtt.length === 0 ? 0 : rtt.reduce((sum, value) => sum + value, 0) / rtt.length;
  out(
    `${report.sent} pings, ${report.received} pongs, ${report.sent - report.received} lost` +
      (rtt.length === 0 ? "" : `; rtt min/avg/max ${Math.min(...rtt).toFixed(3)}/${avg.toFixed(3)}/${Math.max(...rtt).toFixed(3)} ms`),
  );
}

/**
 * Runs the example.
 * @param argv `[--role both|ping|pong] [--port N] [--to HOST:PORT] [--count N] [--interval S] [--timeout S]`
 * @param out where to print
 * @returns the exit code
 */
export async function main(argv: string[] = process.argv.slice(2), out: Out = console.log): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        role: { type: "string", default: "both" },
        host: { type: "string", default: "127.0.0.1" },
        port: { type: "string", default: "9000" },
        to: { type: "string", default: "127.0.0.1:9000" },
        count: { type: "string", default: "5" },
        interval: { type: "string", default: "0.2" },
        timeout: { type: "string", default: "1" },
      },
    }));
  } catch (error) {
    out(`usage: npx tsx examples/udp-ping-pong.ts [--role both|ping|pong] [--port N] [--to HOST:PORT] [--count N] [--interval S] [--timeout S] (${(error as Error).message})`);
    return 2;
  }
  const count = Number(values.count);
  const interval = Number(values.interval);
  const timeout = Number(values.timeout);
  const port = Number(values.port);
  const to = /^(.+):(\d+)$/.exec(values.to);
  if (!Number.isInteger(count) || count < 1 || !(interval >= 0) || !(timeout > 0) || !Number.isInteger(port) || to === null || !["both", "ping", "pong"].includes(values.role)) {
    out("bad arguments: --role both|ping|pong, --count >= 1, --interval >= 0, --timeout > 0, --port 0-65535, --to host:port");
    return 2;
  }
  try {
    if (values.role === "both") {
      const report = await pingPong({ count, interval, timeout, out });
      summary(report, out);
      return report.received === report.sent ? 0 : 1;
    }
    if (values.role === "pong") {
      const peer = new Peer({ host: values.host, port, name: "pong" });
      await peer.open();
      const answered = { count: 0 };
      const doist = new Doist({ name: "pong", real: true, doers: [new PeerDoer({ peer, handler: pongHandler(answered) })] });
      const running = doist.do(); // from here on Ctrl-C stops it cleanly
      out(`pong on ${formatUdpAddress({ host: peer.host, port: peer.port })}`);
      await running;
      out(`answered ${answered.count} pings`);
      return 0;
    }
    const report: PingReport = { sent: 0, received: 0, rttMs: [] };
    const peer = new Peer({ host: to[1]!.includes(":") ? "::" : "0.0.0.0", port: 0, name: "ping" });
    const ping = new PeerDoer({ peer, handler: pingHandler({ host: to[1]!.replace(/^\[|\]$/g, ""), port: Number(to[2]) }, { count, interval, timeout, out }, report) });
    await new Doist({ name: "ping", real: true, doers: [ping] }).do();
    summary(report, out);
    return report.received === report.sent ? 0 : 1;
  } catch (error) {
    out(error instanceof HioError ? error.message : String(error));
    return 1;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main();
