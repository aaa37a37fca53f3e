/**
 * System peers the tests talk to (socat, nc, redis-server, openssl, curl,
 * script, python3 with modules): find them on PATH, and gate the tests that
 * need them. A missing peer skips its tests with a name that says which tool
 * is missing and how to install it; with `HIO_REQUIRE_PEERS=1` (as CI sets)
 * the same tests fail with that message instead. The skip reporter
 * (test/helpers/peer-skip-reporter.ts) prints one summary line per reason at
 * the end of the run.
 *
 * @example
 * const peers = needPeers("socat", "nc");
 * peers.describe("against socat and nc", () => { it(...) });
 */
import { execFileSync, spawnSync } from "node:child_process";
import { accessSync, constants, readFileSync, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { beforeEach, describe, it } from "vitest";

/** The tools the tests may need. */
export type ToolName = "socat" | "nc" | "redis-server" | "openssl" | "curl" | "script";

/** Marks a skipped test's name; the reporter groups skips by what follows it. */
export const SKIP_MARK = " — skipped: ";

/** Debian packages that provide each tool. */
const INSTALL: Record<ToolName, string> = {
  socat: "apt-get install socat",
  nc: "apt-get install netcat-openbsd",
  "redis-server": "apt-get install redis-server",
  openssl: "apt-get install openssl",
  curl: "apt-get install curl",
  script: "apt-get install bsdutils (util-linux)",
};

/** Debian packages that provide Python modules (pip names in brackets where they differ). */
const PYTHON_PACKAGES: Record<string, string> = {
  pymodbus: "python3-pymodbus",
  msgpack: "python3-msgpack",
  cbor2: "python3-cbor2",
  multidict: "python3-multidict",
  ordered_set: "python3-ordered-set",
  lmdb: "python3-lmdb",
  sortedcontainers: "python3-sortedcontainers",
  pysodium: "python3-pysodium",
};

/** Whether `HIO_REQUIRE_PEERS=1`: a missing peer fails its tests instead of skipping them. */
export const requirePeers = process.env.HIO_REQUIRE_PEERS === "1";

/** Every executable named `name` on PATH, in PATH order. */
export function whichAll(name: string): string[] {
  const found: string[] = [];
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const file = join(dir, name);
    try {
      if (!statSync(file).isFile()) continue;
      accessSync(file, constants.X_OK);
      if (!found.includes(file)) found.push(file);
    } catch {
      // not here
    }
  }
  return found;
}

const toolCache = new Map<ToolName, string | undefined>();

/** Why `tool` cannot be used, or undefined when it can. */
export function toolProblem(tool: ToolName): string | undefined {
  if (!toolCache.has(tool)) toolCache.set(tool, findTool(tool));
  return toolCache.get(tool);
}

function findTool(tool: ToolName): string | undefined {
  const path = whichAll(tool)[0];
  if (path === undefined) return `${tool} not found (${INSTALL[tool]})`;
  if (tool === "nc") {
    // The tests use -N, which only OpenBSD's netcat has.
    const help = spawnSync(path, ["-h"], { encoding: "utf8", timeout: 5_000 });
    if (!`${help.stdout}${help.stderr}`.includes("OpenBSD")) return `nc is not OpenBSD netcat (${INSTALL.nc})`;
  }
  return undefined;
}

const pythonCache = new Map<string, { command?: string; problem?: string }>();

/**
 * The Python interpreter to run, with `modules` importable: `PYTHON` when set,
 * else the first `python3` on PATH that has them all (a pyenv shim first on
 * PATH may lack Debian's modules while /usr/bin/python3 has them).
 */
export function findPython(modules: readonly string[]): { command?: string; problem?: string } {
  const key = modules.join(",");
  let found = pythonCache.get(key);
  if (found === undefined) {
    found = lookPython(modules);
    pythonCache.set(key, found);
  }
  return found;
}

