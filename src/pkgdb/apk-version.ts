/**
 * apk's version ordering (apk-tools src/version.c, apk_version_compare()). An Alpine version is
 *
 *     digit{.digit}...{letter}{_suffix{number}}...{-r#}
 *
 * read as a sequence of tokens, compared pairwise while both have a token of the same kind and value:
 *
 * - numbers compare numerically; a later component ("." number) with leading zeros compares as
 *   minus the count of zeros, then its remaining digits as a separate number (so 1.01 < 1.1, 1.001 <
 *   1.01);
 * - a letter right after a number compares by its byte;
 * - suffixes: _alpha < _beta < _pre < _rc (pre-releases, below the bare version) < _cvs < _svn < _git <
 *   _hg < _p (post-releases, above it); a number may follow each;
 * - -rN is the package release.
 *
 * When the tokens run out together the versions are equal. When one version has more, it is the
 * greater, unless its next token is a pre-release suffix (1.2.3_rc1 < 1.2.3 < 1.2.3-r1 < 1.2.3_p1).
 * When both go on with tokens of different kinds, the one going on with the kind that comes earlier
 * in a version (digit, letter, suffix, suffix number, revision) is the greater: 1.2.3.1 > 1.2.3-r5,
 * and 1.2.3_p1 > 1.2.3-r1.
 * An invalid part ends the comparison where apk's ends it.
 */

enum T {
  Invalid = -1,
  DigitOrZero = 0,
  Digit = 1,
  Letter = 2,
  Suffix = 3,
  SuffixNo = 4,
  RevisionNo = 5,
  End = 6,
}

const PRE = ["alpha", "beta", "pre", "rc"];
const POST = ["cvs", "svn", "git", "hg", "p"];

class Cursor {
  type: T = T.Digit;
  pos = 0;
  constructor(readonly s: string) {}

  /** The value of the current token; advances to the next and sets its type. */
  take(): number {
    const s = this.s;
    if (this.pos >= s.length) {
      this.type = T.End;
      return 0;
    }
    let i = this.pos;
    let v = 0;
    let forced: T | null = null;
    switch (this.type) {
      case T.DigitOrZero:
        if (s[i] === "0") {
          while (i < s.length && s[i] === "0") i++;
          v = -(i - this.pos);
          forced = T.Digit;
          break;
        }
        v = this.#number(i);
        i = this.#digitsEnd(i);
        break;
      case T.Digit:
      case T.SuffixNo:
      case T.RevisionNo:
        v = this.#number(i);
        i = this.#digitsEnd(i);
        break;
      case T.Letter:
        v = s.charCodeAt(i);
        i++;
        break;
      case T.Suffix: {
        const rest = s.slice(i);
        const pre = PRE.findIndex((p) => rest.startsWith(p));
        if (pre !== -1) {
          v = pre - PRE.length;
          i += PRE[pre]!.length;
          break;
        }
        const post = POST.findIndex((p) => rest.startsWith(p));
        if (post !== -1) {
          v = post;
          i += POST[post]!.length;
          break;
        }
        this.type = T.Invalid;
        return -1;
      }
      default:
        this.type = T.Invalid;
        return -1;
    }
    this.pos = i;
    if (i >= s.length) this.type = T.End;
    else if (forced !== null) this.type = forced;
    else this.#next();
    return v;
  }

  #digitsEnd(i: number): number {
    while (i < this.s.length && isDigit(this.s.charCodeAt(i))) i++;
    return i;
  }

  #number(i: number): number {
    let v = 0;
    const end = this.#digitsEnd(i);
    // apk accumulates in a C int; versions never hold numbers near that, but keep the order sane.
    for (; i < end; i++) v = v * 10 + (this.s.charCodeAt(i) - 0x30);
    return v;
  }

  /** next_token(): the type of the token at pos (consuming its separator). */
  #next(): void {
    const s = this.s;
    const c = s.charCodeAt(this.pos);
    let n: T = T.Invalid;
    if (this.pos >= s.length) {
      n = T.End;
    } else if ((this.type === T.Digit || this.type === T.DigitOrZero) && c >= 0x61 && c <= 0x7a) {
      n = T.Letter;
    } else if (this.type === T.Letter && isDigit(c)) {
      n = T.Digit;
    } else if (this.type === T.Suffix && isDigit(c)) {
      n = T.SuffixNo;
    } else {
      if (c === 0x2e /* . */) n = T.DigitOrZero;
      else if (c === 0x5f /* _ */) n = T.Suffix;
      else if (c === 0x2d /* - */ && s[this.pos + 1] === "r") {
        n = T.RevisionNo;
        this.pos++;
      }
      this.pos++;
    }
    if (n < this.type) {
      const allowed =
        (n === T.DigitOrZero && this.type === T.Digit) ||
        (n === T.Suffix && this.type === T.SuffixNo) ||
        (n === T.Digit && this.type === T.Letter);
      if (!allowed) n = T.Invalid;
    }
    this.type = n;
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Negative, zero or positive as apk_version_compare(a, b) says LESS, EQUAL or GREATER. */
export function compareApkVersions(a: string, b: string): number {
  const x = new Cursor(a);
  const y = new Cursor(b);
  let xv = 0;
  let yv = 0;
  while (x.type === y.type && x.type !== T.End && x.type !== T.Invalid && xv === yv) {
    xv = x.take();
    yv = y.take();
  }
  if (xv !== yv) return xv < yv ? -1 : 1;
  if (x.type === y.type) return 0;
  // Equal so far: the one that goes on is greater, unless it goes on with a pre-release suffix.
  if (x.type === T.Suffix && peekSuffix(x) < 0) return -1;
  if (y.type === T.Suffix && peekSuffix(y) < 0) return 1;
  if (x.type > y.type) return -1;
  if (y.type > x.type) return 1;
  return 0;
}

function peekSuffix(c: Cursor): number {
  const copy = new Cursor(c.s);
  copy.type = c.type;
  copy.pos = c.pos;
  return copy.take();
}

/** apk_version_validate(): the whole string reads as tokens. */
export function isValidApkVersion(v: string): boolean {
  const c = new Cursor(v);
  while (c.type !== T.End && c.type !== T.Invalid) c.take();
  return c.type === T.End;
}
