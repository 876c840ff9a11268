import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { fixturePath } from "../../test/helpers/paths.js";
import { type Host, realHost } from "../collect/host.js";
import { detectPackageManager } from "./packages.js";
import { RPM_PROGRAM, rpm, rpmQueryArgs } from "./rpm.js";

const DBPATH = "/var/lib/rpm";
const tools = ["/usr/bin/rpm", "/usr/bin/rpmbuild"].every(
  (p) => spawnSync(p, ["--version"], { env: {} }).status === 0,
);
const skip = !tools
  ? "rpm and rpmbuild are not installed (apt-get install rpm)"
  : process.getuid?.() !== 0
    ? "installing into a private rpm root needs root"
    : false;

// One noarch package per call, built by the real rpmbuild; every package ships the same
// /usr/share/shared/common.conf (so it has two owners) and a file name with a space.
const SPEC = `Name: %{pname}
Version: %{pver}
Release: 1
%{?pepoch:Epoch: %{pepoch}}
Summary: afterpatch test package
License: MIT
BuildArch: noarch
%description
afterpatch test package
%install
mkdir -p %{buildroot}/usr/lib64 %{buildroot}/usr/share/shared "%{buildroot}/usr/share/%{pname}"
echo %{pver} > %{buildroot}/usr/lib64/lib%{pname}.so.1
echo same > %{buildroot}/usr/share/shared/common.conf
echo x > "%{buildroot}/usr/share/%{pname}/with space.txt"
%files
/usr/lib64/lib%{pname}.so.1
/usr/share/shared/common.conf
"/usr/share/%{pname}/with space.txt"
`;

function run(program: string, args: string[], cwd: string): void {
  const r = spawnSync(program, args, { cwd, env: { PATH: "/usr/bin:/bin", HOME: cwd }, encoding: "utf8" });
  assert.equal(r.status, 0, `${program} ${args.join(" ")}: ${r.stderr}`);
}

function countingHost(root: string): { host: Host; calls: { program: string; args: readonly string[] }[] } {
  const base = realHost(root);
  const calls: { program: string; args: readonly string[] }[] = [];
  return {
    calls,
    host: {
      ...base,
      run: (program, args, opts) => {
        calls.push({ program, args });
        return base.run(program, args, opts);
      },
    },
  };
}

