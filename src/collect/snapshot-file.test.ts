/**
 * Snapshot files: written readable by their owner only and never through a planted link or into
 * another user's file; read back only when they have the whole shape analysis needs, otherwise a
 * usage error naming the first bad field. Fed the snapshot captured on a real Debian 12 host.
 */
import assert from "node:assert/strict";
import { chownSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fixturePath } from "../../test/helpers/paths.js";
import type { Snapshot } from "../model/snapshot.js";
import { readSnapshot, SnapshotError, writeSnapshot } from "./snapshot-file.js";
import { snapshotMisfit } from "./snapshot-shape.js";

const captured = fixturePath("snapshots", "debian12-replaced-library.json");
const real = (): Snapshot => JSON.parse(readFileSync(captured, "utf8"));
const dir = mkdtempSync(join(tmpdir(), "afp-snapshot-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const isRoot = process.getuid?.() === 0;

describe("writing a snapshot", () => {
  it("round-trips byte-string paths, and is readable by its owner only, even over an older file", () => {
    const file = join(dir, "old.json");
    writeFileSync(file, "x".repeat(10_000_000), { mode: 0o644 });
    const snap = real();
    snap.processes[0]!.maps[0]!.path = "/opt/\xff\x80 (deleted)\n";
    writeSnapshot(file, snap);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(readSnapshot(file), snap, "written whole, the old bytes cut off");
  });

  it("does not follow a symbolic link, and leaves its target alone", () => {
    const target = join(dir, "target");
    writeFileSync(target, "precious");
    const link = join(dir, "link.json");
    symlinkSync(target, link);
    assert.throws(
      () => writeSnapshot(link, real()),
      (e) =>
        e instanceof SnapshotError && e.message === `cannot write snapshot ${link}: it is a symbolic link`,
    );
    assert.equal(readFileSync(target, "utf8"), "precious");
  });

  it("does not write into another user's file", { skip: !isRoot && "needs root to chown" }, () => {
    const file = join(dir, "theirs.json");
    writeFileSync(file, "theirs", { mode: 0o666 });
    chownSync(file, 65534, 65534);
    assert.throws(() => writeSnapshot(file, real()), /not writing snapshot into .*: it belongs to uid 65534/);
    assert.equal(readFileSync(file, "utf8"), "theirs");
  });

  it("names the file and the error when it cannot be written (a usage error, not a crash)", () => {
    const file = join(dir, "no-such-dir", "snap.json");
    assert.throws(
      () => writeSnapshot(file, real()),
      (e) => e instanceof SnapshotError && e.message === `cannot write snapshot ${file}: ENOENT`,
    );
  });
});

describe("reading a snapshot", () => {
  it("accepts the snapshot captured on a real host", () => {
    assert.equal(snapshotMisfit(real()), null);
  });

  const cases: [string, (s: Record<string, unknown> & Snapshot) => void, string][] = [
    ["a missing list", (s) => delete (s as Partial<Snapshot>).processes, "processes: missing"],
    ["a list that is not one", (s) => Object.assign(s, { warnings: {} }), "warnings: object, expected list"],
    [
      "a bad field deep in a process",
      (s) => Object.assign(s.processes[0]!.maps[0]!, { inode: 1234 }),
      "processes[0].maps[0].inode: number, expected string",
    ],
    [
      "details neither null nor whole",
      (s) => Object.assign(s.processes[0]!, { details: { comm: "x" } }),
      "processes[0].details.ppid: missing",
    ],
    [
      "a view's stat that is neither a file nor an error",
      (s) => Object.assign(Object.values(s.views)[0]!, { "/x": { dev: "fe:00" } }),
      `views[${JSON.stringify(Object.keys(real().views)[0])}]["/x"].error: missing`,
    ],
    ["a null host", (s) => Object.assign(s, { host: null }), "host: null, expected object"],
  ];
  for (const [what, spoil, message] of cases) {
    it(`names the first bad field: ${what}`, () => {
      const s = real() as Record<string, unknown> & Snapshot;
      spoil(s);
      const file = join(dir, "spoilt.json");
      writeFileSync(file, JSON.stringify(s));
      assert.throws(
        () => readSnapshot(file),
        (e) =>
          e instanceof SnapshotError &&
          e.message === `${file} is not a whole afterpatch snapshot: ${message}`,
      );
    });
  }
});
