/**
 * Line-based chat server: many clients, one room. Each connection gets one
 * handler generator that asks for a name, then relays every line to the
 * others; `/who` lists who is there, `/quit` leaves.
 *
 * ```sh
 * npx tsx examples/chat-server.ts --port 7001       # Ctrl-C stops it
 * nc 127.0.0.1 7001                                 # in two or more terminals
 * ```
 *
 * Options: `--host` (default 127.0.0.1), `--port` (default 7001; 0 picks a
 * free one, printed first), `--wirelog FILE`.
 *
 * Back pressure, not silent loss: a message goes into each listener's `txbs`
 * whole or not at all; a listener whose `txbs` has no room for it (it stopped
 * reading while others kept talking) is disconnected with a notice to the
 * room, and counted in `room.dropped`.
 *
 * @module
 */
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { Doist, ListenError, Server, ServerDoer, WireLog, encodeUtf8, readLineText, writeText, type ConnectionHandler, type RingBuffer, type TcpDriver } from "hio-ts";

/** What the room needs of a connection (a Remoter has it all). */
export interface ChatMember {
  /** The peer's `host:port`. */
  readonly key: string;
  /** Where the member's outgoing bytes wait. */
  readonly txbs: RingBuffer;
  /** Closes the connection. */
  close(): void;
}

const NAME = /^[A-Za-z0-9_-]{1,20}$/;

/** The members by name, and what happened to them. */
export class ChatRoom {
  /** Members in the room, by name, in order of joining. */
  readonly members = new Map<string, ChatMember>();
  /** Members disconnected because their `txbs` could not take a message. */
  dropped = 0;
  /** Lines relayed (each counted once, however many heard it). */
  relayed = 0;

  /**
   * Adds a member unless the name is invalid or taken.
   * @param name the name asked for
   * @param member the connection
   * @returns why the name was refused, or undefined when the member joined
   */
  join(name: string, member: ChatMember): string | undefined {
    if (!NAME.test(name)) return "names are 1-20 letters, digits, _ or -";
    if (this.members.has(name)) return `${name} is taken`;
    this.members.set(name, member);
    this.broadcast(`* ${name} joined\n`, name);
    return undefined;
  }

  /**
   * Removes a member (idempotent) and tells the others.
   * @param name who leaves
   */
  leave(name: string): void {
    if (!this.members.delete(name)) return;
    this.broadcast(`* ${name} left\n`);
  }

  /**
   * Sends `text` to every member but `except`. Each gets all of it or,
   * when its `txbs` has no room, is disconnected.
   * @param text the message, with its LF
   * @param except the sender's name
   */
  broadcast(text: string, except?: string): void {
    const bytes = encodeUtf8(text);
    const slow: string[] = [];
    for (const [name, member] of this.members) {
      if (name === except) continue;
      if (member.txbs.free < bytes.length) slow.push(name);
      else member.txbs.write(bytes);
    }
    for (const name of slow) {
      const member = this.members.get(name);
      if (member === undefined) continue;
      this.dropped++;
      member.close();
      this.leave(name); // tells the rest, which may find more slow members
    }
  }

  /**
   * Lists the names in the room.
   * @returns the names, in order of joining
   */
  names(): string[] {
    return [...this.members.keys()];
  }
}

/**
 * Makes the per-connection handler for `room`.
 * @param room the room every connection joins
 * @returns a handler for a ServerDoer
 * @example
 * ```ts
 * const room = new ChatRoom();
 * const doer = new ServerDoer({ server: new Server({ port: 7001 }), handler: chatHandler(room) });
 * ```
 */
export function chatHandler(room: ChatRoom): ConnectionHandler {
  return function* chat(remoter) {
    let name: string | undefined;
    try {
      yield* writeText(remoter.txbs, "welcome to hio-ts chat; your name?\n");
      for (;;) {
        const wanted = (yield* readLineText(remoter.rxbs, { max: 64 })).trim();
        const refused = room.join(wanted, remoter);
        if (refused === undefined) {
          name = wanted;
          break;
        }
        yield* writeText(remoter.txbs, `${refused}; your name?\n`);
      }
      yield* writeText(remoter.txbs, `* hello ${name}; here: ${room.names().join(", ")}; /who lists, /quit leaves\n`);
      for (;;) {
        const line = yield* readLineText(remoter.rxbs, { max: 1024 });
        if (line === "/quit") {
          yield* writeText(remoter.txbs, "* bye\n");
          return;
        }
        if (line === "/who") {
          yield* writeText(remoter.txbs, `* here: ${room.names().join(", ")}\n`);
          continue;
        }
        if (line.length === 0) continue;
        room.relayed++;
        room.broadcast(`<${name}> ${line}\n`, name);
      }
    } finally {
      if (name !== undefined) room.leave(name);
    }
  };
}

/** Options of {@link chatServer}. */
export interface ChatServerOptions {
  /** Address to bind. Default 127.0.0.1. */
  host?: string;
  /** Port; 0 for a free one. Default 7001. */
  port?: number;
  /** Capacity of each connection's rings. Default 65 536. */
  bufferSize?: number;
  /** Where to record the bytes on the wire. */
  wirelog?: WireLog;
  /** Where sockets come from: Node's (default) or a simulated network's (`net.tcpDriver(host)`). */
  driver?: TcpDriver;
}

/**
 * Builds the server, its doer and the room (not yet listening).
 * @param options `host`, `port`, `bufferSize`, `wirelog`, `driver`
 * @returns the server, the ServerDoer that runs it, and the room
 */
export function chatServer(options: ChatServerOptions = {}): { server: Server; doer: ServerDoer; room: ChatRoom } {
  const room = new ChatRoom();
  const server = new Server({
    host: options.host ?? "127.0.0.1",
    port: options.port ?? 7001,
    wirelog: options.wirelog,
    ...(options.bufferSize === undefined ? {} : { bufferSize: options.bufferSize }),
    ...(options.driver === undefined ? {} : { driver: options.driver }),
  });
  return { server, doer: new ServerDoer({ server, handler: chatHandler(room) }), room };
}

/**
 * Runs the chat server until Ctrl-C.
 * @param argv command-line arguments
 * @param out where to print
 * @returns the exit code
 */
export async function main(argv: string[] = process.argv.slice(2), out: (line: string) => void = console.log): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { host: { type: "string", default: "127.0.0.1" }, port: { type: "string", default: "7001" }, wirelog: { type: "string" } } }));
  } catch (error) {
    out(`usage: npx tsx examples/chat-server.ts [--host H] [--port N] [--wirelog FILE] (${(error as Error).message})`);
    return 2;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    out(`--port must be a whole number from 0 to 65535, got ${values.port}`);
    return 2;
  }
  const wirelog = values.wirelog === undefined ? undefined : new WireLog({ path: values.wirelog, name: "chat-server" });
  const { server, doer, room } = chatServer({ host: values.host, port, ...(wirelog && { wirelog }) });
  try {
    await server.open();
  } catch (error) {
    out(error instanceof ListenError ? error.message : String(error));
    wirelog?.close();
    return 1;
  }
  const doist = new Doist({ name: "chat-server", real: true, doers: [doer] });
  wirelog?.wind(doist.tymen());
  const running = doist.do(); // from here on Ctrl-C stops it cleanly
  out(`chat on ${server.host}:${server.port}`);
  try {
    await running;
  } finally {
    wirelog?.close();
    out(`stopped: ${server.accepted} connections, ${room.relayed} lines relayed, ${room.dropped} slow listeners dropped`);
  }
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main();
