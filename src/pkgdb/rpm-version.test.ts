import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, test } from "node:test";
import fc from "fast-check";
import { compareEvr, parseEvr, rpmvercmp } from "./rpm-version.js";

// Cases from rpm's own test suite (tests/rpmvercmp.at) and the ~/^ rules of rpm ≥ 4.15.
const CASES: [string, string, -1 | 0 | 1][] = [
  ["1.0", "1.0", 0],
  ["1.0", "2.0", -1],
  ["2.0.1", "2.0", 1],
  ["2.0.1a", "2.0.1", 1],
  ["5.5p1", "5.5p2", -1],
  ["5.5p10", "5.5p1", 1],
  ["10xyz", "10.1xyz", -1],
  ["xyz10", "xyz10.1", -1],
  ["xyz.4", "8", -1],
  ["1b.fc17", "1.fc17", -1],
  ["1.0~rc1", "1.0", -1],
  ["1.0~rc1", "1.0~rc2", -1],
  ["1.0~rc1~git123", "1.0~rc1", -1],
  ["1.0^", "1.0", 1],
  ["1.0^git1", "1.0", 1],
  ["1.0^git1", "1.01", -1],
  ["1.0^20160101", "1.0.1", -1],
  ["1.0^git1~pre", "1.0^git1", -1],
  ["1.0~rc1^git1", "1.0~rc1", 1],
  ["1.0^git1", "1.0^git2", -1],
  ["001", "1", 0],
  ["a+", "a_", 0],
  ["+a", "_a", 0],
  ["1.0a", "1.0.a", 0],
];

const ALNUM = "0123456789abcXYZ";
const version = fc
  .array(fc.constantFrom(...ALNUM, ...ALNUM, ".", "_", "+", "~", "^"), { maxLength: 10 })
  .map((cs) => cs.join(""));
// rpm.vercmp() refuses an empty version or release.
const part = version.filter((s) => s !== "");
const evr = fc
  .tuple(fc.option(fc.nat({ max: 3 }), { nil: undefined }), part, fc.option(part, { nil: undefined }))
  .map(([e, v, r]) => `${e === undefined ? "" : `${e}:`}${v}${r === undefined ? "" : `-${r}`}`);

describe("rpmvercmp", () => {
  for (const [a, b, want] of CASES) {
    test(`orders ${a} against ${b} as ${want}`, () => {
      assert.equal(rpmvercmp(a, b), want);
      assert.equal(rpmvercmp(b, a), -want || 0);
    });
  }

  test("is reflexive and antisymmetric", () => {
    fc.assert(
      fc.property(version, version, (a, b) => {
        assert.equal(rpmvercmp(a, a), 0);
        assert.equal(rpmvercmp(a, b), -rpmvercmp(b, a) || 0);
      }),
      { numRuns: 2000 },
    );
  });

  test("is transitive", () => {
    fc.assert(
      fc.property(version, version, version, (a, b, c) => {
        const [x, y, z] = [a, b, c].sort(rpmvercmp);
        assert.ok(rpmvercmp(x!, y!) <= 0 && rpmvercmp(y!, z!) <= 0);
        assert.ok(rpmvercmp(x!, z!) <= 0);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("compareEvr", () => {
  test("compares the epoch first, as a number", () => {
    assert.equal(compareEvr("1:1.0-1", "2.0-1"), 1);
    assert.equal(compareEvr("0:1.0-1", "1.0-1"), 0);
    assert.equal(compareEvr("10:1", "9:2"), 1);
  });

  test("ignores the release when one side has none", () => {
    assert.equal(compareEvr("1.0", "1.0-5"), 0);
    assert.equal(compareEvr("1.0-4", "1.0-5"), -1);
  });

  test("splits the release at the last dash", () => {
    assert.deepEqual(parseEvr("1:3.0.7-25.el9"), { epoch: "1", version: "3.0.7", release: "25.el9" });
    assert.deepEqual(parseEvr("a-b-c"), { epoch: "", version: "a-b", release: "c" });
    assert.deepEqual(parseEvr("x:1"), { epoch: "", version: "x:1", release: null });
  });

  // One rpm process per batch: its Lua rpm.vercmp() is rpmverCmp() on two EVR strings.
  const rpm = spawnSync("/usr/bin/rpm", ["--version"], { env: {} });
  test("agrees with rpm's own rpm.vercmp() on random pairs", {
    skip: rpm.status === 0 ? false : "rpm is not installed (apt-get install rpm)",
  }, () => {
    const pairs = fc.sample(fc.tuple(evr, evr), { numRuns: 400, seed: 42 });
    pairs.push(...CASES.map(([a, b]): [string, string] => [a, b]));
    // Lua long strings [=[…]=]: the alphabet has no "]", "%" or newline.
    const calls = pairs.map(([a, b]) => `rpm.vercmp([=[${a}]=], [=[${b}]=])`).join(", ");
    const lua = `print(table.concat({${calls}}, " "))`;
    const r = spawnSync("/usr/bin/rpm", ["--eval", `%{lua: ${lua}}`], { env: {}, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const got = r.stdout.trim().split(" ").map(Number);
    assert.equal(got.length, pairs.length);
    pairs.forEach(([a, b], i) => {
      assert.equal(compareEvr(a, b), Math.sign(got[i]!), `${a} vs ${b}`);
    });
  });
});
