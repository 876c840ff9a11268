import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { fixturePath } from "../../test/helpers/paths.js";
import { realHost } from "../collect/host.js";
import type { ByteString } from "../model/bytes.js";
import { findOwners, type ListFile, usrMergeShortSpelling, usrMergeSpellings } from "./dpkg-list.js";

// Real .list files of a Debian 12 host (see test/fixtures/dpkg/README.md), read through the Host seam.
const fixture = realHost(fixturePath("dpkg", "debian12"));
const realLists: ListFile[] = fixture
  .readdir("/var/lib/dpkg/info")
  .filter((n) => n.endsWith(".list"))
  .sort()
  .map((n) => ({ key: n.slice(0, -".list".length), content: fixture.readBuffer(`/var/lib/dpkg/info/${n}`) }));
const ALL = realLists.map((l) => l.key);

/** A UTF-8 file name as the byte string the kernel would show (one char per byte). */
const bytes = (utf8: string): ByteString => Buffer.from(utf8, "utf8").toString("latin1");

describe("findOwners on the .list files of a Debian 12 host", () => {
  const cases: { name: string; path: ByteString; usrMerged: boolean; want: string[] }[] = [
    {
      name: "finds libc.so.6 by the /usr path the kernel shows, though libc6 lists it under /lib",
      path: "/usr/lib/x86_64-linux-gnu/libc.so.6",
      usrMerged: true,
      want: ["libc6:amd64"],
    },
    {
      name: "does not alias /usr/lib to /lib on a host without /usr-merge",
      path: "/usr/lib/x86_64-linux-gnu/libc.so.6",
      usrMerged: false,
      want: [],
    },
    {
      name: "finds a path as listed without any aliasing",
      path: "/lib/x86_64-linux-gnu/libc.so.6",
      usrMerged: false,
      want: ["libc6:amd64"],
    },
    {
      name: "finds libssl.so.3 by its /lib spelling, though libssl3 lists it under /usr/lib",
      path: "/lib/x86_64-linux-gnu/libssl.so.3",
      usrMerged: true,
      want: ["libssl3:amd64"],
    },
    {
      name: "aliases /usr/lib64 to /lib64 (the dynamic loader)",
      path: "/usr/lib64/ld-linux-x86-64.so.2",
      usrMerged: true,
      want: ["libc6:amd64"],
    },
    { name: "aliases /usr/bin to /bin", path: "/usr/bin/dash", usrMerged: true, want: ["dash"] },
    {
      name: "returns every list naming a path (pg_config is in two: a diversion separates them on disk)",
      path: "/usr/bin/pg_config",
      usrMerged: true,
      want: ["libpq-dev", "postgresql-common"],
    },
    {
      name: "returns every package sharing a directory",
      path: "/usr/share/doc",
      usrMerged: true,
      want: ALL,
    },
    {
      name: "matches the first line of a file, which no newline precedes",
      path: "/.",
      usrMerged: true,
      want: ALL,
    },
    {
      name: "matches a file name that is UTF-8 bytes",
      path: bytes("/usr/share/ca-certificates/mozilla/NetLock_Arany_=Class_Gold=_Főtanúsítvány.crt"),
      usrMerged: true,
      want: ["ca-certificates"],
    },
    {
      name: "does not match the same name decoded as latin1 text",
      path: "/usr/share/ca-certificates/mozilla/NetLock_Arany_=Class_Gold=_Főtanúsítvány.crt",
      usrMerged: true,
      want: [],
    },
    {
      name: "finds nobody for a generated file",
      path: "/usr/lib/locale/locale-archive",
      usrMerged: true,
      want: [],
    },
    {
      name: "does not match a line that only starts with the path",
      path: "/lib/x86_64-linux-gnu/libc.so",
      usrMerged: true,
      want: [],
    },
    {
      name: "does not match a line that only ends with the path",
      path: "/x86_64-linux-gnu/libc.so.6",
      usrMerged: true,
      want: [],
    },
    {
      name: "does not alias directories usrmerge leaves alone (/usr/share is no /share)",
      path: "/share/doc/dash/copyright",
      usrMerged: true,
      want: [],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const got = findOwners(realLists, [c.path], c.usrMerged);
      assert.deepEqual([...got], [[c.path, c.want]]);
    });
  }

  test("answers for every path of a batch, the same as one at a time", () => {
    const paths = cases.filter((c) => c.usrMerged).map((c) => c.path);
    const batch = findOwners(realLists, paths, true);
    assert.deepEqual(
      [...batch],
      paths.map((p) => [p, findOwners(realLists, [p], true).get(p)]),
    );
  });

  test("answers for both spellings of one file asked in the same batch", () => {
    const got = findOwners(realLists, ["/usr/bin/sh", "/bin/sh"], true);
    assert.deepEqual(
      [...got],
      [
        ["/usr/bin/sh", ["dash"]],
        ["/bin/sh", ["dash"]],
      ],
    );
  });

  test("matches the last line of a list that lacks its final newline", () => {
    const dash = realLists.find((l) => l.key === "dash")!;
    const trimmed = dash.content.subarray(0, dash.content.length - 1);
    const lastLine = trimmed.toString("latin1").split("\n").pop()!;
    assert.equal(lastLine, "/usr/share/man/man1/sh.1.gz");
    const got = findOwners([{ key: "dash", content: trimmed }], [lastLine, "/usr/share/man/man1/sh.1"], true);
    assert.deepEqual(
      [...got],
      [
        [lastLine, ["dash"]],
        ["/usr/share/man/man1/sh.1", []],
      ],
    );
  });
});

