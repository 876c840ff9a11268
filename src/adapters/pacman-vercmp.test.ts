// comparePacmanVersions (pure, src/pkgdb) checked against the real `vercmp` of this host (Debian's
// pacman-package-manager ships it). It lives here because it runs a program: the pure layer may not.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, test } from "node:test";
import fc from "fast-check";
import { pacmanVersionPair, realAndEdge, vercmpTest } from "../pkgdb/_pacman-version-cases.js";
import { comparePacmanVersions } from "../pkgdb/pacman-version.js";

type Pair = readonly [string, string];

/** vercmp's verdicts, from one shell: versions travel as arguments, never through the shell's parser. */
function vercmp(pairs: readonly Pair[]): number[] {
  const script = 'while [ $# -gt 0 ]; do vercmp "$1" "$2"; shift 2; done';
  const r = spawnSync("sh", ["-c", script, "sh", ...pairs.flat()], {
    encoding: "latin1",
    env: { PATH: "/usr/bin:/bin", LC_ALL: "C" },
  });
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout.trim().split("\n").map(Number);
  assert.equal(out.length, pairs.length, "one answer per pair");
  return out;
}

function disagreements(pairs: readonly Pair[]) {
  const theirs = vercmp(pairs);
  return pairs
    .map(([a, b], i) => ({ a, b, vercmp: theirs[i]!, ours: Math.sign(comparePacmanVersions(a, b)) }))
    .filter((d) => d.vercmp !== d.ours);
}

describe("comparePacmanVersions against the real vercmp", () => {
  const skip =
    spawnSync("vercmp", ["1", "2"]).status === 0
      ? false
      : "vercmp is not installed here (Debian: apt-get install pacman-package-manager)";

  test("agrees on every table case", { skip }, () => {
    const pairs = [...vercmpTest, ...realAndEdge].map(([a, b]): Pair => [a, b]);
    assert.deepEqual(disagreements(pairs), []);
  });

  test("agrees on 300 generated pairs", { skip }, () => {
    const seed = Date.now() | 0;
    const pairs = fc.sample(pacmanVersionPair, { numRuns: 300, seed });
    assert.deepEqual(disagreements(pairs), [], `seed ${seed}`);
  });
});
