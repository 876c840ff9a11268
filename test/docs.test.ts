// The documents a user reads first must match what the code does.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { analyse } from "../src/analyse/analyse.js";
import { FLAGS } from "../src/cli/flags.js";
import { plan } from "../src/decide/plan.js";
import type { Snapshot } from "../src/model/snapshot.js";
import { renderJson } from "../src/render/json.js";
import { fixturePath, repoRoot } from "./helpers/paths.js";

const read = (...p: string[]) => readFileSync(join(repoRoot, ...p), "utf8");

describe("README.md", () => {
  const readme = read("README.md");
  it("opens with the two commands a new user needs: run the check (npm ci included), run the tests", () => {
    const first = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
    const lines = first.split("\n").filter((l) => l.trim() !== "");
    assert.equal(lines.length, 2, first);
    assert.match(lines[0]!, /^npm ci && npm run build && sudo node dist\/afterpatch\.cjs\b/);
    assert.match(lines[1]!, /^npm test\b/);
  });
  it("names every option --help lists", () => {
    for (const f of FLAGS) assert.match(readme, new RegExp(`--${f.name}(?![a-z-])`), `--${f.name}`);
  });
  it("has each section once", () => {
    const headings = readme.split("\n").filter((l) => l.startsWith("## "));
    assert.deepEqual(headings, [...new Set(headings)]);
  });
});

describe("docs/json.md", () => {
  const example = JSON.parse(/```json\n([\s\S]*?)```/.exec(read("docs", "json.md"))![1]!);
  const snapshot = JSON.parse(
    readFileSync(fixturePath("snapshots", "debian12-replaced-library.json"), "utf8"),
  ) as Snapshot;
  const report = analyse(snapshot);
  const doc = JSON.parse(renderJson(report, plan(report), "0.0.0"));

  it("shows every top-level field the JSON has, and no other", () => {
    assert.deepEqual(Object.keys(example).sort(), Object.keys(doc).sort());
  });
  it("shows every field of a process, and no other", () => {
    assert.deepEqual(Object.keys(example.processes[0]).sort(), Object.keys(doc.processes[0]).sort());
    assert.deepEqual(
      Object.keys(example.processes[0].files[0]).sort(),
      Object.keys(doc.processes[0].files[0]).sort(),
    );
  });
  it("shows every field of the scan, host and summary", () => {
    for (const key of ["scan", "host", "summary"])
      assert.deepEqual(Object.keys(example[key]).sort(), Object.keys(doc[key]).sort(), key);
  });
  it("names the format the code writes", () => {
    assert.equal(example.format, doc.format);
  });
});
