import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { fixturePath } from "../../test/helpers/paths.js";
import { type SpyOptions, spyHost as spyOn } from "../../test/helpers/spy-host.js";
import { type Host, readingOnce, realHost } from "../collect/host.js";
import type { ByteString } from "../model/bytes.js";
import type { PackageInfo } from "../model/snapshot.js";
import { diversionTable, listedNamesFor, ownersOnDisk, parseDiversions } from "../pkgdb/dpkg-diversions.js";
import { findOwners, type ListFile, usrMergeSpellings } from "../pkgdb/dpkg-list.js";
import { dpkg } from "./dpkg.js";
import { detectPackageManager } from "./packages.js";

// A root holding real dpkg database files of a Debian 12 host, trimmed (test/fixtures/dpkg/README.md).
const TREE = fixturePath("dpkg-tree");

/** The fixture root, reads recorded (test/helpers/spy-host.ts). */
const spyHost = (opts: SpyOptions = {}) => spyOn(TREE, opts);

const info = (
  name: string,
  arch: string,
  version: string | null,
  previousVersion: string | null = null,
  upgradedAt: string | null = null,
): PackageInfo => ({ name, arch, version, previousVersion, upgradedAt });

describe("dpkg.lookup on a fixture root of real Debian 12 database files", () => {
  const cases: { name: string; path: ByteString; owners: string[]; packages: Record<string, PackageInfo> }[] =
    [
      {
        name: "names libc6:amd64 (Multi-Arch: same) for the /usr path of libc.so.6, with the upgrade from dpkg.log",
        path: "/usr/lib/x86_64-linux-gnu/libc.so.6",
        owners: ["libc6:amd64"],
        packages: {
          "libc6:amd64": info("libc6", "amd64", "2.36-9+deb12u14", "2.36-9+deb12u10", "2026-05-20 16:27:21"),
        },
      },
      {
        name: "names tzdata (Architecture: all, logged as tzdata:all) by its bare key",
        path: "/usr/share/zoneinfo/Europe/Paris",
        owners: ["tzdata"],
        packages: {
          tzdata: info("tzdata", "all", "2025b-0+deb12u2", "2025b-0+deb12u1", "2026-05-09 07:28:46"),
        },
      },
      {
        name: "finds libssl.so.3 by its /lib spelling, though libssl3 lists /usr/lib",
        path: "/lib/x86_64-linux-gnu/libssl.so.3",
        owners: ["libssl3:amd64"],
        packages: {
          "libssl3:amd64": info(
            "libssl3",
            "amd64",
            "3.0.19-1~deb12u2",
            "3.0.16-1~deb12u1",
            "2026-05-09 07:29:04",
          ),
        },
      },
      {
        name: "gives a diverted path to the diverting package only, never upgraded (previous version unknown)",
        path: "/usr/bin/pg_config",
        owners: ["postgresql-common"],
        packages: { "postgresql-common": info("postgresql-common", "all", "248+deb12u1") },
      },
      {
        name: "gives the diverted-to path to the package that ships the original name",
        path: "/usr/bin/pg_config.libpq-dev",
        owners: ["libpq-dev"],
        packages: {
          "libpq-dev": info(
            "libpq-dev",
            "amd64",
            "15.18-0+deb12u1",
            "15.16-0+deb12u1",
            "2026-05-20 16:27:25",
          ),
        },
      },
      {
        name: "finds an upgrade that only the rotated dpkg.log.1 remembers",
        path: "/usr/lib/x86_64-linux-gnu/libsystemd.so.0.35.0",
        owners: ["libsystemd0:amd64"],
        packages: {
          "libsystemd0:amd64": info(
            "libsystemd0",
            "amd64",
            "252.38-1~deb12u1",
            "252.36-1~deb12u1",
            "2025-06-24 14:36:25",
          ),
        },
      },
      {
        name: "names bash, installed once and never upgraded",
        path: "/usr/bin/bash",
        owners: ["bash"],
        packages: { bash: info("bash", "amd64", "5.2.15-2+b8") },
      },
      {
        name: "finds a file of a package neither upgraded lately nor named like the file (full scan)",
        path: "/usr/bin/dpkg-query",
        owners: ["dpkg"],
        packages: { dpkg: info("dpkg", "amd64", "1.21.22") },
      },
      {
        name: "gives a file no package ships no owner",
        path: "/usr/lib/locale/locale-archive",
        owners: [],
        packages: {},
      },
    ];
  for (const c of cases) {
    test(c.name, () => {
      const { host } = spyHost();
      const r = dpkg.lookup(host, [c.path], true);
      assert.deepEqual(r, {
        index: { manager: "dpkg", owners: { [c.path]: c.owners }, packages: c.packages },
        warnings: [],
      });
    });
  }

  test("answers a batch of paths as it answers each alone, reading each file at most once", () => {
    const { host, reads } = spyHost();
    const r = dpkg.lookup(
      host,
      cases.map((c) => c.path),
      true,
    );
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(r.index.owners, Object.fromEntries(cases.map((c) => [c.path, c.owners])));
    assert.deepEqual(r.index.packages, Object.assign({}, ...cases.map((c) => c.packages)));
    assert.deepEqual(
      reads.filter((p, i) => reads.indexOf(p) !== i),
      [],
    );
    assert.ok(
      !reads.some((p) => p.endsWith(".md5sums") || p.endsWith(".postinst")),
      "reads only .list files",
    );
  });

  test("stops at the list of the package named after a library's soname once it names the file", () => {
    const { host, reads } = spyHost();
    const r = dpkg.lookup(host, ["/usr/lib/x86_64-linux-gnu/libc.so.6"], true);
    assert.deepEqual(r.index.owners, { "/usr/lib/x86_64-linux-gnu/libc.so.6": ["libc6:amd64"] });
    assert.deepEqual(
      reads.filter((p) => p.endsWith(".list")),
      ["/var/lib/dpkg/info/libc6:amd64.list"],
    );
  });

  test("reads nothing when there is nothing to look up", () => {
    const { host, reads } = spyHost();
    assert.deepEqual(dpkg.lookup(host, [], true), {
      index: { manager: "dpkg", owners: {}, packages: {} },
      warnings: [],
    });
    assert.deepEqual(reads, []);
  });

  test("leaves the versions an upgrade replaced unknown when no log is there, without a warning", () => {
    const { host } = spyHost({ missing: ["/var/log/dpkg.log", "/var/log/dpkg.log.1"] });
    const r = dpkg.lookup(host, ["/usr/lib/x86_64-linux-gnu/libc.so.6"], true);
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(r.index.packages, { "libc6:amd64": info("libc6", "amd64", "2.36-9+deb12u14") });
  });

  test("ignores a logged upgrade to a version other than the one installed now", () => {
    // As if libc6 had been upgraded again by a run whose log is gone.
    const { host } = spyHost({
      text: {
        "/var/lib/dpkg/status": (s) => s.replace("Version: 2.36-9+deb12u14", "Version: 2.36-9+deb12u15"),
      },
    });
    const r = dpkg.lookup(host, ["/usr/lib/x86_64-linux-gnu/libc.so.6"], true);
    assert.deepEqual(r.index.packages, { "libc6:amd64": info("libc6", "amd64", "2.36-9+deb12u15") });
  });

  test("still names owners when the status file cannot be read, with a pkgdb warning", () => {
    const { host } = spyHost({ missing: ["/var/lib/dpkg/status"] });
    const r = dpkg.lookup(host, ["/usr/lib/x86_64-linux-gnu/libc.so.6"], true);
    assert.deepEqual(r.index.owners, { "/usr/lib/x86_64-linux-gnu/libc.so.6": ["libc6:amd64"] });
    assert.deepEqual(r.index.packages, { "libc6:amd64": info("libc6", "amd64", null) });
    assert.deepEqual(
      r.warnings.map((w) => w.code),
      ["pkgdb"],
    );
    assert.match(r.warnings[0]!.message, /\/var\/lib\/dpkg\/status: ENOENT/);
  });

  test("warns about a list file that vanished between listing and reading, and uses the others", () => {
    const { host } = spyHost({ missing: ["/var/lib/dpkg/info/tzdata.list"] });
    const r = dpkg.lookup(host, ["/usr/share/zoneinfo/Europe/Paris", "/usr/bin/bash"], true);
    assert.deepEqual(r.index.owners, { "/usr/share/zoneinfo/Europe/Paris": [], "/usr/bin/bash": ["bash"] });
    assert.deepEqual(
      r.warnings.map((w) => w.code),
      ["pkgdb"],
    );
    assert.match(r.warnings[0]!.message, /tzdata\.list/);
  });

  test("turns a database that cannot be read at all into a pkgdb warning and no answers", () => {
    const r = dpkg.lookup(realHost(fixturePath("dpkg-tree", "no-such-root")), ["/usr/bin/bash"], true);
    assert.deepEqual(r.index, { manager: "dpkg", owners: {}, packages: {} });
    assert.deepEqual(
      r.warnings.map((w) => w.code),
      ["pkgdb"],
    );
  });
});

