import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { FLAGS } from "./flags.js";
import { generate } from "./generate.js";

function has(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
}

describe("generate", () => {
  it("the man page documents every flag and renders without a groff warning", (t) => {
    const man = generate("man", "1.2.3");
    for (const f of FLAGS) assert.ok(man.includes(`\\-\\-${f.name.replaceAll("-", "\\-")}`), f.name);
    if (!has("groff")) return t.skip("groff is not installed");
    const r = spawnSync("groff", ["-man", "-ww", "-z"], { input: man, encoding: "utf8" });
    assert.equal(r.status, 0);
    assert.equal(r.stderr, "");
  });

  it("the bash completion is valid bash and offers every flag and every closed choice", () => {
    const script = generate("complete-bash", "1.2.3");
    assert.equal(spawnSync("bash", ["-n"], { input: script }).status, 0);
    const complete = (line: string) =>
      spawnSync(
        "bash",
        [
          "-c",
          `${script}\nCOMP_WORDS=(${line}); COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); _afterpatch; printf '%s\\n' "\${COMPREPLY[@]}"`,
        ],
        { encoding: "utf8" },
      ).stdout.split("\n");
    const all = complete("afterpatch --");
    for (const f of FLAGS) assert.ok(all.includes(`--${f.name}`), f.name);
    assert.deepEqual(complete("afterpatch --color ''").filter(Boolean), ["auto", "always", "never"]);
  });

  it("the zsh completion names every flag", (t) => {
    const script = generate("complete-zsh", "1.2.3");
    for (const f of FLAGS) assert.ok(script.includes(`'--${f.name}`), f.name);
    if (!has("zsh")) return t.skip("zsh is not installed");
    assert.equal(spawnSync("zsh", ["-n"], { input: script }).status, 0);
  });
});
