// compareDebianVersions (pure, src/pkgdb) checked against the real `dpkg --compare-versions` of this
// host. It lives here, not beside the comparator, because it runs a program: the pure layer may not.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, test } from "node:test";
import fc from "fast-check";
import { dpkgVersionT, realAndEdge, tVersionCompare, versionPair } from "../pkgdb/_dpkg-version-cases.js";
import { compareDebianVersions, parseDebianVersion } from "../pkgdb/dpkg-version.js";

type Pair = readonly [string, string];

/**
 * dpkg's verdict (-1, 0, 1) on every pair, from one shell: one spawn from the test, at most two dpkg
 * runs per pair. Versions travel as arguments, never through the shell's parser.
 */
function dpkgCompare(pairs: readonly Pair[]): number[] {
  const script = `
    while [ $# -gt 0 ]; do
      if dpkg --compare-versions -- "$1" lt "$2"; then echo -1
      elif dpkg --compare-versions -- "$1" eq "$2"; then echo 0
      else echo 1; fi
      shift 2
    done`;
  const r = spawnSync("sh", ["-c", script, "sh", ...pairs.flat()], {
    encoding: "latin1",
    env: { PATH: "/usr/bin:/bin", LC_ALL: "C" },
  });
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout.trim().split("\n").map(Number);
  assert.equal(out.length, pairs.length, "one answer per pair");
  return out;
}

function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

function disagreements(pairs: readonly Pair[]): { a: string; b: string; dpkg: number; ours: number }[] {
  const dpkg = dpkgCompare(pairs);
  return pairs
    .map(([a, b], i) => ({ a, b, dpkg: dpkg[i]!, ours: sign(compareDebianVersions(a, b)) }))
    .filter((d) => d.dpkg !== d.ours);
}

describe("compareDebianVersions against the real dpkg --compare-versions", () => {
  const skip = spawnSync("dpkg", ["--version"]).status === 0 ? false : "dpkg is not installed here";

  test("agrees on every table case dpkg accepts", { skip }, () => {
    // dpkg exits 2 on a version it refuses, which the shell loop would read as "greater".
    const accepted = (v: string) => v === "" || parseDebianVersion(v).ok;
    const pairs = [...tVersionCompare, ...dpkgVersionT, ...realAndEdge]
      .filter(([a, b]) => accepted(a) && accepted(b))
      .map(([a, b]): Pair => [a, b]);
    assert.ok(pairs.length > 60);
    assert.deepEqual(disagreements(pairs), []);
  });

  test("agrees on 300 generated pairs", { skip }, () => {
    const seed = Date.now() | 0;
    const pairs = fc.sample(versionPair, { numRuns: 300, seed });
    assert.deepEqual(disagreements(pairs), [], `fast-check seed ${seed}`);
  });
});
