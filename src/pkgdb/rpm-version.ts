/**
 * rpm's version ordering: rpmvercmp() for one version or release string, and [epoch:]version-release
 * compared field by field, as rpm 4.18 (lib/rpmvercmp.c, rpmverCmp) does it.
 */

const isDigit = (c: string): boolean => c >= "0" && c <= "9";
const isAlpha = (c: string): boolean => (c >= "a" && c <= "z") || (c >= "A" && c <= "Z");
const isAlnum = (c: string): boolean => isDigit(c) || isAlpha(c);

/**
 * -1, 0 or 1. Strings split into runs of digits and of ASCII letters; anything else separates. Digits
 * compare as numbers and beat letters; "~" sorts before everything, even the end ("1.0~rc1" <
 * "1.0"); "^" sorts after the end but before any further run ("1.0" < "1.0^git1" < "1.0.1").
 */
export function rpmvercmp(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  const at = (s: string, k: number): string => (k < s.length ? s[k]! : "");
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(a[i]!) && a[i] !== "~" && a[i] !== "^") i++;
    while (j < b.length && !isAlnum(b[j]!) && b[j] !== "~" && b[j] !== "^") j++;
    const ca = at(a, i);
    const cb = at(b, j);
    if (ca === "~" || cb === "~") {
      if (ca !== "~") return 1;
      if (cb !== "~") return -1;
      i++;
      j++;
      continue;
    }
    if (ca === "^" || cb === "^") {
      if (ca === "") return -1;
      if (cb === "") return 1;
      if (ca !== "^") return 1;
      if (cb !== "^") return -1;
      i++;
      j++;
      continue;
    }
    if (ca === "" || cb === "") break;
    const numeric = isDigit(ca);
    const inRun = numeric ? isDigit : isAlpha;
    let ei = i;
    let ej = j;
    while (ei < a.length && inRun(a[ei]!)) ei++;
    while (ej < b.length && inRun(b[ej]!)) ej++;
    // `a` always has a run here (it starts with an alphanumeric); `b` may start the other kind.
    if (ej === j) return numeric ? 1 : -1;
    let ra = a.slice(i, ei);
    let rb = b.slice(j, ej);
    if (numeric) {
      ra = ra.replace(/^0+/, "");
      rb = rb.replace(/^0+/, "");
      if (ra.length !== rb.length) return ra.length > rb.length ? 1 : -1;
    }
    if (ra !== rb) return ra < rb ? -1 : 1;
    i = ei;
    j = ej;
  }
  const endA = i >= a.length;
  const endB = j >= b.length;
  if (endA && endB) return 0;
  return endA ? -1 : 1;
}

export interface Evr {
  epoch: string;
  version: string;
  release: string | null;
}

/** "[epoch:]version[-release]", as rpmverParse() splits it (release after the last "-"). */
export function parseEvr(evr: string): Evr {
  let rest = evr;
  let epoch = "";
  const colon = rest.indexOf(":");
  if (colon !== -1 && /^\d*$/.test(rest.slice(0, colon))) {
    epoch = rest.slice(0, colon);
    rest = rest.slice(colon + 1);
  }
  const dash = rest.lastIndexOf("-");
  return dash === -1
    ? { epoch, version: rest, release: null }
    : { epoch, version: rest.slice(0, dash), release: rest.slice(dash + 1) };
}

/** rpmverCmp(): epoch (missing = 0) as a number, then version, then release when both have one. */
export function compareEvr(a: string, b: string): -1 | 0 | 1 {
  const x = parseEvr(a);
  const y = parseEvr(b);
  const ea = BigInt(x.epoch === "" ? 0 : x.epoch);
  const eb = BigInt(y.epoch === "" ? 0 : y.epoch);
  if (ea !== eb) return ea < eb ? -1 : 1;
  const v = rpmvercmp(x.version, y.version);
  if (v !== 0 || x.release === null || y.release === null) return v;
  return rpmvercmp(x.release, y.release);
}