function lookPython(modules: readonly string[]): { command?: string; problem?: string } {
  const candidates = process.env.PYTHON ? [process.env.PYTHON] : whichAll("python3");
  const packages = modules.map((module) => PYTHON_PACKAGES[module] ?? `python3-${module}`).join(" ");
  if (candidates.length === 0) return { problem: `python3 not found (apt-get install python3 ${packages})` };
  const source = process.env.PYTHON ? "PYTHON" : "python3 on PATH";
  let last = "";
  for (const command of candidates) {
    try {
      execFileSync(command, ["-c", modules.length === 0 ? "pass" : `import ${modules.join(", ")}`], { stdio: "pipe", timeout: 20_000 });
      return { command };
    } catch (error) {
      const stderr = String((error as { stderr?: Buffer }).stderr ?? (error as Error).message)
        .trim()
        .split("\n")
        .pop();
      last = `${command}: ${stderr}`;
    }
  }
  if (modules.length === 0) return { problem: `${source} does not run (${last}) (apt-get install python3)` };
  return { problem: `${source} cannot import ${modules.join(", ")} (${last}) (apt-get install ${packages})` };
}

/** What a test needs: tools, and optionally Python modules. */
export type Need = ToolName | { python: readonly string[] };

/** The outcome of {@link needPeers}: gates for describe and it. */
export interface PeerGate {
  /** True when the tests must be skipped (a peer is missing and not required). */
  readonly skip: boolean;
  /** Why peers are missing ("socat not found (apt-get install socat)"), or undefined. */
  readonly reason: string | undefined;
  /** The Python interpreter found, when Python was asked for. */
  readonly python: string;
  /** `describe` that skips (or fails, under HIO_REQUIRE_PEERS=1) without the peers. */
  describe(name: string, body: () => void): void;
  /** `it` that skips (or fails, under HIO_REQUIRE_PEERS=1) without the peers. */
  it(name: string, body: () => unknown, timeout?: number): void;
}

/**
 * Checks for the given system peers and returns gates for the tests that
 * need them.
 * @param needs tool names, and `{ python: [modules] }` for a Python peer
 * @returns the gate: `skip`, `reason`, `python`, `describe`, `it`
 */
export function needPeers(...needs: Need[]): PeerGate {
  const problems: string[] = [];
  let python = "";
  for (const need of needs) {
    if (typeof need === "string") {
      const problem = toolProblem(need);
      if (problem !== undefined) problems.push(problem);
    } else {
      const found = findPython(need.python);
      if (found.command !== undefined) python = found.command;
      else problems.push(found.problem ?? "python3 not usable");
    }
  }
  return peerGate(problems.length > 0 ? problems.join("; ") : undefined, python);
}

/**
 * Gates for tests whose peer another helper checks (Python hio, a native
 * addon): skip with `reason`, or fail with it under HIO_REQUIRE_PEERS=1,
 * and listed by the skip reporter like the tools of {@link needPeers}.
 * @param reason why the peer cannot run ("x not found (apt-get install x)"; several joined by "; "), or undefined when it can
 * @param python the Python interpreter found, if any
 * @returns the gate
 */
export function peerGate(reason: string | undefined, python = ""): PeerGate {
  const skip = reason !== undefined && !requirePeers;
  const failure = () => new Error(`HIO_REQUIRE_PEERS=1 and a system peer is missing: ${reason}`);
  return {
    skip,
    reason,
    python,
    describe(name, body) {
      if (reason === undefined) describe(name, body);
      else if (skip) describe.skip(`${name}${SKIP_MARK}${reason}`, body);
      else
        describe(name, () => {
          beforeEach(() => {
            throw failure();
          });
          body();
        });
    },
    it(name, body, timeout) {
      if (reason === undefined) it(name, body, timeout);
      else if (skip) it.skip(`${name}${SKIP_MARK}${reason}`, body);
      else
        it(name, () => {
          throw failure();
        });
    },
  };
}

/**
 * How many local ephemeral TCP ports are free now: the size of
 * net.ipv4.ip_local_port_range less the ports of sockets in it (TIME_WAIT
 * included). Tests that open many short connections size themselves by it.
 * Returns undefined where /proc does not tell (not Linux).
 */
export function freeEphemeralPorts(): number | undefined {
  try {
    const [low, high] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
    if (low === undefined || high === undefined) return undefined;
    const used = new Set<number>();
    for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
      let text = "";
      try {
        text = readFileSync(table, "utf8");
      } catch {
        continue;
      }
      for (const line of text.split("\n").slice(1)) {
        const local = line.trim().split(/\s+/)[1];
        if (local === undefined) continue;
        const port = Number.parseInt(local.slice(local.lastIndexOf(":") + 1), 16);
        if (port >= low && port <= high) used.add(port);
      }
    }
    return high - low + 1 - used.size;
  } catch {
    return undefined;
  }
}
