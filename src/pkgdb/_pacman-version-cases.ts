/**
 * Test support (not shipped): pacman version comparison cases from pacman's test/util/vercmptest.sh
 * and real Arch versions, and a fast-check generator of versions as PKGBUILDs write them. Shared by
 * the pure tests (pacman-version.test.ts) and the check against the real `vercmp`
 * (src/adapters/pacman-vercmp.test.ts).
 */
import fc from "fast-check";

/** [a, b, sign of compare(a, b)] */
export type Case = readonly [string, string, -1 | 0 | 1];

// pacman test/util/vercmptest.sh (its runtest lines), and the vercmp(8) examples.
export const vercmpTest: Case[] = [
  ["1.5.0", "1.5.0", 0],
  ["1.5.1", "1.5.0", 1],
  ["1.5.1", "1.5", 1],
  ["1.5.0-1", "1.5.0-1", 0],
  ["1.5.0-1", "1.5.0-2", -1],
  ["1.5.0-1", "1.5.1-1", -1],
  ["1.5.0-2", "1.5.1-1", -1],
  ["1.5-1", "1.5", 0],
  ["1.5-1", "1.5.1", -1],
  ["1.5-1", "1.5.1-1", -1],
  ["1.1-1", "1.1", 0],
  ["1.0-1", "1.0", 0],
  ["1.0", "1.0-1", 0],
  ["1.1", "1.0-1", 1],
  ["1.0-1", "1.1", -1],
  ["1.5b-1", "1.5-1", -1],
  ["1.5b", "1.5", -1],
  ["1.5b-1", "1.5", -1],
  ["1.5b", "1.5.1", -1],
  ["1.0a", "1.0alpha", -1],
  ["1.0alpha", "1.0b", -1],
  ["1.0b", "1.0beta", -1],
  ["1.0beta", "1.0rc", -1],
  ["1.0rc", "1.0", -1],
  ["1.5.a", "1.5", 1],
  ["1.5.b", "1.5.a", 1],
  ["1.5.1", "1.5.b", 1],
  ["1.5.b-1", "1.5.b", 0],
  ["1.5-1", "1.5.b", -1],
  ["2.0", "2_0", 0],
  ["2.0_a", "2_0.a", 0],
  ["2.0a", "2.0.a", -1],
  ["2___a", "2_a", 1],
  ["0:1.0", "0:1.0", 0],
  ["0:1.0", "0:1.1", -1],
  ["1:1.0", "0:1.0", 1],
  ["1:1.0", "0:1.1", 1],
  ["1:1.0", "2:1.1", -1],
  ["0:1.0", "1.0", 0],
  ["0:1.0", "1.1", -1],
  ["0:1.1", "1.0", 1],
  ["1:1.0", "1.0", 1],
  ["1:1.0", "1.1", 1],
  ["1:1.1", "1.1", 1],
  ["1.1.1-1", "1.1.1.1-1", -1],
  ["1.1.1-1", "1.1.1.a-1", -1],
  ["1.1.1.1-1", "1.1.1.a-1", 1],
  ["1.1.a-1", "1.1.1-1", -1],
];

// Real Arch versions (core/extra, 2024) and edge cases of the separator and epoch rules.
export const realAndEdge: Case[] = [
  ["3.3.0-1", "3.3.1-1", -1],
  ["2:9.1.0-1", "9.2.0-1", 1],
  ["6.9.1.arch1-1", "6.9.1.arch1-2", -1],
  ["6.9.1.arch1-1", "6.9.2.arch1-1", -1],
  ["1.0.r123.gabcdef-1", "1.0-1", 1],
  ["1.0.r123.gabcdef-1", "1.0.r124.g000000-1", -1],
  ["20240501-1", "20240415-3", 1],
  ["2.0rc1-1", "2.0-1", -1],
  ["1..0", "1.0", 1],
  ["1.", "1", 1],
  ["1.01", "1.1", 0],
  ["1.0001", "1.01", 0],
  ["a", "1", -1],
  ["", "", 0],
];

const segment = fc.oneof(
  fc.stringMatching(/^[0-9]{1,3}$/),
  fc.constantFrom("a", "b", "alpha", "beta", "rc", "pre", "r", "git", "z"),
);
const sep = fc.constantFrom(".", ".", ".", "_", "+", "");

/** [epoch:]pkgver[-pkgrel] as PKGBUILDs write them: digit/letter runs, a few separators. */
export const pacmanVersion: fc.Arbitrary<string> = fc
  .tuple(
    fc.option(fc.constantFrom("1", "2", "10"), { nil: undefined }),
    fc.stringMatching(/^[0-9]{1,3}$/),
    fc.array(fc.tuple(sep, segment), { maxLength: 4 }),
    fc.option(fc.stringMatching(/^[0-9]{1,2}(\.[0-9])?$/), { nil: undefined }),
  )
  .map(
    ([epoch, first, rest, rel]) =>
      `${epoch === undefined ? "" : `${epoch}:`}${first}${rest.map(([s, g]) => s + g).join("")}${
        rel === undefined ? "" : `-${rel}`
      }`,
  );

export const pacmanVersionPair = fc.tuple(pacmanVersion, pacmanVersion);
