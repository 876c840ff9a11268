import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import {
  type Case,
  debianVersion,
  dpkgVersionT,
  realAndEdge,
  tVersionCompare,
} from "./_dpkg-version-cases.js";
import { compareDebianVersions, type DebianVersionParse, parseDebianVersion } from "./dpkg-version.js";

function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

function opposite(n: number): number {
  return n === 0 ? 0 : -n;
}

describe("compareDebianVersions", () => {
  const tables: [string, Case[]][] = [
    ["lib/dpkg/t/t-version.c", tVersionCompare],
    ["scripts/t/Dpkg_Version.t", dpkgVersionT],
    ["real versions and edge cases", realAndEdge],
  ];
  for (const [source, cases] of tables) {
    for (const [a, b, expected] of cases) {
      test(`orders ${JSON.stringify(a)} against ${JSON.stringify(b)} as ${expected} (${source})`, () => {
        assert.equal(sign(compareDebianVersions(a, b)), expected);
        assert.equal(sign(compareDebianVersions(b, a)), opposite(expected));
      });
    }
  }
});

describe("parseDebianVersion", () => {
  const ok = (epoch: number, upstream: string, revision: string, warning: string | null = null) =>
    ({ ok: true, version: { epoch, upstream, revision }, warning }) as const;
  const err = (error: string) => ({ ok: false, error }) as const;
  // lib/dpkg/t/t-version.c, test_version_parse(), with dpkg 1.21's messages (Debian 12).
  const cases: [string, DebianVersionParse][] = [
    ["0", ok(0, "0", "")],
    ["0:0", ok(0, "0", "")],
    ["0:0-0", ok(0, "0", "0")],
    ["0:0.0-0.0", ok(0, "0.0", "0.0")],
    ["1:0", ok(1, "0", "")],
    ["5:1", ok(5, "1", "")],
    ["0:0-0-0", ok(0, "0-0", "0")],
    ["0:0-0-0-0", ok(0, "0-0-0", "0")],
    ["0:0:0-0", ok(0, "0:0", "0")],
    ["0:0:0:0-0", ok(0, "0:0:0", "0")],
    ["0:0:0-0-0", ok(0, "0:0-0", "0")],
    ["0:0-0:0-0", ok(0, "0-0:0", "0")],
    ["0:09azAZ.-+~:-0", ok(0, "09azAZ.-+~:", "0")],
    ["0:0-azAZ09.+~", ok(0, "0", "azAZ09.+~")],
    ["  \t0:0-1", ok(0, "0", "1")],
    ["0:0-1\t  ", ok(0, "0", "1")],
    ["\t  0:0-1  \t", ok(0, "0", "1")],
    ["1:2.66-4+deb12u2+b2", ok(1, "2.66", "4+deb12u2+b2")],
    ["2147483647:1", ok(2147483647, "1", "")],
    ["", err("version string is empty")],
    ["  ", err("version string is empty")],
    ["0:", err("nothing after colon in version number")],
    ["0:0 0-1", err("version string has embedded spaces")],
    ["-1:0-1", err("epoch in version is negative")],
    ["999999999999999999999999:0-1", err("epoch in version is too big")],
    ["2147483648:1", err("epoch in version is too big")],
    ["a:0-0", err("epoch in version is empty")],
    ["A:0-0", err("epoch in version is empty")],
    ["1a:0", err("epoch in version is not number")],
    ["-0", err("version number is empty")],
    ["0:-0", err("version number is empty")],
    ["0:0-", err("revision number is empty")],
    ["0:abc3-0", ok(0, "abc3", "0", "version number does not start with digit")],
    ["0:0-0:0", ok(0, "0", "0:0", "invalid character in revision number")],
    ...[..."!#@$%&/|\\<>()[]{};,_=*^'"].map((c): [string, DebianVersionParse] => [
      `0:0${c}-0`,
      ok(0, `0${c}`, "0", "invalid character in version number"),
    ]),
    ...[..."!#@$%&/|\\<>()[]{}:;,_=*^'"].map((c): [string, DebianVersionParse] => [
      `0:0-0${c}`,
      ok(0, "0", `0${c}`, "invalid character in revision number"),
    ]),
  ];
  for (const [text, expected] of cases) {
    test(`parses ${JSON.stringify(text)} as dpkg does`, () => {
      assert.deepEqual(parseDebianVersion(text), expected);
    });
  }
});

describe("compareDebianVersions as an order", () => {
  test("every generated version is one dpkg accepts without a warning", () => {
    fc.assert(
      fc.property(debianVersion, (v) => {
        const parsed = parseDebianVersion(v);
        assert.ok(parsed.ok && parsed.warning === null, `${v}: ${JSON.stringify(parsed)}`);
      }),
    );
  });

  test("is reflexive", () => {
    fc.assert(fc.property(debianVersion, (v) => compareDebianVersions(v, v) === 0));
  });

  test("is antisymmetric", () => {
    fc.assert(
      fc.property(
        debianVersion,
        debianVersion,
        (a, b) => sign(compareDebianVersions(a, b)) === opposite(sign(compareDebianVersions(b, a))),
      ),
      { numRuns: 2000 },
    );
  });

  test("is transitive", () => {
    fc.assert(
      fc.property(fc.array(debianVersion, { minLength: 3, maxLength: 12 }), (vs) => {
        const sorted = [...vs].sort(compareDebianVersions);
        for (let i = 0; i < sorted.length; i++) {
          for (let j = i + 1; j < sorted.length; j++) {
            assert.ok(compareDebianVersions(sorted[i]!, sorted[j]!) <= 0, `${sorted[i]} <= ${sorted[j]}`);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  test("treats any string, even one dpkg refuses, as part of a total order", () => {
    const anyText = fc.string({ unit: fc.constantFrom(..."0129aZ~.+-: \t\n"), maxLength: 10 });
    fc.assert(
      fc.property(anyText, anyText, anyText, (a, b, c) => {
        assert.equal(compareDebianVersions(a, a), 0);
        assert.equal(sign(compareDebianVersions(a, b)), opposite(sign(compareDebianVersions(b, a))));
        if (compareDebianVersions(a, b) <= 0 && compareDebianVersions(b, c) <= 0) {
          assert.ok(compareDebianVersions(a, c) <= 0);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
