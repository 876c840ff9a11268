// comparePacmanVersions (pure, src/pkgdb) checked against the real `vercmp` of this host (Debian's
// pacman-package-manager ships it). It lives here because it runs a program: the pure layer may not.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, test } from "node:test";
import fc from "fast-check";
import { disagreements, type Pair, shellVerdicts } from "../../test/helpers/tool-verdicts.js";
import { pacmanVersionPair, realAndEdge, vercmpTest } from "../pkgdb/_pacman-version-cases.js";
import { comparePacmanVersions } from "../pkgdb/pacman-version.js";

/** vercmp's verdicts, from one shell. */
function vercmp(pairs: readonly Pair[]): number[] {
  return shellVerdicts('while [ $# -gt 0 ]; do vercmp "$1" "$2"; shift 2; done', pairs);
}

const disagree = (pairs: readonly Pair[]) => disagreements(pairs, vercmp(pairs), comparePacmanVersions);

describe("comparePacmanVersions against the real vercmp", () => {
  const skip =
    spawnSync("vercmp", ["1", "2"]).status === 0
      ? false
      : "vercmp is not installed here (Debian: apt-get install pacman-package-manager)";

  test("agrees on every table case", { skip }, () => {
    const pairs = [...vercmpTest, ...realAndEdge].map(([a, b]): Pair => [a, b]);
    assert.deepEqual(disagree(pairs), []);
  });

  test("agrees on 300 generated pairs", { skip }, () => {
    const seed = Date.now() | 0;
    const pairs = fc.sample(pacmanVersionPair, { numRuns: 300, seed });
    assert.deepEqual(disagree(pairs), [], `seed ${seed}`);
  });
});
