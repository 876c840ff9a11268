import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { fixturePath } from "../../test/helpers/paths.js";
import { realHost } from "../collect/host.js";
import { findStatusEntries, hasFilesOnDisk, initScriptPackages, type StatusEntry } from "./dpkg-status.js";

const read = (dir: string) => realHost(fixturePath("dpkg", dir)).readText("/var/lib/dpkg/status");

const entry = (
  name: string,
  arch: string,
  multiArch: string | null,
  version: string,
  status = "install ok installed",
): StatusEntry => ({ name, arch, multiArch, version, status });

describe("findStatusEntries on the status file of a Debian 12 host", () => {
  const text = read("debian12");
  const cases: { name: string; key: string; want: StatusEntry | undefined }[] = [
    {
      name: "finds a Multi-Arch: same package by name:arch",
      key: "libc6:amd64",
      want: entry("libc6", "amd64", "same", "2.36-9+deb12u14"),
    },
    {
      name: "finds the first stanza of the file, which no newline precedes",
      key: "bash",
      want: entry("bash", "amd64", "foreign", "5.2.15-2+b8"),
    },
    {
      name: "finds an Architecture: all package by its bare name (the last stanza)",
      key: "tzdata",
      want: entry("tzdata", "all", "foreign", "2025b-0+deb12u2"),
    },
    {
      name: "finds a package whose name is a prefix of the next one's",
      key: "libcap2:amd64",
      want: entry("libcap2", "amd64", "same", "1:2.66-4+deb12u2+b2"),
    },
    {
      name: "finds the longer name, not its prefix",
      key: "libcap2-bin",
      want: entry("libcap2-bin", "amd64", "foreign", "1:2.66-4+deb12u2+b2"),
    },
    {
      name: "finds a package without a Multi-Arch field",
      key: "libpq-dev",
      want: entry("libpq-dev", "amd64", null, "15.18-0+deb12u1"),
    },
    { name: "finds nothing for an architecture that is not installed", key: "libc6:i386", want: undefined },
    { name: "finds nothing for a prefix of a package name", key: "libc", want: undefined },
    { name: "finds nothing for an unknown package", key: "no-such-package", want: undefined },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(findStatusEntries(text, [c.key]).get(c.key), c.want);
    });
  }

  test("answers a batch of keys the same as one at a time", () => {
    const keys = cases.map((c) => c.key);
    const batch = findStatusEntries(text, keys);
    assert.deepEqual(
      keys.map((k) => batch.get(k)),
      cases.map((c) => c.want),
    );
  });
});

describe("findStatusEntries on a status file written by dpkg in a scratch root", () => {
  const text = read("scratch");
  const cases: { name: string; key: string; want: StatusEntry | undefined }[] = [
    {
      name: "picks the architecture asked for when a name has two stanzas",
      key: "afp-conf:amd64",
      want: entry("afp-conf", "amd64", "same", "4.1-1"),
    },
    {
      name: "returns the removed architecture's stanza as it is (config-files)",
      key: "afp-conf:i386",
      want: entry("afp-conf", "i386", "same", "4.1-1", "deinstall ok config-files"),
    },
    {
      name: "picks the installed stanza for a bare name that has two",
      key: "afp-conf",
      want: entry("afp-conf", "amd64", "same", "4.1-1"),
    },
    {
      name: "returns a removed package (config-files) with the version of its remaining conffiles",
      key: "afp-gone",
      want: entry("afp-gone", "amd64", null, "0.9-1", "deinstall ok config-files"),
    },
    {
      name: "returns a package unpacked but not configured",
      key: "afp-unpacked",
      want: entry("afp-unpacked", "amd64", null, "0.1-1", "install ok unpacked"),
    },
    {
      name: "keeps the epoch of a version",
      key: "afp-data",
      want: entry("afp-data", "all", "foreign", "1:3.0-1"),
    },
    {
      name: "finds a crossgraded package under its new architecture only",
      key: "afp-crossgrade",
      want: entry("afp-crossgrade", "amd64", null, "5-1"),
    },
    { name: "finds nothing under the architecture it left", key: "afp-crossgrade:i386", want: undefined },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(findStatusEntries(text, [c.key]).get(c.key), c.want);
    });
  }
});