describe("dpkg.lookup on a root written by the real dpkg in a scratch directory", () => {
  const host = realHost(fixturePath("dpkg", "scratch"));
  const AT = "2026-11-24 00:20:0";
  const cases: { name: string; path: ByteString; owners: string[]; packages: Record<string, PackageInfo> }[] =
    [
      {
        name: "names both architectures of a Multi-Arch: same package for the file they share",
        path: "/usr/share/doc/afp-lib/README",
        owners: ["afp-lib:amd64", "afp-lib:i386"],
        packages: {
          "afp-lib:amd64": info("afp-lib", "amd64", "2.0-2", "2.0-1", `${AT}3`),
          "afp-lib:i386": info("afp-lib", "i386", "2.0-2", "2.0-1", `${AT}3`),
        },
      },
      {
        name: "names one architecture for its own library",
        path: "/usr/lib/i386-linux-gnu/libafp.so.2",
        owners: ["afp-lib:i386"],
        packages: { "afp-lib:i386": info("afp-lib", "i386", "2.0-2", "2.0-1", `${AT}3`) },
      },
      {
        name: "keeps a reinstall of the same version as the last upgrade",
        path: "/usr/bin/afp-tool",
        owners: ["afp-tool"],
        packages: { "afp-tool": info("afp-tool", "amd64", "1.0-2", "1.0-2", `${AT}4`) },
      },
      {
        name: "follows a crossgrade, logged under the old architecture",
        path: "/usr/bin/afp-crossgrade",
        owners: ["afp-crossgrade"],
        packages: { "afp-crossgrade": info("afp-crossgrade", "amd64", "5-1", "5-1", `${AT}5`) },
      },
      {
        name: "gives no installed version to a removed package whose conffile remains",
        path: "/etc/afp-gone.conf",
        owners: ["afp-gone"],
        packages: { "afp-gone": info("afp-gone", "amd64", null) },
      },
      {
        name: "gives the version of a package unpacked but not configured: its files are on disk",
        path: "/usr/bin/afp-unpacked",
        owners: ["afp-unpacked"],
        packages: { "afp-unpacked": info("afp-unpacked", "amd64", "0.1-1") },
      },
      {
        name: "gives the file at a locally diverted path to nobody",
        path: "/usr/share/afp/data.txt",
        owners: [],
        packages: {},
      },
      {
        name: "gives the target of a local diversion to the package shipping the original, with its epoch",
        path: "/usr/share/afp/data.txt.local",
        owners: ["afp-data"],
        packages: { "afp-data": info("afp-data", "all", "1:3.0-1", "1:3.0~rc1-1", `${AT}3`) },
      },
      {
        name: "gives a package-diverted path to the diverting package",
        path: "/usr/bin/afp-helper",
        owners: ["afp-tool"],
        packages: { "afp-tool": info("afp-tool", "amd64", "1.0-2", "1.0-2", `${AT}4`) },
      },
    ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(dpkg.lookup(host, [c.path], true), {
        index: { manager: "dpkg", owners: { [c.path]: c.owners }, packages: c.packages },
        warnings: [],
      });
    });
  }
});

