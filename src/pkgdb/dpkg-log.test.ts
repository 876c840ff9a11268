import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { fixturePath } from "../../test/helpers/paths.js";
import { realHost } from "../collect/host.js";
import { findLastUpgrades, type LogUpgrade } from "./dpkg-log.js";

const read = (dir: string) => realHost(fixturePath("dpkg", dir)).readText("/var/log/dpkg.log");

const upgrade = (logged: string, previousVersion: string, version: string, at: string): LogUpgrade => ({
  previousVersion,
  version,
  at,
  logged,
});

type Case = { name: string; key: string; want: LogUpgrade | undefined };

function table(title: string, text: string, cases: Case[]): void {
  describe(title, () => {
    for (const c of cases) {
      test(c.name, () => {
        assert.deepEqual(findLastUpgrades(text, [c.key]).get(c.key), c.want);
      });
    }
    test("answers a batch of keys the same as one at a time", () => {
      const batch = findLastUpgrades(
        text,
        cases.map((c) => c.key),
      );
      assert.deepEqual(
        cases.map((c) => batch.get(c.key)),
        cases.map((c) => c.want),
      );
    });
  });
}

table("findLastUpgrades on the dpkg.log of a Debian 12 host", read("debian12"), [
  {
    name: "finds a Multi-Arch: same package by name:arch",
    key: "libc6:amd64",
    want: upgrade("libc6:amd64", "2.36-9+deb12u10", "2.36-9+deb12u14", "2026-05-20 16:27:21"),
  },
  {
    name: "finds a package by its bare name under the architecture the log adds",
    key: "libpq-dev",
    want: upgrade("libpq-dev:amd64", "15.16-0+deb12u1", "15.18-0+deb12u1", "2026-05-20 16:27:25"),
  },
  {
    name: "finds an Architecture: all package logged as name:all",
    key: "tzdata",
    want: upgrade("tzdata:all", "2025b-0+deb12u1", "2025b-0+deb12u2", "2026-05-09 07:28:46"),
  },
  {
    name: "takes gpg's own line, not gpgv's before it nor gpg-agent's after it",
    key: "gpg",
    want: upgrade("gpg:amd64", "2.2.40-1.1", "2.2.40-1.1+deb12u2", "2026-05-09 07:29:05"),
  },
  {
    name: "takes the upgrade, not the install before it",
    key: "libssl3:amd64",
    want: upgrade("libssl3:amd64", "3.0.16-1~deb12u1", "3.0.19-1~deb12u2", "2026-05-09 07:29:04"),
  },
  {
    name: "keeps an epoch in both versions",
    key: "libcap2:amd64",
    want: upgrade("libcap2:amd64", "1:2.66-4+deb12u1", "1:2.66-4+deb12u2+b2", "2026-05-09 07:29:02"),
  },
  { name: "finds nothing for a package only ever installed", key: "postgresql-common", want: undefined },
  { name: "finds nothing for another architecture", key: "libc6:i386", want: undefined },
  { name: "finds nothing for a prefix of a logged name", key: "libc", want: undefined },
]);

table("findLastUpgrades on a dpkg.log written by dpkg in a scratch root", read("scratch"), [
  {
    name: "keeps a reinstall of the same version (OLD == NEW), the last upgrade",
    key: "afp-tool",
    want: upgrade("afp-tool:amd64", "1.0-2", "1.0-2", "2026-11-24 00:20:04"),
  },
  {
    name: "finds each architecture of a Multi-Arch: same package apart",
    key: "afp-lib:i386",
    want: upgrade("afp-lib:i386", "2.0-1", "2.0-2", "2026-11-24 00:20:03"),
  },
  {
    name: "finds a crossgrade, which dpkg logs under the old architecture, by the bare name",
    key: "afp-crossgrade",
    want: upgrade("afp-crossgrade:i386", "5-1", "5-1", "2026-11-24 00:20:05"),
  },
  {
    name: "finds nothing for a crossgraded package's new architecture (dpkg logged the old one)",
    key: "afp-crossgrade:amd64",
    want: undefined,
  },
  {
    name: "finds an upgrade across an epoch and a tilde",
    key: "afp-data",
    want: upgrade("afp-data:all", "1:3.0~rc1-1", "1:3.0-1", "2026-11-24 00:20:03"),
  },
  { name: "finds nothing for a package installed then removed", key: "afp-gone", want: undefined },
]);

table(
  "findLastUpgrades on damaged and old-style lines",
  [
    "2011-02-01 10:00:00 upgrade bash 4.1-3 4.2-1", // dpkg before multiarch logged no architecture
    "2024-01-01 10:00:00 conffile /etc/x upgrade zsh:amd64 1 2 keep", // " upgrade " inside another field
    "2024-01-02 10:00:00 upgrade zsh:amd64 5.9-4", // cut short
    "2024-01-03 10:00:00 upgrade dash:amd64 0.5.12-1 0.5.12-2",
    "2024-01-03 10:00:01 upgrade dash:amd64 0.5.12-2 0.5.12-",
  ].join("\n"),
  [
    {
      name: "matches a line without architecture by a name:arch key",
      key: "bash:amd64",
      want: upgrade("bash", "4.1-3", "4.2-1", "2011-02-01 10:00:00"),
    },
    {
      name: "matches a line without architecture by the bare name",
      key: "bash",
      want: upgrade("bash", "4.1-3", "4.2-1", "2011-02-01 10:00:00"),
    },
    { name: "ignores ' upgrade ' that is not the action and a line cut short", key: "zsh", want: undefined },
    {
      name: "reads the last line even without a final newline",
      key: "dash",
      want: upgrade("dash:amd64", "0.5.12-2", "0.5.12-", "2024-01-03 10:00:01"),
    },
  ],
);

describe("findLastUpgrades (property)", () => {
  const line = fc.record({
    day: fc.integer({ min: 10, max: 28 }),
    action: fc.constantFrom("upgrade", "install", "configure", "remove", "status installed"),
    name: fc.constantFrom("a", "ab", "a-b", "libz1"),
    arch: fc.constantFrom("amd64", "i386", "all"),
    old: fc.constantFrom("1", "2", "<none>"),
    new: fc.constantFrom("2", "3", "1:3"),
  });

  test("returns, for every name:arch, its last upgrade line and nothing else", () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), (lines) => {
        const text = lines
          .map((l) => `2024-01-${l.day} 12:00:00 ${l.action} ${l.name}:${l.arch} ${l.old} ${l.new}`)
          .join("\n");
        const keys = [...new Set(lines.map((l) => `${l.name}:${l.arch}`))];
        const got = findLastUpgrades(text, keys);
        for (const key of keys) {
          const last = lines.filter((l) => l.action === "upgrade" && `${l.name}:${l.arch}` === key).pop();
          const want =
            last === undefined ? undefined : upgrade(key, last.old, last.new, `2024-01-${last.day} 12:00:00`);
          assert.deepEqual(got.get(key), want);
        }
      }),
      { numRuns: 500 },
    );
  });
});
