/**
 * For tests that check a pure version comparator against the real tool of this host (dpkg
 * --compare-versions, pacman's vercmp): the tool's verdicts on many pairs from one shell, and the
 * pairs where ours disagrees.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";

export type Pair = readonly [string, string];

/**
 * Runs `script` once with `sh -c`, the pairs as its arguments (versions never pass through the
 * shell's parser), in a fixed environment; it must print one verdict (-1, 0 or 1) per pair.
 */
export function shellVerdicts(script: string, pairs: readonly Pair[]): number[] {
  const r = spawnSync("sh", ["-c", script, "sh", ...pairs.flat()], {
    encoding: "latin1",
    env: { PATH: "/usr/bin:/bin", LC_ALL: "C" },
  });
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout.trim().split("\n").map(Number);
  assert.equal(out.length, pairs.length, "one answer per pair");
  return out;
}

/** The pairs whose order the tool and `ours` see differently. */
export function disagreements(
  pairs: readonly Pair[],
  tool: readonly number[],
  ours: (a: string, b: string) => number,
): { a: string; b: string; tool: number; ours: number }[] {
  return pairs
    .map(([a, b], i) => ({ a, b, tool: tool[i]!, ours: Math.sign(ours(a, b)) }))
    .filter((d) => d.tool !== d.ours);
}