/** Owners of `paths` the long way: every list, every name, nothing guessed. */
function ownersTheLongWay(host: Host, paths: readonly ByteString[], usrMerged: boolean) {
  const INFO = "/var/lib/dpkg/info";
  const lists: ListFile[] = host
    .readdir(INFO)
    .filter((n) => n.endsWith(".list"))
    .map((n) => ({ key: n.slice(0, -".list".length), content: host.readBuffer(`${INFO}/${n}`) }));
  const table = diversionTable(parseDiversions(host.readText("/var/lib/dpkg/diversions")), usrMerged);
  const listed = findOwners(
    lists,
    paths.flatMap((p) => listedNamesFor(p, table)),
    usrMerged,
  );
  return Object.fromEntries(paths.map((p) => [p, ownersOnDisk(p, (n) => listed.get(n) ?? [], table).sort()]));
}

/** The non-directory paths of all lists under `host` (a line that another line continues is a directory). */
function filePaths(host: Host): ByteString[] {
  const INFO = "/var/lib/dpkg/info";
  const lines = new Set(
    host
      .readdir(INFO)
      .filter((n) => n.endsWith(".list"))
      .flatMap((n) => host.readText(`${INFO}/${n}`).split("\n")),
  );
  const dirs = new Set<string>();
  for (const line of lines) {
    for (let i = line.lastIndexOf("/"); i > 0; i = line.lastIndexOf("/", i - 1)) dirs.add(line.slice(0, i));
  }
  return [...lines].filter((l) => l.startsWith("/") && l !== "/." && !dirs.has(l)).sort();
}

