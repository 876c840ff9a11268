import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fixturePath } from "../../test/helpers/paths.js";
import { realHost } from "../collect/host.js";
import type { ByteString } from "../model/bytes.js";
import {
  type Diversion,
  diversionTable,
  listedNamesFor,
  ownersOnDisk,
  parseDiversions,
} from "./dpkg-diversions.js";
import { findOwners, type ListFile } from "./dpkg-list.js";

const read = (dir: string, path: string) => realHost(fixturePath("dpkg", dir)).readText(path);

describe("parseDiversions", () => {
  test("reads the diversions file of a Debian 12 host", () => {
    assert.deepEqual(parseDiversions(read("debian12", "/var/lib/dpkg/diversions")), [
      {
        from: "/usr/share/man/man1/perf.1.gz",
        to: "/usr/share/man/man1/perf.wrapper.1.gz",
        by: "linux-perf",
      },
      {
        from: "/usr/share/bash-completion/completions/perf",
        to: "/usr/share/bash-completion/completions/perf.wrapper",
        by: "linux-perf",
      },
      { from: "/usr/bin/pg_config", to: "/usr/bin/pg_config.libpq-dev", by: "postgresql-common" },
      { from: "/usr/share/man/man1/sh.1.gz", to: "/usr/share/man/man1/sh.distrib.1.gz", by: "dash" },
      {
        from: "/usr/share/vim/vim90/doc/help.txt",
        to: "/usr/share/vim/vim90/doc/help.txt.vim-tiny",
        by: "vim-runtime",
      },
      {
        from: "/usr/share/vim/vim90/doc/tags",
        to: "/usr/share/vim/vim90/doc/tags.vim-tiny",
        by: "vim-runtime",
      },
      { from: "/usr/bin/perf", to: "/usr/bin/perf.wrapper", by: "linux-perf" },
      { from: "/bin/sh", to: "/bin/sh.distrib", by: "dash" },
    ]);
  });

  test("reads a local diversion (made by the administrator) as by: null", () => {
    assert.deepEqual(parseDiversions(read("scratch", "/var/lib/dpkg/diversions")), [
      { from: "/usr/share/afp/data.txt", to: "/usr/share/afp/data.txt.local", by: null },
      { from: "/usr/bin/afp-helper", to: "/usr/bin/afp-helper.distrib", by: "afp-tool" },
    ]);
  });

  const malformed: [string, string][] = [
    ["an empty file", ""],
    ["a file without its final newline", "/a\n/a.distrib\npkg"],
  ];
  for (const [name, text] of malformed) {
    test(`accepts ${name}`, () => {
      assert.equal(parseDiversions(text).length, text === "" ? 0 : 1);
    });
  }

  test("refuses a file cut in the middle of a record", () => {
    assert.throws(() => parseDiversions("/a\n/a.distrib\npkg\n/b\n"), /not a multiple of 3/);
  });
});

/** Owners on disk for `paths`, the way the dpkg adapter asks: list names first, then diversions. */
function ownersOf(dir: string, paths: ByteString[], usrMerged: boolean): Record<ByteString, string[]> {
  const host = realHost(fixturePath("dpkg", dir));
  const lists: ListFile[] = host
    .readdir("/var/lib/dpkg/info")
    .filter((n) => n.endsWith(".list"))
    .sort()
    .map((n) => ({ key: n.slice(0, -".list".length), content: host.readBuffer(`/var/lib/dpkg/info/${n}`) }));
  const table = diversionTable(parseDiversions(host.readText("/var/lib/dpkg/diversions")), usrMerged);
  const listed = findOwners(
    lists,
    paths.flatMap((p) => listedNamesFor(p, table)),
    usrMerged,
  );
  return Object.fromEntries(paths.map((p) => [p, ownersOnDisk(p, (n) => listed.get(n) ?? [], table)]));
}

describe("ownersOnDisk", () => {
  const cases: { name: string; dir: string; path: ByteString; want: string[] }[] = [
    {
      name: "gives a diverted path to the diverting package alone, though two lists name it",
      dir: "debian12",
      path: "/usr/bin/pg_config",
      want: ["postgresql-common"],
    },
    {
      name: "gives the diverted-to path to the package that ships the original name",
      dir: "debian12",
      path: "/usr/bin/pg_config.libpq-dev",
      want: ["libpq-dev"],
    },
    {
      name: "gives dash's /bin/sh to dash, by its /usr spelling too",
      dir: "debian12",
      path: "/usr/bin/sh",
      want: ["dash"],
    },
    {
      name: "gives a diverted-to path nobody else ships to nobody",
      dir: "debian12",
      path: "/bin/sh.distrib",
      want: [],
    },
    {
      name: "leaves paths without a diversion to the lists that name them",
      dir: "debian12",
      path: "/usr/lib/x86_64-linux-gnu/libc.so.6",
      want: ["libc6:amd64"],
    },
    {
      name: "gives a locally diverted path to nobody: every package's file went elsewhere",
      dir: "scratch",
      path: "/usr/share/afp/data.txt",
      want: [],
    },
    {
      name: "gives the target of a local diversion to the package that ships the original",
      dir: "scratch",
      path: "/usr/share/afp/data.txt.local",
      want: ["afp-data"],
    },
    {
      name: "gives a package-diverted path to the diverting package (dpkg -S would also name afp-data)",
      dir: "scratch",
      path: "/usr/bin/afp-helper",
      want: ["afp-tool"],
    },
    {
      name: "gives its target to the other package",
      dir: "scratch",
      path: "/usr/bin/afp-helper.distrib",
      want: ["afp-data"],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(ownersOf(c.dir, [c.path], true), { [c.path]: c.want });
    });
  }

  test("compares a diversion's package with the name part of a Multi-Arch key", () => {
    const d: Diversion = {
      from: "/usr/lib/x/libfoo.so.1",
      to: "/usr/lib/x/libfoo.so.1.real",
      by: "foo-shim",
    };
    const table = diversionTable([d], false);
    const listed = (name: ByteString) =>
      name === d.from ? ["foo-shim:amd64", "libfoo1:amd64", "libfoo1:i386"] : [];
    assert.deepEqual(ownersOnDisk(d.from, listed, table), ["foo-shim:amd64"]);
    assert.deepEqual(ownersOnDisk(d.to, listed, table), ["libfoo1:amd64", "libfoo1:i386"]);
  });

  test("asks the lists about the original name only for a diverted-to path", () => {
    const table = diversionTable(parseDiversions(read("debian12", "/var/lib/dpkg/diversions")), true);
    assert.deepEqual(listedNamesFor("/usr/bin/pg_config.libpq-dev", table), [
      "/usr/bin/pg_config.libpq-dev",
      "/usr/bin/pg_config",
    ]);
    assert.deepEqual(listedNamesFor("/usr/bin/pg_config", table), ["/usr/bin/pg_config"]);
    assert.deepEqual(listedNamesFor("/usr/bin/sh.distrib", table), ["/usr/bin/sh.distrib", "/bin/sh"]);
  });
});
