import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fixturePath } from "../../test/helpers/paths.js";
import { spyHost } from "../../test/helpers/spy-host.js";
import { type Host, realHost } from "../collect/host.js";
import type { PackageInfo } from "../model/snapshot.js";
import { detectPackageManager } from "./packages.js";
import { pacman } from "./pacman.js";

// A root holding the database and log the real pacman 6.0.2 wrote (test/fixtures/pacman-tree/README.md).
const TREE = fixturePath("pacman-tree");

const info = (
  name: string,
  version: string,
  previousVersion: string | null,
  upgraded: boolean,
): PackageInfo => ({
  name,
  arch: "x86_64",
  version,
  previousVersion,
  upgradedAt: upgraded ? "2026-11-24T00:56:42+0000" : null,
});

function expectFixture(root: string, upgradedAt: (i: PackageInfo) => PackageInfo = (i) => i) {
  const paths = [
    "/usr/lib/liblibfoo.so.1",
    "/lib/libbarsvc.so.1",
    "/usr/bin/bazdatad",
    "/usr/share/libfoo/with space.txt",
    "/usr/lib/libnobody.so",
  ];
  const { index, warnings } = pacman.lookup(realHost(root), paths, true);
  assert.deepEqual(warnings, []);
  assert.deepEqual(index.owners, {
    "/usr/lib/liblibfoo.so.1": ["libfoo"],
    "/lib/libbarsvc.so.1": ["barsvc"],
    "/usr/bin/bazdatad": ["bazdata"],
    "/usr/share/libfoo/with space.txt": ["libfoo"],
    "/usr/lib/libnobody.so": [],
  });
  const packages = Object.fromEntries(Object.entries(index.packages).map(([k, v]) => [k, upgradedAt(v)]));
  assert.deepEqual(packages, {
    barsvc: info("barsvc", "2.0-1", "2.0rc1-1", true),
    bazdata: info("bazdata", "0.1-2", "0.1-2", true),
    libfoo: info("libfoo", "1.1-1", "1.0-1", true),
  });
}

describe("pacman.lookup on a root of a database written by the real pacman", () => {
  test("detects pacman there, and neither dpkg nor apk", () => {
    assert.equal(pacman.detect(realHost(TREE)), true);
    assert.equal(detectPackageManager(realHost(TREE))?.name, "pacman");
  });

  test("names the owner of each path, with the upgrade the log tells (usr-merged spellings too)", () => {
    expectFixture(TREE);
  });

  test("without usr-merge, /lib and /usr/lib are different files", () => {
    const { index } = pacman.lookup(realHost(TREE), ["/lib/libbarsvc.so.1"], false);
    assert.deepEqual(index.owners, { "/lib/libbarsvc.so.1": [] });
  });

  test("reads nothing when there is nothing to look up", () => {
    const { host, reads } = spyHost(TREE);
    assert.deepEqual(pacman.lookup(host, [], true).index.owners, {});
    assert.deepEqual(reads, []);
  });

  test("reads each file at most once, and stops when every path has its owner", () => {
    const { host, reads } = spyHost(TREE);
    pacman.lookup(host, ["/usr/bin/barsvcd", "/usr/lib/libbarsvc.so"], true);
    assert.equal(new Set(reads).size, reads.length, reads.join("\n"));
    // Entries are searched in name order, packages the log shows replaced first: barsvc comes first.
    assert.deepEqual(
      reads.filter((r) => r.endsWith("/files")),
      ["/var/lib/pacman/local/barsvc-2.0-1/files"],
    );
  });

  test("leaves versions of the past unknown without a log", () => {
    const { host } = spyHost(TREE);
    const noLog: Host = {
      ...host,
      readText: (p) => {
        if (p === "/var/log/pacman.log") throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
        return host.readText(p);
      },
    };
    const { index, warnings } = pacman.lookup(noLog, ["/usr/bin/libfood"], true);
    assert.deepEqual(warnings, []);
    assert.deepEqual(index.packages.libfoo, { ...info("libfoo", "1.1-1", null, false) });
  });

  test("warns, and answers nothing, when the database cannot be listed", () => {
    const { index, warnings } = pacman.lookup(realHost("/nonexistent-afterpatch"), ["/usr/bin/x"], true);
    assert.deepEqual(index.owners, {});
    assert.equal(warnings[0]?.code, "pkgdb");
  });
});

describe("pacman.lookup on a database the real pacman writes now", () => {
  const skip =
    spawnSync("pacman", ["--version"]).status !== 0
      ? "pacman is not installed here (Debian: apt-get install pacman-package-manager)"
      : process.getuid?.() !== 0
        ? "pacman -U refuses to run without root, even into a temporary --root"
        : false;

  test("gives the same answers as on the committed fixture", { skip }, () => {
    const root = mkdtempSync(join(tmpdir(), "afterpatch-pacman-"));
    try {
      const r = spawnSync("sh", [fixturePath("pacman-pkgs", "install.sh"), root], {
        encoding: "utf8",
        env: { PATH: "/usr/bin:/bin:/usr/sbin:/sbin", LC_ALL: "C" },
      });
      assert.equal(r.status, 0, r.stderr);
      // A fresh install has today's timestamps: compare everything else.
      expectFixture(root, (i) => ({
        ...i,
        upgradedAt: i.upgradedAt === null ? null : "2026-11-24T00:56:42+0000",
      }));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