describe("dpkg.initScripts on a fixture root of real Debian 12 database files", () => {
  test("names a program's package and its init scripts, reading only the lists of packages that ship one", () => {
    const { host, reads } = spyHost();
    const got = dpkg.initScripts!(host, ["/usr/bin/pg_ctlcluster", "/usr/local/bin/mine", "/bin/bash"], true);
    assert.deepEqual(got, {
      owners: { "/usr/bin/pg_ctlcluster": ["postgresql-common"] },
      scripts: { "postgresql-common": ["postgresql"] },
    });
    assert.deepEqual(
      reads.filter((p) => p.endsWith(".list")),
      ["/var/lib/dpkg/info/postgresql-common.list"],
    );
  });

  test("reads the status file once for a lookup and an init-script search together (readingOnce)", () => {
    const { host, reads } = spyHost();
    const db = readingOnce(host);
    const found = dpkg.lookup(db, ["/usr/bin/pg_ctlcluster"], true);
    const scripts = dpkg.initScripts!(db, ["/usr/bin/pg_ctlcluster"], true);
    assert.deepEqual(found.index.owners["/usr/bin/pg_ctlcluster"], ["postgresql-common"]);
    assert.deepEqual(scripts.scripts, { "postgresql-common": ["postgresql"] });
    assert.equal(reads.filter((p) => p === "/var/lib/dpkg/status").length, 1);
    // Without it, each reads the file.
    const bare = spyHost();
    dpkg.lookup(bare.host, ["/usr/bin/pg_ctlcluster"], true);
    dpkg.initScripts!(bare.host, ["/usr/bin/pg_ctlcluster"], true);
    assert.equal(bare.reads.filter((p) => p === "/var/lib/dpkg/status").length, 2);
  });

  test("names the package that ships the script named like a program it does not own", () => {
    // As nginx-common ships /etc/init.d/nginx for the nginx binary of another package.
    const got = dpkg.initScripts!(spyHost().host, ["/usr/lib/postgresql/15/bin/postgresql"], true);
    assert.deepEqual(got, {
      owners: { "/etc/init.d/postgresql": ["postgresql-common"] },
      scripts: { "postgresql-common": ["postgresql"] },
    });
  });

  test("answers nothing, without a warning of its own, when the status file cannot be read", () => {
    const { host } = spyHost({ missing: ["/var/lib/dpkg/status"] });
    assert.deepEqual(dpkg.initScripts!(host, ["/usr/bin/pg_ctlcluster"], true), { owners: {}, scripts: {} });
  });
});

