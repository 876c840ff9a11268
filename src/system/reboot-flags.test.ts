import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { debianFlag, parseRebootNeeded, parseRebootRequiredPkgs, suseFlag } from "./reboot-flags.js";
import { systemdVersionFromMaps, systemdVersionFromName } from "./systemd-version.js";

describe("parseRebootRequiredPkgs", () => {
  it("lists each package once, in first-mention order", () => {
    assert.deepEqual(
      parseRebootRequiredPkgs("linux-image-6.1.0-20-amd64\nlibc6\nlinux-image-6.1.0-20-amd64\n\n"),
      ["linux-image-6.1.0-20-amd64", "libc6"],
    );
  });
  it("gives no packages when the .pkgs file is missing", () => {
    assert.deepEqual(debianFlag(null), { file: "/run/reboot-required", kind: "reboot", packages: [] });
  });
});

describe("parseRebootNeeded", () => {
  const cases: [string, string][] = [
    ["reboot\n", "reboot"],
    ["kexec\n", "kexec"],
    ["soft-reboot", "soft-reboot"],
    ["", "reboot"],
    ["something new\n", "reboot"],
  ];
  for (const [text, kind] of cases) {
    it(`reads ${JSON.stringify(text)} as ${kind}`, () => {
      assert.equal(parseRebootNeeded(text), kind);
      assert.equal(suseFlag(text).kind, kind);
    });
  }
});

describe("systemd version from libsystemd-shared", () => {
  const cases: [string, number | null][] = [
    ["/usr/lib/x86_64-linux-gnu/systemd/libsystemd-shared-252.so", 252],
    ["libsystemd-shared-255.so", 255],
    ["/usr/lib64/systemd/libsystemd-shared-255.4-1.fc40.so", 255],
    ["/usr/lib/systemd/libsystemd-shared-256~rc3.so", 256],
    ["/usr/lib/systemd/libsystemd-core-252.so", null],
    ["/usr/lib/x86_64-linux-gnu/libsystemd.so.0.35.0", null],
  ];
  for (const [name, v] of cases) {
    it(`reads ${v} from ${name}`, () => assert.equal(systemdVersionFromName(name), v));
  }
  it("finds it in PID 1's maps, replaced or not", () => {
    const maps =
      "7f1e2a000000-7f1e2a100000 r-xp 00000000 fe:01 1234 /usr/lib/x86_64-linux-gnu/libc.so.6\n" +
      "7f1e2b000000-7f1e2b200000 r-xp 00000000 fe:01 5678 /usr/lib/x86_64-linux-gnu/systemd/libsystemd-shared-254.so (deleted)\n";
    assert.equal(systemdVersionFromMaps(maps), 254);
    assert.equal(systemdVersionFromMaps("55d0-55d1 r-xp 00000000 fe:01 1 /sbin/init\n"), null);
  });
});
