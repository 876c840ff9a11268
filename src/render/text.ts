/**
 * Byte strings → text that is safe to show. Process names and paths are chosen by whoever runs
 * the process: they may hold invalid UTF-8, newlines, or terminal escape sequences meant to
 * rewrite the operator's screen. Nothing is hidden and nothing is passed through raw.
 */
import type { ByteString } from "../model/bytes.js";

export interface Decoded {
  /** UTF-8 text, with each undecodable byte written as \xNN. */
  text: string;
  /** The bytes were valid UTF-8, so `text` is exact. */
  exact: boolean;
}

/** For JSON: strict UTF-8, each invalid byte as "\xNN" (JSON itself escapes control characters). */
export function decodeBytes(bytes: ByteString): Decoded {
  if (isAscii(bytes)) return { text: bytes, exact: true };
  let exact = true;
  const text = walk(
    bytes,
    (cp) => String.fromCodePoint(cp),
    (b) => {
      exact = false;
      return hexByte(b);
    },
  );
  return { text, exact };
}

/**
 * For a terminal: C0 and C1 controls, DEL and the bidirectional overrides that make a line read
 * differently from what it is are escaped; so is the backslash, so that the output is unambiguous.
 */
export function forTerminal(bytes: ByteString): string {
  if (PLAIN.test(bytes)) return bytes;
  return walk(
    bytes,
    (cp) => (cp === 0x5c ? "\\\\" : isUnsafe(cp) ? escapeCodePoint(cp) : String.fromCodePoint(cp)),
    hexByte,
  );
}

function walk(
  bytes: ByteString,
  onCodePoint: (cp: number) => string,
  onInvalid: (b: number) => string,
): string {
  let out = "";
  let i = 0;
  while (i < bytes.length) {
    const b0 = bytes.charCodeAt(i);
    if (b0 < 0x80) {
      out += onCodePoint(b0);
      i++;
      continue;
    }
    const [n, cp] = decodeAt(bytes, i);
    if (n === 0) {
      out += onInvalid(b0);
      i++;
    } else {
      out += onCodePoint(cp);
      i += n;
    }
  }
  return out;
}

/** [length, code point] of the valid UTF-8 sequence at i, or [0, 0] if none starts there. */
function decodeAt(s: string, i: number): [number, number] {
  const b0 = s.charCodeAt(i);
  let n: number;
  let min: number;
  if (b0 >= 0xc2 && b0 <= 0xdf) [n, min] = [2, 0x80];
  else if (b0 >= 0xe0 && b0 <= 0xef) [n, min] = [3, 0x800];
  else if (b0 >= 0xf0 && b0 <= 0xf4) [n, min] = [4, 0x10000];
  else return [0, 0];
  if (i + n > s.length) return [0, 0];
  let cp = b0 & (0xff >> (n + 1));
  for (let k = 1; k < n; k++) {
    const b = s.charCodeAt(i + k);
    if ((b & 0xc0) !== 0x80) return [0, 0];
    cp = (cp << 6) | (b & 0x3f);
  }
  // Overlong forms, surrogates and values past U+10FFFF are not valid UTF-8.
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return [0, 0];
  return [n, cp];
}

/** Printable ASCII without a backslash: nothing to escape (most paths and names). */
const PLAIN = /^[\x20-\x5b\x5d-\x7e]*$/;

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/**
 * JSON text with what JSON.stringify leaves raw but a terminal acts on escaped as \uXXXX (it
 * escapes only C0 controls): DEL, the C1 controls (U+009B is a CSI) and the bidirectional marks
 * and overrides, the code points above 0x1f isUnsafe() names. The JSON means the same.
 */
export function jsonForTerminal(json: string): string {
  return json.replace(UNSAFE_ABOVE_C0, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

const UNSAFE_ABOVE_C0 = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function isUnsafe(c: number): boolean {
  return (
    c < 0x20 ||
    c === 0x7f ||
    (c >= 0x80 && c <= 0x9f) ||
    c === 0x061c ||
    (c >= 0x200e && c <= 0x200f) ||
    (c >= 0x202a && c <= 0x202e) ||
    (c >= 0x2066 && c <= 0x2069)
  );
}

function hexByte(b: number): string {
  return `\\x${b.toString(16).padStart(2, "0")}`;
}

function escapeCodePoint(c: number): string {
  if (c === 0x0a) return "\\n";
  if (c === 0x09) return "\\t";
  if (c === 0x0d) return "\\r";
  if (c === 0x1b) return "\\e";
  return c <= 0xff ? hexByte(c) : `\\u{${c.toString(16)}}`;
}