describe("dpkg.lookup, where the likely owners are the packages dpkg.log upgraded", () => {
  const root = fixturePath("dpkg", "scratch");
  function lookup(path: ByteString) {
    const { host, reads } = spyOn(root);
    const owners = dpkg.lookup(host, [path], true).index.owners[path];
    const lists = reads.filter((p) => p.endsWith(".list")).map((p) => p.slice(p.lastIndexOf("/") + 1));
    return { owners, lists };
  }

  test("reads the lists of upgraded packages in key order, and none after the owner's", () => {
    const { owners, lists } = lookup("/usr/lib/i386-linux-gnu/libafp.so.2");
    assert.deepEqual(owners, ["afp-lib:i386"]);
    // In key order, up to the owner and its other architecture; not afp-tool, upgraded too but
    // after them; never afp-conf, afp-gone or afp-unpacked, which were only ever installed.
    assert.deepEqual(lists, [
      "afp-cross2.list",
      "afp-crossgrade.list",
      "afp-data.list",
      "afp-lib:amd64.list",
      "afp-lib:i386.list",
    ]);
  });

  test("still reads every architecture of the owner: Multi-Arch: same instances share files", () => {
    const { owners, lists } = lookup("/usr/share/doc/afp-lib/README");
    assert.deepEqual(owners, ["afp-lib:amd64", "afp-lib:i386"]);
    assert.ok(lists.includes("afp-lib:amd64.list") && lists.includes("afp-lib:i386.list"));
  });

  test("searches every list for a diverted name, even once one names it", () => {
    const { owners, lists } = lookup("/usr/bin/afp-helper");
    assert.deepEqual(owners, ["afp-tool"]);
    assert.equal(new Set(lists).size, 10);
  });
});

describe("dpkg.lookup, searching likely owners first, against searching every list", () => {
  for (const [name, root] of [
    ["the Debian 12 fixture root", TREE],
    ["the scratch root", fixturePath("dpkg", "scratch")],
  ] as const) {
    test(`gives the same owners for every file of ${name}, under both /usr spellings`, () => {
      const host = realHost(root);
      const paths = filePaths(host).flatMap((p) => usrMergeSpellings(p, true));
      assert.ok(paths.length > 20);
      assert.deepEqual(dpkg.lookup(host, paths, true).index.owners, ownersTheLongWay(host, paths, true));
    });
  }
});

describe("detectPackageManager", () => {
  test("finds dpkg on a root with a dpkg database", () => {
    assert.equal(detectPackageManager(realHost(TREE))?.name, "dpkg");
  });

  test("finds nothing on a root without one", () => {
    assert.equal(detectPackageManager(realHost(fixturePath("dpkg-tree", "no-such-root"))), null);
  });

  test("does not take a status file without dpkg's own file list for a dpkg system", () => {
    const { host } = spyHost({ missing: ["/var/lib/dpkg/info/dpkg.list"] });
    assert.equal(dpkg.detect(host), false);
  });
});

describe("dpkg.lookup on this machine's own database", () => {
  const skip = existsSync("/var/lib/dpkg/status") ? false : "no /var/lib/dpkg/status here: not a dpkg system";

  test("names the libc6 package of the libc this process maps, at the version dpkg-query reports", {
    skip,
  }, () => {
    const libc = readFileSync("/proc/self/maps", "latin1")
      .split("\n")
      .map((line) => line.slice(line.indexOf("/")))
      .find((path) => /\/libc\.so\.6$/.test(path));
    assert.ok(libc !== undefined, "this process maps a libc.so.6");
    const arch = spawnSync("dpkg", ["--print-architecture"], { encoding: "latin1" }).stdout.trim();
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
    const query = spawnSync("dpkg-query", ["-W", "-f=${Version}", `libc6:${arch}`], { encoding: "latin1" });
    assert.equal(query.status, 0, query.stderr);

    const host = realHost("/");
    const usrMerged = host.stat("/lib")?.ino === host.stat("/usr/lib")?.ino;
    const r = dpkg.lookup(host, [libc], usrMerged);
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(r.index.owners, { [libc]: [`libc6:${arch}`] });
    assert.equal(r.index.packages[`libc6:${arch}`]?.version, query.stdout);
    assert.equal(r.index.packages[`libc6:${arch}`]?.arch, arch);
  });

  test("gives the same owners as searching every list, for 300 of its files and 3 unowned paths", {
    skip,
  }, () => {
    const host = realHost("/");
    const files = filePaths(host);
    const step = Math.max(1, Math.floor(files.length / 300));
    const paths = [
      ...files.filter((_, i) => i % step === 0).slice(0, 300),
      "/usr/lib/locale/locale-archive",
      "/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache",
      "/var/lib/dpkg/status",
    ];
    assert.deepEqual(dpkg.lookup(host, paths, true).index.owners, ownersTheLongWay(host, paths, true));
  });
});
