import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, it } from "node:test";
import { fixturePath } from "../../test/helpers/paths.js";
import { realHost } from "./host.js";
import { collectRebootFacts } from "./reboot-facts.js";

const roots: string[] = [];
after(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

/** The parts this file is about (kernels have their own tests in kernels.test.ts). */
function partOf(f: ReturnType<typeof collectRebootFacts>) {
  return { microcode: f.microcode, flags: f.flags, systemdVersion: f.systemdVersion };
}

function tree(files: Record<string, string | { copy: string }>): string {
  const root = mkdtempSync(join(tmpdir(), "afterpatch-reboot-"));
  roots.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    if (typeof content === "string") writeFileSync(join(root, path), content);
    else copyFileSync(content.copy, join(root, path));
  }
  return root;
}

describe("collectRebootFacts", () => {
  it("reads microcode, both distribution flags and PID 1's systemd version from a captured tree", () => {
    const root = tree({
      "/proc/cpuinfo": { copy: fixturePath("cpuinfo", "amd-ryzen5-3600-cpu0.txt") },
      "/lib/firmware/amd-ucode/microcode_amd_fam17h.bin": {
        copy: fixturePath("microcode", "amd-fam17h-first-patch.bin"),
      },
      "/run/reboot-required": "*** System restart required ***\n",
      "/run/reboot-required.pkgs": "linux-image-6.1.0-20-amd64\nlinux-image-6.1.0-20-amd64\n",
      "/run/reboot-needed": "soft-reboot\n",
      "/proc/1/maps": "7f00-7f10 r-xp 00000000 fe:01 42 /usr/lib/systemd/libsystemd-shared-256.so\n",
    });
    assert.deepEqual(partOf(collectRebootFacts(realHost(root))), {
      microcode: {
        status: "update-pending",
        signature: "17-71-00",
        running: "0x8701013",
        available: "0x8701034",
        file: "/lib/firmware/amd-ucode/microcode_amd_fam17h.bin",
      },
      flags: [
        { file: "/run/reboot-required", kind: "reboot", packages: ["linux-image-6.1.0-20-amd64"] },
        { file: "/run/reboot-needed", kind: "soft-reboot", packages: [] },
      ],
      systemdVersion: 256,
    });
  });

  it("calls a container not-applicable and finds systemd's version on disk without PID 1's maps", () => {
    const root = tree({
      "/proc/cpuinfo": { copy: fixturePath("cpuinfo", "intel-xeon-e5-2670-cpu0.txt") },
      "/run/.containerenv": "",
      "/run/systemd/system/.keep": "",
      "/usr/lib/x86_64-linux-gnu/systemd/libsystemd-shared-252.so": "",
    });
    assert.deepEqual(partOf(collectRebootFacts(realHost(root))), {
      microcode: {
        status: "not-applicable",
        reason: "container (/run/.containerenv): the host loads microcode",
      },
      flags: [],
      systemdVersion: 252,
    });
  });

  it("makes a missing cpuinfo unknown", () => {
    const root = tree({ "/etc/hostname": "x\n" });
    assert.deepEqual(collectRebootFacts(realHost(root)).microcode, {
      status: "unknown",
      reason: "cannot read /proc/cpuinfo (ENOENT)",
    });
  });
});
