// The ignore rules are documented in docs/detection.md; this keeps the two from drifting apart.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { repoRoot } from "../../test/helpers/paths.js";
import { DATA_FILE_RULE, DATA_MAPPING_RULE, PATH_RULES } from "./rules.js";

it("docs/detection.md lists every ignore rule with its reason, in order", () => {
  const text = readFileSync(join(repoRoot, "docs", "detection.md"), "utf8");
  const doc = text.slice(text.indexOf("## Ignored, by rule"));
  // Table rows, split on the pipes that are not escaped: | `name` | matches | why |
  const rows = doc
    .split("\n")
    .filter((line) => line.startsWith("| `"))
    .map((line) => line.split(/(?<!\\)\|/).map((cell) => cell.trim().replaceAll("\\|", "|")))
    .map((cells) => [cells[1]!.replaceAll("`", ""), cells[3]]);
  const rules = [...PATH_RULES, DATA_MAPPING_RULE, DATA_FILE_RULE].map((r) => [r.name, r.reason]);
  assert.deepEqual(rows, rules);
});
