/**
 * Test support (not shipped): version comparison cases ported from dpkg's own test suite, real
 * versions from a Debian 12 dpkg.log, and fast-check generators of versions dpkg accepts. Shared by
 * the pure table/property tests (src/pkgdb/dpkg-version.test.ts) and the check against the real dpkg
 * binary (src/adapters/dpkg-compare-versions.test.ts).
 */
import fc from "fast-check";

/** [a, b, sign of compare(a, b)] */
export type Case = readonly [string, string, -1 | 0 | 1];

// lib/dpkg/t/t-version.c, test_version_compare() and test_version_relate(): its version objects
// (epoch, version, revision) written as the strings they stand for.
export const tVersionCompare: Case[] = [
  ["1:0", "2:0", -1],
  ["0:1-1", "0:2-1", -1],
  ["0:1-1", "0:1-2", -1],
  ["0:0-0", "0:0-0", 0],
  ["0:0-00", "0:00-0", 0],
  ["1:2-3", "1:2-3", 0],
  ["0:0-0", "1:0-0", -1],
  ["0:a-0", "0:b-0", -1],
  ["0:0-a", "0:0-b", -1],
  ["0:1-1", "0:1-1", 0],
  ["0:2-1", "0:1-1", 1],
];

// scripts/t/Dpkg_Version.t, its __DATA__ table. "0foo-" has an empty revision, which dpkg 1.21 refuses
// (see the parse table below); the comparison still orders it as the table expects.
export const dpkgVersionT: Case[] = [
  ["1.0-1", "2.0-2", -1],
  ["2.2~rc-4", "2.2-1", -1],
  ["2.2-1", "2.2~rc-4", 1],
  ["1.0000-1", "1.0-1", 0],
  ["1", "0:1", 0],
  ["0", "0:0-0", 0],
  ["2:2.5", "1:7.5", 1],
  ["1:0foo", "0foo", 1],
  ["0:0foo", "0foo", 0],
  ["0foo", "0foo", 0],
  ["0foo-", "0foo", 0],
  ["0foo-", "0foo-0", 0],
  ["0foo", "0fo", 1],
  ["0foo-", "0foo+", -1],
  ["0foo~1", "0foo", -1],
  ["0foo~foo+Bar", "0foo~foo+bar", -1],
  ["0foo~~", "0foo~", -1],
  ["1~", "1", -1],
  ["12345+that-really-is-some-ver-0", "12345+that-really-is-some-ver-10", -1],
  ["0foo-0", "0foo-01", -1],
  ["0foo.bar", "0foobar", 1],
  ["0foo.bar", "0foo1bar", 1],
  ["0foo.bar", "0foo0bar", 1],
  ["0foo1bar-1", "0foobar-1", -1],
  ["0foo2.0", "0foo2", 1],
  ["0foo2.0.0", "0foo2.10.0", -1],
  ["0foo2.0", "0foo2.0.0", -1],
  ["0foo2.0", "0foo2.10", -1],
  ["0foo2.1", "0foo2.10", -1],
  ["1.09", "1.9", 0],
  ["1.0.8+nmu1", "1.0.8", 1],
  ["3.11", "3.10+nmu1", 1],
  ["0.9j-20080306-4", "0.9i-20070324-2", 1],
  ["1.2.0~b7-1", "1.2.0~b6-1", 1],
  ["1.011-1", "1.06-2", 1],
  ["0.0.9+dfsg1-1", "0.0.8+dfsg1-3", 1],
  ["4.6.99+svn6582-1", "4.6.99+svn6496-1", 1],
  ["53", "52", 1],
  ["0.9.9~pre122-1", "0.9.9~pre111-1", 1],
  ["2:2.3.2-2+lenny2", "2:2.3.2-2", 1],
  ["1:3.8.1-1", "3.8.GA-1", 1],
  ["1.0.1+gpl-1", "1.0.1-2", 1],
  ["1a", "1000a", -1],
  ["-0.6.5", "0.9.1", -1],
];