describe("rpm adapter on a real rpm database", { skip }, () => {
  let dir = "";
  let root = "";
  before(() => {
    // Under the build output (build-h7/ or build/), which is gitignored.
    const build = fileURLToPath(new URL("../../", import.meta.url));
    dir = mkdtempSync(join(build, "rpm-test-"));
    root = join(dir, "root");
    writeFileSync(join(dir, "t.spec"), SPEC);
    const builds: [string, string, string | null][] = [
      ["alpha", "1.0", null],
      ["alpha", "1.1", "1"],
      ["beta", "2.0", null],
    ];
    for (const [name, version, epoch] of builds) {
      const defs = [
        "--define",
        `_topdir ${dir}/top`,
        "--define",
        `pname ${name}`,
        "--define",
        `pver ${version}`,
      ];
      if (epoch !== null) defs.push("--define", `pepoch ${epoch}`);
      run("/usr/bin/rpmbuild", ["-bb", "--quiet", ...defs, "t.spec"], dir);
    }
    const rpms = `${dir}/top/RPMS/noarch`;
    const db = ["--root", root, "--dbpath", DBPATH];
    mkdirSync(root);
    run("/usr/bin/rpm", [...db, "--initdb"], dir);
    run(
      "/usr/bin/rpm",
      [
        ...db,
        "-i",
        "--nodeps",
        "--noscripts",
        `${rpms}/alpha-1.0-1.noarch.rpm`,
        `${rpms}/beta-2.0-1.noarch.rpm`,
      ],
      dir,
    );
    run("/usr/bin/rpm", [...db, "-U", "--nodeps", "--noscripts", `${rpms}/alpha-1.1-1.noarch.rpm`], dir);
    // detect() looks for the program inside the root, as on a real host.
    mkdirSync(join(root, "usr/bin"), { recursive: true });
    writeFileSync(join(root, "usr/bin/rpm"), "");
    mkdirSync(join(root, "var/log"), { recursive: true });
    writeFileSync(
      join(root, "var/log/dnf.rpm.log"),
      "2024-05-01T10:00:00+0000 SUBDEBUG Upgrade: alpha-1:1.1-1.noarch\n" +
        "2024-05-01T10:00:01+0000 SUBDEBUG Upgraded: alpha-1.0-1.noarch\n",
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("is detected on a root with an rpm database", () => {
    assert.equal(rpm.detect(realHost(root)), true);
    assert.equal(detectPackageManager(realHost(root))?.name, "rpm");
  });

  test("names owners and versions with one rpm call", () => {
    const { host, calls } = countingHost(root);
    const paths = [
      "/usr/lib64/libalpha.so.1",
      "/usr/lib64/libbeta.so.1",
      "/usr/share/shared/common.conf",
      "/usr/share/beta/with space.txt",
      "/usr/lib64/libalpha.so.1;6543abcd",
      "/usr/lib64/libnobody.so",
      "/usr/lib64",
    ];
    const { index, warnings } = rpm.lookup(host, paths, false);
    assert.deepEqual(warnings, []);
    assert.deepEqual(index.owners, {
      "/usr/lib64/libalpha.so.1": ["alpha.noarch"],
      "/usr/lib64/libbeta.so.1": ["beta.noarch"],
      "/usr/share/shared/common.conf": ["alpha.noarch", "beta.noarch"],
      "/usr/share/beta/with space.txt": ["beta.noarch"],
      "/usr/lib64/libalpha.so.1;6543abcd": ["alpha.noarch"],
      "/usr/lib64/libnobody.so": [],
      "/usr/lib64": [],
    });
    assert.deepEqual(index.packages, {
      "alpha.noarch": {
        name: "alpha",
        arch: "noarch",
        version: "1:1.1-1",
        previousVersion: "1.0-1",
        upgradedAt: "2024-05-01T10:00:00+0000",
      },
      "beta.noarch": {
        name: "beta",
        arch: "noarch",
        version: "2.0-1",
        previousVersion: null,
        upgradedAt: null,
      },
    });
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.program, RPM_PROGRAM);
    assert.deepEqual(calls[0]!.args, rpmQueryArgs(root, DBPATH, [...paths.slice(0, 4), ...paths.slice(5)]));
  });

  test("does not ask rpm about a path that is not UTF-8, and says so", () => {
    const { host, calls } = countingHost(root);
    const { index, warnings } = rpm.lookup(host, ["/usr/lib64/lib\xff.so", "/usr/lib64/libbeta.so.1"], false);
    assert.deepEqual(index.owners, { "/usr/lib64/libbeta.so.1": ["beta.noarch"] });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!.message, /not asked of rpm/);
    assert.equal(calls[0]!.args.includes("/usr/lib64/lib\xff.so"), false);
  });

  test("starts nothing when there is nothing to look up", () => {
    const { host, calls } = countingHost(root);
    assert.deepEqual(rpm.lookup(host, [], false), {
      index: { manager: "rpm", owners: {}, packages: {} },
      warnings: [],
    });
    assert.equal(calls.length, 0);
  });

  test("leaves paths undecided and warns when the database cannot be read", () => {
    const { host } = countingHost(root);
    const broken: Host = {
      ...host,
      run: () => ({
        status: 1,
        stdout: Buffer.alloc(0),
        stderr: Buffer.from("error: cannot open Packages database in /var/lib/rpm\n"),
        error: null,
      }),
    };
    const { index, warnings } = rpm.lookup(broken, ["/usr/lib64/libalpha.so.1"], false);
    assert.deepEqual(index.owners, {});
    assert.match(warnings[0]!.message, /cannot open Packages database/);
  });
});

describe("rpm detection", () => {
  test("is not fooled by rpm tools on a Debian host", () => {
    assert.equal(detectPackageManager(realHost(fixturePath("dpkg-tree")))?.name, "dpkg");
    assert.equal(rpm.detect(realHost(fixturePath("dpkg-tree"))), false);
  });
});

describe("Host.run", () => {
  test("refuses any program that is not on its list", () => {
    const host = realHost("/");
    assert.throws(() => host.run("/bin/sh", ["-c", "true"]), /not an allowed program/);
    assert.throws(() => host.run("rpm", ["--version"]), /not an allowed program/);
    assert.throws(() => host.run("/usr/bin/../bin/rpm", ["--version"]), /not an allowed program/);
  });

  test("gives the program an empty environment", { skip: tools ? false : "rpm is not installed" }, () => {
    const r = realHost("/").run("/usr/bin/rpm", ["--eval", "%{lua: print(os.getenv('PATH') or 'none')}"]);
    assert.equal(r.status, 0);
    assert.equal(r.stdout.toString().trim(), "none");
  });
});
