// compareDebianVersions (pure, src/pkgdb) checked against the real `dpkg --compare-versions` of this
// host. It lives here, not beside the comparator, because it runs a program: the pure layer may not.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, test } from "node:test";
import fc from "fast-check";
import { disagreements, type Pair, shellVerdicts } from "../../test/helpers/tool-verdicts.js";
import { dpkgVersionT, realAndEdge, tVersionCompare, versionPair } from "../pkgdb/_dpkg-version-cases.js";
import { compareDebianVersions, parseDebianVersion } from "../pkgdb/dpkg-version.js";

/** dpkg's verdict (-1, 0, 1) on every pair, from one shell: at most two dpkg runs per pair. */
function dpkgCompare(pairs: readonly Pair[]): number[] {
  const script = `
    while [ $# -gt 0 ]; do
      if dpkg --compare-versions -- "$1" lt "$2"; then echo -1
      elif dpkg --compare-versions -- "$1" eq "$2"; then echo 0
      else echo 1; fi
      shift 2
    done`;
  return shellVerdicts(script, pairs);
}

const disagree = (pairs: readonly Pair[]) => disagreements(pairs, dpkgCompare(pairs), compareDebianVersions);

describe("compareDebianVersions against the real dpkg --compare-versions", () => {
  const skip = spawnSync("dpkg", ["--version"]).status === 0 ? false : "dpkg is not installed here";

  test("agrees on every table case dpkg accepts", { skip }, () => {
    // dpkg exits 2 on a version it refuses, which the shell loop would read as "greater".
    const accepted = (v: string) => v === "" || parseDebianVersion(v).ok;
    const pairs = [...tVersionCompare, ...dpkgVersionT, ...realAndEdge]
      .filter(([a, b]) => accepted(a) && accepted(b))
      .map(([a, b]): Pair => [a, b]);
    assert.ok(pairs.length > 60);
    assert.deepEqual(disagree(pairs), []);
  });

  test("agrees on 300 generated pairs", { skip }, () => {
    const seed = Date.now() | 0;
    const pairs = fc.sample(versionPair, { numRuns: 300, seed });
    assert.deepEqual(disagree(pairs), [], `fast-check seed ${seed}`);
  });
});