// Versions from this Debian 12 machine's dpkg.log, and cases a JS port gets wrong.
export const realAndEdge: Case[] = [
  ["252.36-1~deb12u1", "252.38-1~deb12u1", -1],
  ["2.2.40-1.1", "2.2.40-1.1+deb12u2", -1],
  ["1:2.66-4+deb12u1", "1:2.66-4+deb12u2+b2", -1],
  ["2025b-0+deb12u1", "2025b-0+deb12u2", -1],
  ["2.36-9+deb12u10", "2.36-9+deb12u9", 1], // digit runs numerically, not as text
  ["3.0.17-1~deb12u2", "3.0.17-1", -1], // a backport sorts below the release it came from
  ["1.0~rc1", "1.0", -1],
  ["1.0~rc1", "1.0~", 1],
  ["1.0a", "1.0+", -1], // letters before other characters
  ["1.0+", "1.0.", -1], // other characters by ASCII code
  // Digit runs longer than any Number: 2^53 + 1 vs 2^53 would be equal as doubles.
  ["0.0~git9007199254740993", "0.0~git9007199254740992", 1],
  ["1.123456789012345678901234567890", "1.123456789012345678901234567891", -1],
  ["1.000000000000000000000000000001", "1.1", 0],
  ["2147483647:1", "2147483646:9", 1],
  ["0001:1", "1:1", 0],
  ["+5:1", "5:1", 0], // strtol() takes a sign
  [" \t1:2", "1:2", 0], // dpkg trims blanks
  ["1\n", "1", 1], // but not newlines: "\n" is an "other" character
  ["", "0", -1], // no version at all sorts below every version (dpkg's "<none>")
  ["", "~", -1],
];

// Versions dpkg accepts without complaint, built from the characters that matter to the order
// ('~', letters, other symbols, digit runs long enough to overflow a double, leading zeros).
const digitRun = fc.oneof(
  fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: 1, maxLength: 3 }),
  fc.string({ unit: fc.constantFrom(..."0129"), minLength: 16, maxLength: 24 }),
);
const nonDigitRun = fc.string({ unit: fc.constantFrom(..."~aAzZ.+"), minLength: 1, maxLength: 3 });
const fragment = (extra: string) =>
  fc
    .array(fc.oneof(digitRun, nonDigitRun, extra === "" ? nonDigitRun : fc.constantFrom(...extra)), {
      minLength: 0,
      maxLength: 5,
    })
    .map((parts) => parts.join(""));
export const debianVersion = fc
  .record({
    epoch: fc.option(fc.constantFrom("0", "1", "2", "01", "2147483647"), { nil: undefined }),
    upstream: fc.tuple(digitRun, fragment("-:")),
    revision: fc.option(fc.tuple(fc.oneof(digitRun, nonDigitRun), fragment("")), { nil: undefined }),
  })
  .map(({ epoch, upstream, revision }) => {
    // A ':' in upstream needs an epoch before it; a '-' in upstream needs a revision after it.
    let up = upstream.join("");
    if (epoch === undefined) up = up.replaceAll(":", ".");
    if (revision === undefined) up = up.replaceAll("-", "+");
    return (
      (epoch === undefined ? "" : `${epoch}:`) + up + (revision === undefined ? "" : `-${revision.join("")}`)
    );
  });

/**
 * Pairs worth comparing: two independent versions, or a version and a small edit of it (a suffix
 * before the revision), where the order is decided late in the string.
 */
export const versionPair = fc.oneof(
  fc.tuple(debianVersion, debianVersion),
  fc.tuple(debianVersion, fc.constantFrom("~", "+1", "0", "~~", ".0", "a", "1")).map(([v, suffix]) => {
    const hyphen = v.lastIndexOf("-");
    return [v, hyphen === -1 ? v + suffix : v.slice(0, hyphen) + suffix + v.slice(hyphen)] as const;
  }),
);
