/**
 * pacman's version ordering, as libalpm's alpm_pkg_vercmp() (lib/libalpm/version.c) and the `vercmp`
 * tool apply it: `[epoch:]pkgver[-pkgrel]`, the epoch (0 when absent) first, then pkgver, then pkgrel
 * only when both versions carry one. Each part is compared by rpmvercmp()'s rules:
 *
 * - The string splits into runs of ASCII digits and runs of ASCII letters; anything else separates.
 * - A longer separator wins ("1..0" > "1.0"): the comparison stops there.
 * - Digit runs compare as numbers (leading zeros dropped, then by length, then bytewise), letter runs
 *   bytewise; a digit run always beats a letter run ("1.0" > "1.a").
 * - When one string runs out: an empty rest loses to a rest starting with a digit or separator and
 *   beats a rest starting with a letter ("1.0" < "1.0.1", "1.0alpha" < "1.0").
 *
 * Bytes above 0x7f are neither digits nor letters (libalpm runs in the C locale).
 */

/** Negative, zero or positive, as alpm_pkg_vercmp(a, b). */
export function comparePacmanVersions(a: string, b: string): number {
  if (a === b) return 0;
  const x = splitEvr(a);
  const y = splitEvr(b);
  let r = rpmvercmp(x.epoch, y.epoch);
  if (r !== 0) return r;
  r = rpmvercmp(x.version, y.version);
  if (r !== 0) return r;
  return x.release !== null && y.release !== null ? rpmvercmp(x.release, y.release) : 0;
}

export interface PacmanEvr {
  epoch: string;
  version: string;
  release: string | null;
}

/**
 * parseEVR(): the epoch is the leading digits when a ':' follows them ("0" otherwise, or when empty);
 * the release is what follows the last '-' after those digits.
 */
export function splitEvr(evr: string): PacmanEvr {
  let s = 0;
  while (s < evr.length && isDigit(evr.charCodeAt(s))) s++;
  const dash = evr.lastIndexOf("-");
  const se = dash >= s ? dash : -1;
  let epoch = "0";
  let start = 0;
  if (evr.charCodeAt(s) === 0x3a /* : */) {
    if (s > 0) epoch = evr.slice(0, s);
    start = s + 1;
  }
  return se === -1
    ? { epoch, version: evr.slice(start), release: null }
    : { epoch, version: evr.slice(start, se), release: evr.slice(se + 1) };
}

/** rpmvercmp() of one part: -1, 0 or 1. */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const si = i;
    const sj = j;
    while (i < a.length && !isAlnum(a.charCodeAt(i))) i++;
    while (j < b.length && !isAlnum(b.charCodeAt(j))) j++;
    if (i === a.length || j === b.length) break;
    // Separators of different lengths decide (libalpm's addition to rpm's algorithm).
    if (i - si !== j - sj) return i - si < j - sj ? -1 : 1;
    const numeric = isDigit(a.charCodeAt(i));
    const inRun = numeric ? isDigit : isAlpha;
    const ai = i;
    const bj = j;
    while (i < a.length && inRun(a.charCodeAt(i))) i++;
    while (j < b.length && inRun(b.charCodeAt(j))) j++;
    // a has a run of its kind here; b has none: it has a run of the other kind.
    if (j === bj) return numeric ? 1 : -1;
    let x = a.slice(ai, i);
    let y = b.slice(bj, j);
    if (numeric) {
      x = x.replace(/^0+/, "");
      y = y.replace(/^0+/, "");
      if (x.length !== y.length) return x.length > y.length ? 1 : -1;
    }
    if (x !== y) return x < y ? -1 : 1;
  }
  const restA = i < a.length;
  const restB = j < b.length;
  if (!restA && !restB) return 0;
  // The final showdown: a remaining letter run never beats the end of the other string.
  if ((!restA && !isAlpha(b.charCodeAt(j))) || (restA && isAlpha(a.charCodeAt(i)))) return -1;
  return 1;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isAlpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function isAlnum(c: number): boolean {
  return isDigit(c) || isAlpha(c);
}
