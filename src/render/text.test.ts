import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { decodeBytes, forTerminal, jsonForTerminal } from "./text.js";

const bytes = (...b: number[]) => String.fromCharCode(...b);
const utf8 = (s: string) => Buffer.from(s, "utf8").toString("latin1");

describe("forTerminal", () => {
  const cases: Array<[name: string, input: string, want: string]> = [
    ["keeps plain paths", "/usr/lib/libz.so.1", "/usr/lib/libz.so.1"],
    ["keeps valid UTF-8", utf8("/opt/café/ünï.so"), "/opt/café/ünï.so"],
    ["escapes ESC sequences in a process name", "\x1b]0;pwn\x07\x1b[31m", "\\e]0;pwn\\x07\\e[31m"],
    ["escapes newline, tab and carriage return", "a\nb\tc\rd", "a\\nb\\tc\\rd"],
    ["escapes DEL", "a\x7fb", "a\\x7fb"],
    ["escapes C1 controls encoded in UTF-8", utf8("a\u009bb"), "a\\x9bb"],
    ["escapes a raw C1 byte that is not UTF-8", bytes(0x61, 0x9b, 0x62), "a\\x9bb"],
    ["escapes bidi overrides", utf8("a\u202eb"), "a\\u{202e}b"],
    ["writes invalid UTF-8 bytes as \\xNN", bytes(0x2f, 0xff, 0xfe), "/\\xff\\xfe"],
    ["rejects overlong encodings", bytes(0xc0, 0xaf), "\\xc0\\xaf"],
    ["rejects encoded surrogates", bytes(0xed, 0xa0, 0x80), "\\xed\\xa0\\x80"],
    ["doubles a literal backslash so escapes stay unambiguous", "a\\x41", "a\\\\x41"],
  ];
  for (const [name, input, want] of cases) it(name, () => assert.equal(forTerminal(input), want));

  it("never lets a control byte through, whatever the input", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (arr) => {
        const out = forTerminal(Buffer.from(arr).toString("latin1"));
        for (const ch of out) {
          const c = ch.codePointAt(0)!;
          const unsafe =
            c < 0x20 ||
            (c >= 0x7f && c <= 0x9f) ||
            (c >= 0x202a && c <= 0x202e) ||
            (c >= 0x2066 && c <= 0x2069);
          assert.equal(unsafe, false, `U+${c.toString(16)} reached the terminal`);
        }
      }),
    );
  });
});

describe("decodeBytes", () => {
  it("round-trips every valid UTF-8 string exactly", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (s) => {
        const d = decodeBytes(utf8(s));
        assert.equal(d.exact, true);
        assert.equal(d.text, s);
      }),
    );
  });
  it("marks invalid input as inexact", () => {
    assert.deepEqual(decodeBytes(bytes(0x61, 0xff)), { text: "a\\xff", exact: false });
  });
});

describe("jsonForTerminal", () => {
  it("leaves raw exactly what forTerminal leaves raw, and the JSON means the same", () => {
    for (let cp = 0; cp < 0x3000; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const ch = String.fromCodePoint(cp);
      const json = jsonForTerminal(JSON.stringify({ name: ch }));
      assert.equal(JSON.parse(json).name, ch, `U+${cp.toString(16)}`);
      if (cp === 0x22 || cp === 0x5c) continue; // JSON's own escapes
      const utf8 = Buffer.from(ch, "utf8").toString("latin1");
      assert.equal(json.includes(ch), forTerminal(utf8) === ch, `U+${cp.toString(16)}`);
    }
  });

  it("escapes a CSI and a right-to-left override in a process name", () => {
    assert.equal(jsonForTerminal(JSON.stringify("a\u009b2Jb\u202e")), '"a\\u009b2Jb\\u202e"');
  });
});
