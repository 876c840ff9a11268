// The ignore rules are documented in docs/detection.md; this keeps the two from drifting apart.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { repoRoot } from "../../test/helpers/paths.js";
import { FD_READERS } from "./fd-readers.js";
import { DATA_FILE_RULE, DATA_MAPPING_RULE, PATH_RULES } from "./rules.js";

const text = readFileSync(join(repoRoot, "docs", "detection.md"), "utf8");

/** [name, reason] of each row of the table in `text` between two headings: | `name` | … | why | */
function rulesTable(from: string, to: string | null): (string | undefined)[][] {
  const start = text.indexOf(from);
  assert.notEqual(start, -1, from);
  const doc = text.slice(start, to === null ? undefined : text.indexOf(to, start));
  // Table rows, split on the pipes that are not escaped.
  return doc
    .split("\n")
    .filter((line) => line.startsWith("| `"))
    .map((line) => line.split(/(?<!\\)\|/).map((cell) => cell.trim().replaceAll("\\|", "|")))
    .map((cells) => [cells[1]!.replaceAll("`", ""), cells[3]]);
}

it("docs/detection.md lists every ignore rule with its reason, in order", () => {
  const rules = [...PATH_RULES, DATA_MAPPING_RULE, DATA_FILE_RULE].map((r) => [r.name, r.reason]);
  assert.deepEqual(rulesTable("## Ignored, by rule", null), rules);
});

it("docs/detection.md lists every program whose open files are read, with the reason, in order", () => {
  assert.deepEqual(
    rulesTable("### Programs whose open files are read", "## Ignored, by rule"),
    FD_READERS.map((r) => [r.name, r.reason]),
  );
});
