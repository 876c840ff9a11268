import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FLAGS, helpText, parseArgs, UsageError } from "./flags.js";

describe("parseArgs", () => {
  it("takes no arguments as a plain check", () => {
    const o = parseArgs([]);
    assert.equal(o.json, false);
    assert.equal(o.color, "auto");
    assert.equal(o.root, "/");
  });
  it("accepts the check command and flags in both value spellings", () => {
    const o = parseArgs(["check", "--json", "--color=never", "--dump-snapshot", "s.json", "--exit-code"]);
    assert.equal(o.json, true);
    assert.equal(o.color, "never");
    assert.equal(o.dumpSnapshot, "s.json");
    assert.equal(o.exitCode, true);
  });
  const bad: Array<[argv: string[], message: RegExp]> = [
    [["--jsn"], /unknown option '--jsn'/],
    [["--color=sometimes"], /--color' takes auto, always, never, not 'sometimes'/],
    [["--color"], /needs a value \(WHEN\)/],
    [["--json=yes"], /takes no value/],
    [["--dump-snapshot="], /non-empty value/],
    [["restart"], /unknown command 'restart'/],
    [["check", "extra"], /unexpected argument 'extra'/],
    [["--from-snapshot", "a", "--dump-snapshot", "b"], /cannot be combined/],
  ];
  for (const [argv, message] of bad) {
    it(`rejects ${JSON.stringify(argv)} with a message naming the problem`, () => {
      assert.throws(
        () => parseArgs(argv),
        (e: unknown) => e instanceof UsageError && message.test(e.message),
      );
    });
  }
});

describe("helpText", () => {
  it("documents every flag of the table", () => {
    const help = helpText("1.2.3");
    for (const f of FLAGS) assert.match(help, new RegExp(`--${f.name}\\b`));
    assert.match(help, /afterpatch 1\.2\.3/);
  });
});