describe("usrMergeSpellings", () => {
  const cases: [ByteString, boolean, ByteString[]][] = [
    [
      "/usr/lib/x86_64-linux-gnu/libc.so.6",
      true,
      ["/usr/lib/x86_64-linux-gnu/libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6"],
    ],
    [
      "/lib/x86_64-linux-gnu/libc.so.6",
      true,
      ["/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6"],
    ],
    ["/usr/sbin/sshd", true, ["/usr/sbin/sshd", "/sbin/sshd"]],
    ["/usr/libx32/x", true, ["/usr/libx32/x", "/libx32/x"]],
    ["/lib32/x", true, ["/lib32/x", "/usr/lib32/x"]],
    ["/usr/lib/x86_64-linux-gnu/libc.so.6", false, ["/usr/lib/x86_64-linux-gnu/libc.so.6"]],
    ["/usr/share/doc/x", true, ["/usr/share/doc/x"]],
    ["/usr/libexec/x", true, ["/usr/libexec/x"]],
    ["/library/x", true, ["/library/x"]],
    ["/usr/lib", true, ["/usr/lib"]],
    ["/etc/passwd", true, ["/etc/passwd"]],
  ];
  for (const [path, merged, want] of cases) {
    test(`spells ${path} as ${want.join(" and ")}${merged ? "" : " on an unmerged host"}`, () => {
      assert.deepEqual(usrMergeSpellings(path, merged), want);
    });
  }
});

describe("findOwners against splitting every line (property)", () => {
  // Paths from a tiny alphabet so that lists share prefixes, suffixes and both /usr spellings.
  const segment = fc.constantFrom("usr", "lib", "bin", "lib64", "x", "ab", "a", "b.so.1", "\u00e9");
  const path = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => `/${s.join("/")}`);
  const list = fc.record({
    lines: fc.array(path, { maxLength: 8 }),
    finalNewline: fc.boolean(),
  });

  test("finds exactly the lists with a line equal to the path or, when merged, its other spelling", () => {
    fc.assert(
      fc.property(
        fc.array(list, { maxLength: 5 }),
        fc.array(path, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        (ls, paths, merged) => {
          const lists = ls.map((l, i) => ({
            key: `p${i}`,
            content: Buffer.from(
              l.lines.join("\n") + (l.finalNewline && l.lines.length > 0 ? "\n" : ""),
              "latin1",
            ),
          }));
          const got = findOwners(lists, paths, merged);
          for (const p of paths) {
            const spellings = usrMergeSpellings(p, merged);
            const want = ls.flatMap((l, i) =>
              l.lines.some((line) => spellings.includes(line)) ? [`p${i}`] : [],
            );
            assert.deepEqual(got.get(p), want, p);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  test("the short spelling never starts with /usr/ and round-trips", () => {
    fc.assert(
      fc.property(path, (p) => {
        const short = usrMergeShortSpelling(p);
        if (short === null) return;
        assert.ok(!short.startsWith("/usr/"));
        assert.ok(p === short || p === `/usr${short}`);
      }),
    );
  });
});
