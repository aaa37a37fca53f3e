/**
 * Describes the live doers of a scheduler tree, for failure reports.
 *
 * @module
 */
import type { DeedView } from "../core/index.js";

/** Anything with deeds: a Doist or a DoDoer. */
export interface HasDeeds {
  /** The deeds it runs, each with its doer and the tyme it next runs at. */
  readonly deeds: readonly DeedView[];
}

/**
 * Lists the live doers under `root`, one per line, indented by depth, with
 * the tyme each next runs at (`waiting` for a doer asleep until woken).
 * @param root a Doist or DoDoer
 * @param indent spaces before the first level
 * @returns the tree as text (empty when nothing is live)
 * @example
 * ```ts
 * console.log(describeDoers(doist));
 * // SimNet simnet          next 3.25
 * // DoDoer server          next 3.28125
 * //   echo 10.0.0.2:49152  waiting
 * ```
 */
export function describeDoers(root: HasDeeds, indent = 0): string {
  const lines: string[] = [];
  walk(root, indent, lines, new Set());
  return lines.join("\n");
}

function walk(node: HasDeeds, depth: number, lines: string[], seen: Set<object>): void {
  for (const deed of node.deeds) {
    const doer = deed.doer;
    const when = deed.retyme === Number.POSITIVE_INFINITY ? "waiting" : `next ${deed.retyme}`;
    lines.push(`${" ".repeat(depth)}${label(doer)}  ${when}`);
    const children = (doer as Partial<HasDeeds>).deeds;
    if (Array.isArray(children) && !seen.has(doer)) {
      seen.add(doer);
      walk(doer as HasDeeds, depth + 2, lines, seen);
    }
  }
}

function label(doer: object): string {
  const kind = typeof doer === "function" ? "doified" : (doer.constructor?.name ?? "doer");
  const name = (doer as { name?: unknown }).name;
  return typeof name === "string" && name !== "" && name !== kind ? `${kind} ${name}` : kind;
}
