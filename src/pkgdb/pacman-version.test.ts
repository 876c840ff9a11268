import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { type Case, pacmanVersion, realAndEdge, vercmpTest } from "./_pacman-version-cases.js";
import { comparePacmanVersions, splitEvr } from "./pacman-version.js";

const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);

describe("comparePacmanVersions", () => {
  const tables: [string, Case[]][] = [
    ["pacman test/util/vercmptest.sh", vercmpTest],
    ["real versions and edge cases", realAndEdge],
  ];
  for (const [source, cases] of tables) {
    for (const [a, b, expected] of cases) {
      test(`orders ${JSON.stringify(a)} against ${JSON.stringify(b)} as ${expected} (${source})`, () => {
        assert.equal(sign(comparePacmanVersions(a, b)), expected);
        assert.equal(sign(comparePacmanVersions(b, a)), expected === 0 ? 0 : -expected);
      });
    }
  }

  test("is reflexive", () => {
    fc.assert(fc.property(pacmanVersion, (v) => comparePacmanVersions(v, v) === 0));
  });

  test("is antisymmetric", () => {
    fc.assert(
      fc.property(pacmanVersion, pacmanVersion, (a, b) => {
        assert.equal(sign(comparePacmanVersions(a, b)), -sign(comparePacmanVersions(b, a)) || 0);
      }),
    );
  });

  test("is transitive", () => {
    fc.assert(
      fc.property(pacmanVersion, pacmanVersion, pacmanVersion, (a, b, c) => {
        const [x, y, z] = [a, b, c].sort(comparePacmanVersions) as [string, string, string];
        assert.ok(comparePacmanVersions(x, y) <= 0 && comparePacmanVersions(y, z) <= 0);
        assert.ok(comparePacmanVersions(x, z) <= 0, `${x} <= ${y} <= ${z}`);
      }),
      { numRuns: 500 },
    );
  });
});

describe("splitEvr", () => {
  const cases: [string, ReturnType<typeof splitEvr>][] = [
    ["1.0-1", { epoch: "0", version: "1.0", release: "1" }],
    ["2:1.0-3", { epoch: "2", version: "1.0", release: "3" }],
    ["1.0", { epoch: "0", version: "1.0", release: null }],
    [":1.0", { epoch: "0", version: "1.0", release: null }],
    ["1.0-beta-2", { epoch: "0", version: "1.0-beta", release: "2" }],
    ["a:1-2", { epoch: "0", version: "a:1", release: "2" }],
  ];
  for (const [input, expected] of cases) {
    test(`splits ${JSON.stringify(input)} as libalpm's parseEVR does`, () => {
      assert.deepEqual(splitEvr(input), expected);
    });
  }
});
