/**
 * Debian version strings: parsing and ordering, exactly as dpkg does them (lib/dpkg/version.c,
 * parsehelp.c), so "old → new" and "is the running version older" agree with `dpkg --compare-versions`.
 *
 * `[epoch:]upstream[-revision]`: the epoch ends at the first ':', the revision starts after the last '-'.
 * Upstream and revision compare by alternating runs: a non-digit run character by character ('~' sorts
 * before everything, even the end of the string; letters before other characters), then a digit run by
 * numeric value. Digit runs are compared as digit strings, never converted to numbers, so a run of any
 * length (dates, hashes: "0.0~git20240101123456") orders correctly without overflow.
 */

export interface DebianVersion {
  /** 0 when absent. dpkg refuses epochs above INT_MAX, so a number is exact. */
  epoch: number;
  upstream: string;
  /** "" when absent (a native package). */
  revision: string;
}

/**
 * dpkg's verdict on a version string: an error is a string dpkg refuses outright (`dpkg --compare-versions`
 * exits 2); a warning is one it accepts and still compares ("version number does not start with digit").
 */
export type DebianVersionParse =
  | { ok: true; version: DebianVersion; warning: string | null }
  | { ok: false; error: string };

const INT_MAX = "2147483647";

/** Parses like dpkg's parseversion(), with its error and warning messages. */
export function parseDebianVersion(text: string): DebianVersionParse {
  const s = trimBlanks(text);
  if (s === "") return { ok: false, error: "version string is empty" };
  if (/[ \t]/.test(s)) return { ok: false, error: "version string has embedded spaces" };
  let rest = s;
  let epoch = 0;
  const colon = s.indexOf(":");
  if (colon !== -1) {
    // dpkg reads the epoch with strtol(): optional space and sign, then digits up to the colon.
    const m = /^[ \t\n\v\f\r]*([+-]?)([0-9]*)(.*)$/s.exec(s.slice(0, colon));
    const [, sign = "", digits = "", trailing = ""] = m ?? [];
    if (digits === "") return { ok: false, error: "epoch in version is empty" };
    if (trailing !== "") return { ok: false, error: "epoch in version is not number" };
    const normal = stripZeros(digits);
    if (sign === "-" && normal !== "") return { ok: false, error: "epoch in version is negative" };
    if (compareDigitRuns(normal, INT_MAX) > 0) return { ok: false, error: "epoch in version is too big" };
    epoch = Number(normal);
    rest = s.slice(colon + 1);
    if (rest === "") return { ok: false, error: "nothing after colon in version number" };
  }
  let upstream = rest;
  let revision = "";
  const hyphen = rest.lastIndexOf("-");
  if (hyphen !== -1) {
    upstream = rest.slice(0, hyphen);
    revision = rest.slice(hyphen + 1);
    if (revision === "") return { ok: false, error: "revision number is empty" };
  }
  if (upstream === "") return { ok: false, error: "version number is empty" };
  const version = { epoch, upstream, revision };
  if (!isDigitCode(upstream.charCodeAt(0))) {
    return { ok: true, version, warning: "version number does not start with digit" };
  }
  if (!/^[0-9A-Za-z.+~:-]*$/.test(upstream)) {
    return { ok: true, version, warning: "invalid character in version number" };
  }
  if (!/^[0-9A-Za-z.+~]*$/.test(revision)) {
    return { ok: true, version, warning: "invalid character in revision number" };
  }
  return { ok: true, version, warning: null };
}

/**
 * Orders two version strings: negative when a < b, 0 when equal, positive when a > b.
 *
 * Agrees with `dpkg --compare-versions` for every string dpkg accepts (warnings included). Strings dpkg
 * refuses still get a total, deterministic order from the same split (an epoch that is not a number is
 * read as part of the upstream version), so sorting never throws on a corrupt database. The empty string
 * is "no version" (dpkg's "<none>"): lower than every version, even "~".
 */
export function compareDebianVersions(a: string, b: string): number {
  if (a === b) return 0;
  const x = splitLenient(a);
  const y = splitLenient(b);
  if (x === null || y === null) return x === y ? 0 : x === null ? -1 : 1;
  return Math.sign(
    compareDigitRuns(x.epoch, y.epoch) ||
      compareFragments(x.upstream, y.upstream) ||
      compareFragments(x.revision, y.revision),
  );
}

interface LenientVersion {
  /** Digits, leading zeros removed ("" for 0). */
  epoch: string;
  upstream: string;
  revision: string;
}

function splitLenient(text: string): LenientVersion | null {
  let s = trimBlanks(text);
  if (s === "") return null;
  let epoch = "";
  const colon = s.indexOf(":");
  if (colon !== -1) {
    // The epochs dpkg accepts; any other prefix stays part of the upstream version.
    const m = /^[ \t\n\v\f\r]*(?:\+?([0-9]+)|-(0+))$/.exec(s.slice(0, colon));
    if (m !== null) {
      epoch = stripZeros(m[1] ?? m[2] ?? "");
      s = s.slice(colon + 1);
    }
  }
  const hyphen = s.lastIndexOf("-");
  if (hyphen === -1) return { epoch, upstream: s, revision: "" };
  return { epoch, upstream: s.slice(0, hyphen), revision: s.slice(hyphen + 1) };
}

/** dpkg's verrevcmp(): alternating non-digit and digit runs. */
function compareFragments(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (
      (i < a.length && !isDigitCode(a.charCodeAt(i))) ||
      (j < b.length && !isDigitCode(b.charCodeAt(j)))
    ) {
      const ac = weight(a.charCodeAt(i));
      const bc = weight(b.charCodeAt(j));
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (a.charCodeAt(i) === 48) i++;
    while (b.charCodeAt(j) === 48) j++;
    // Equal-length digit runs compare by their first differing digit; a longer run is a bigger number.
    let firstDiff = 0;
    while (isDigitCode(a.charCodeAt(i)) && isDigitCode(b.charCodeAt(j))) {
      if (firstDiff === 0) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigitCode(a.charCodeAt(i))) return 1;
    if (isDigitCode(b.charCodeAt(j))) return -1;
    if (firstDiff !== 0) return firstDiff;
  }
  return 0;
}

/**
 * dpkg's order(): '~' below the end of the string (so "1.0~rc1" < "1.0"), the end and digits at 0,
 * letters by code, anything else above all letters. charCodeAt() past the end is NaN: the end.
 */
function weight(c: number): number {
  if (Number.isNaN(c) || isDigitCode(c)) return 0;
  if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) return c;
  if (c === 126) return -1;
  return c + 256;
}

/** Compares two digit strings without leading zeros by numeric value. */
function compareDigitRuns(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

function stripZeros(digits: string): string {
  let k = 0;
  while (digits.charCodeAt(k) === 48) k++;
  return digits.slice(k);
}

/** dpkg trims isblank() characters (space, tab) only. */
function trimBlanks(s: string): string {
  return s.replace(/^[ \t]+|[ \t]+$/g, "");
}
