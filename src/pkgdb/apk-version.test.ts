import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { compareApkVersions, isValidApkVersion } from "./apk-version.js";

const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);

// apk-tools test/version.data (its "a < b" lines) and real Alpine versions.
const cases: [string, string, -1 | 0 | 1][] = [
  ["1.2.3_rc1", "1.2.3", -1],
  ["1.2.3", "1.2.3-r1", -1],
  ["1.2.3_rc1", "1.2.3-r1", -1],
  ["1.2.3_alpha", "1.2.3_beta", -1],
  ["1.2.3_beta", "1.2.3_pre", -1],
  ["1.2.3_pre", "1.2.3_rc", -1],
  ["1.2.3_rc", "1.2.3", -1],
  ["1.2.3", "1.2.3_cvs", -1],
  ["1.2.3_cvs", "1.2.3_svn", -1],
  ["1.2.3_svn", "1.2.3_git", -1],
  ["1.2.3_git", "1.2.3_hg", -1],
  ["1.2.3_hg", "1.2.3_p", -1],
  ["1.2.3_p1", "1.2.3_p2", -1],
  ["1.2.3_rc1", "1.2.3_rc2", -1],
  ["1.2.3_p1", "1.2.3-r1", 1],
  ["1.2.3-r1", "1.2.3-r2", -1],
  ["1.2.3-r9", "1.2.3-r10", -1],
  ["1.2.3", "1.2.3.1", -1],
  ["1.2.3-r5", "1.2.3.1", -1],
  ["1.2.3", "1.2.3a", -1],
  ["1.2.3a", "1.2.3b", -1],
  ["1.2.3a", "1.2.4", -1],
  ["1.2", "1.10", -1],
  ["1.01", "1.1", -1],
  ["1.001", "1.01", -1],
  ["1.0", "1.0", 0],
  ["1.1.1k-r0", "1.1.1l-r0", -1],
  ["1.1.1k-r0", "1.1.1k-r1", -1],
  ["3.0.13-r0", "3.1.4-r5", -1],
  ["20191127-r5", "20230506-r0", -1],
  ["1.33.1-r3", "1.36.1-r29", -1],
  ["2.12.6-r0", "2.12.6-r0", 0],
  ["0.7.2-r3", "0.7.2-r3", 0],
];

describe("compareApkVersions", () => {
  for (const [a, b, expected] of cases) {
    test(`orders ${a} against ${b} as ${expected}`, () => {
      assert.equal(sign(compareApkVersions(a, b)), expected);
      assert.equal(sign(compareApkVersions(b, a)), expected === 0 ? 0 : -expected);
    });
  }

  const version = fc
    .tuple(
      fc.array(fc.stringMatching(/^(0|[1-9][0-9]{0,2}|0[0-9]{1,2})$/), { minLength: 1, maxLength: 4 }),
      fc.option(fc.constantFrom("a", "b", "k", "z"), { nil: undefined }),
      fc.array(
        fc.tuple(
          fc.constantFrom("alpha", "beta", "pre", "rc", "cvs", "svn", "git", "hg", "p"),
          fc.option(fc.stringMatching(/^[0-9]{1,3}$/), { nil: undefined }),
        ),
        { maxLength: 2 },
      ),
      fc.option(fc.stringMatching(/^[0-9]{1,2}$/), { nil: undefined }),
    )
    .map(([nums, letter, sufs, rel]) => {
      // The first component is a plain number (leading zeros are read as a number there).
      const first = String(Number(nums[0]));
      const rest = nums.slice(1).map((n) => `.${n}`);
      const suffixes = sufs.map(([s, n]) => `_${s}${n ?? ""}`).join("");
      return `${first}${rest.join("")}${letter ?? ""}${suffixes}${rel === undefined ? "" : `-r${rel}`}`;
    });

  test("generates only versions apk accepts", () => {
    fc.assert(fc.property(version, (v) => isValidApkVersion(v)));
  });

  test("is reflexive", () => {
    fc.assert(fc.property(version, (v) => compareApkVersions(v, v) === 0));
  });

  test("is antisymmetric", () => {
    fc.assert(
      fc.property(version, version, (a, b) => {
        assert.equal(sign(compareApkVersions(a, b)), -sign(compareApkVersions(b, a)) || 0);
      }),
    );
  });

  test("is transitive", () => {
    fc.assert(
      fc.property(version, version, version, (a, b, c) => {
        const [x, y, z] = [a, b, c].sort(compareApkVersions) as [string, string, string];
        assert.ok(compareApkVersions(x, y) <= 0 && compareApkVersions(y, z) <= 0);
        assert.ok(compareApkVersions(x, z) <= 0, `${x} <= ${y} <= ${z}`);
      }),
      { numRuns: 500 },
    );
  });
});

describe("isValidApkVersion", () => {
  const table: [string, boolean][] = [
    ["1.2.3", true],
    ["1.2.3a_rc1_p2-r10", true],
    ["1.2.3-r", true],
    ["1.2.3_foo", false],
    ["1.2.3-1", false],
    ["1.2.3ab", false],
  ];
  for (const [v, ok] of table) {
    test(`says ${v} is ${ok ? "valid" : "invalid"}`, () => assert.equal(isValidApkVersion(v), ok));
  }
});