describe("initScriptPackages", () => {
  test("names the package shipping an init script on a Debian 12 host, from its conffiles", () => {
    assert.deepEqual([...initScriptPackages(read("debian12"))], [["postgresql-common", ["postgresql"]]]);
  });

  // Stanzas as dpkg writes them (Status, Conffiles with md5sums), one property changed at a time.
  const stanza = (over: { name?: string; status?: string; multiArch?: string; conffiles: string[] }) =>
    [
      `Package: ${over.name ?? "openssh-server"}`,
      `Status: ${over.status ?? "install ok installed"}`,
      "Architecture: amd64",
      ...(over.multiArch === undefined ? [] : [`Multi-Arch: ${over.multiArch}`]),
      "Version: 1:9.2p1-2+deb12u3",
      "Conffiles:",
      ...over.conffiles.map((c) => ` ${c}`),
      "Description: secure shell (SSH) server",
      " OpenBSD Secure Shell server.",
    ].join("\n");
  const cases: { name: string; text: string; want: [string, string[]][] }[] = [
    {
      name: "takes each script once, in the order dpkg lists them, beside other conffiles",
      text: stanza({
        conffiles: [
          "/etc/default/ssh 500e3cf069fe9a7b9936108eb9d9c035",
          "/etc/init.d/ssh 3649a6fe8c18ad1d5245fd91737de507",
          "/etc/init.d/ssh-keys 3649a6fe8c18ad1d5245fd91737de507",
        ],
      }),
      want: [["openssh-server", ["ssh", "ssh-keys"]]],
    },
    {
      name: "leaves out a script the package no longer ships (obsolete)",
      text: stanza({ conffiles: ["/etc/init.d/ssh 3649a6fe8c18ad1d5245fd91737de507 obsolete"] }),
      want: [],
    },
    {
      name: "keeps a script to be removed on the next upgrade: it is still there",
      text: stanza({ conffiles: ["/etc/init.d/ssh 3649a6fe8c18ad1d5245fd91737de507 remove-on-upgrade"] }),
      want: [["openssh-server", ["ssh"]]],
    },
    {
      name: "leaves out a removed package whose conffiles remain (config-files)",
      text: stanza({
        status: "deinstall ok config-files",
        conffiles: ["/etc/init.d/ssh 3649a6fe8c18ad1d5245fd91737de507"],
      }),
      want: [],
    },
    {
      name: "keys a Multi-Arch: same package by name:arch, as its .list file is named",
      text: stanza({ name: "libfoo1", multiArch: "same", conffiles: ["/etc/init.d/foo 00"] }),
      want: [["libfoo1:amd64", ["foo"]]],
    },
    {
      name: "finds the stanza of each script among several",
      text: [
        stanza({ name: "cron", conffiles: ["/etc/init.d/cron 4824366b523de668591f5b6e258c7043"] }),
        stanza({ name: "tzdata", conffiles: ["/etc/timezone 00"] }),
        stanza({ name: "nginx-common", conffiles: ["/etc/init.d/nginx 290f6f12a12bc8e882bc5af46c1bfe7c"] }),
      ].join("\n\n"),
      want: [
        ["cron", ["cron"]],
        ["nginx-common", ["nginx"]],
      ],
    },
    {
      name: "ignores a file under /etc/init.d/ that is not a script name, and paths elsewhere",
      text: stanza({ conffiles: ["/etc/init.d/.hidden 00", "/etc/init.d/sub/x 00", "/etc/rc.local 00"] }),
      want: [],
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual([...initScriptPackages(c.text)], c.want));
});

describe("hasFilesOnDisk", () => {
  const cases: [string, boolean][] = [
    ["install ok installed", true],
    ["hold ok installed", true],
    ["install ok unpacked", true],
    ["install reinstreq half-installed", true],
    ["install ok half-configured", true],
    ["install ok triggers-pending", true],
    ["install ok triggers-awaited", true],
    ["deinstall ok config-files", false],
    ["purge ok not-installed", false],
  ];
  for (const [status, want] of cases) {
    test(`says ${want ? "yes" : "no"} for "${status}"`, () => assert.equal(hasFilesOnDisk(status), want));
  }
});

describe("findStatusEntries (property)", () => {
  const stanza = fc.record({
    name: fc.constantFrom("a", "ab", "ab-c", "libx1", "libx1-dev"),
    arch: fc.constantFrom("amd64", "i386", "all"),
    status: fc.constantFrom("install ok installed", "deinstall ok config-files", "install ok unpacked"),
    version: fc.constantFrom("1", "1:2.0-1", "2~rc1"),
    multiArch: fc.constantFrom(null, "same", "foreign"),
    description: fc.constantFrom("", "Package: ab\n", "Status: purge ok not-installed\n"),
  });
  const render = (s: {
    name: string;
    arch: string;
    status: string;
    version: string;
    multiArch: string | null;
    description: string;
  }) =>
    `Package: ${s.name}\nStatus: ${s.status}\nPriority: optional\nArchitecture: ${s.arch}\n` +
    (s.multiArch === null ? "" : `Multi-Arch: ${s.multiArch}\n`) +
    `Version: ${s.version}\nDescription: test\n${s.description
      .split("\n")
      .filter(Boolean)
      .map((l) => ` ${l}\n`)
      .join("")}`;

  test("finds each name:arch stanza exactly as written, whatever the neighbours", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(stanza, { selector: (s) => `${s.name}:${s.arch}`, maxLength: 8 }),
        (stanzas) => {
          const text = stanzas.map(render).join("\n");
          const keys = stanzas.map((s) => `${s.name}:${s.arch}`);
          const got = findStatusEntries(text, keys);
          for (const s of stanzas) {
            const { description: _, ...want } = s;
            assert.deepEqual(got.get(`${s.name}:${s.arch}`), want);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  test("answers a bare name with a stanza of that name, an installed one when there is one", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(stanza, { selector: (s) => `${s.name}:${s.arch}`, maxLength: 8 }),
        (stanzas) => {
          const text = stanzas.map(render).join("\n");
          const names = [...new Set(stanzas.map((s) => s.name))];
          const got = findStatusEntries(text, names);
          for (const name of names) {
            const same = stanzas.filter((s) => s.name === name);
            const e = got.get(name);
            assert.ok(e !== undefined && e.name === name);
            if (same.some((s) => s.status.endsWith(" installed"))) assert.match(e.status, / installed$/);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
