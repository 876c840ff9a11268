import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KernelStatus, MicrocodeStatus, RebootFlag, RebootVerdict } from "../model/reboot.js";
import { decideReboot, type RebootInput } from "./reboot.js";

const current: KernelStatus = { status: "current", running: "6.1.0-20-amd64" };
const upgrade: KernelStatus = {
  status: "upgrade-pending",
  running: "6.1.0-18-amd64",
  newest: "6.1.0-20-amd64",
  image: "/boot/vmlinuz-6.1.0-20-amd64",
  package: "linux-image-6.1.0-20-amd64",
};
const rebuild: KernelStatus = {
  status: "rebuild-pending",
  running: "6.1.0-20-amd64",
  runningBuild: "#1 SMP Debian 6.1.85-1",
  installedBuild: "#1 SMP Debian 6.1.90-1",
  image: "/boot/vmlinuz-6.1.0-20-amd64",
};
const kernelUnknown: KernelStatus = {
  status: "unknown",
  running: "6.6.20-custom",
  reason: "no image for 6.6.20-custom",
};
const ucodeNA: MicrocodeStatus = { status: "not-applicable", reason: "virtual machine" };
const ucodePending: MicrocodeStatus = {
  status: "update-pending",
  signature: "06-55-04",
  running: "0x2006e05",
  available: "0x2007006",
  file: "/lib/firmware/intel-ucode/06-55-04",
};
const debian: RebootFlag = { file: "/run/reboot-required", kind: "reboot", packages: ["libc6"] };
const suse = (kind: RebootFlag["kind"]): RebootFlag => ({ file: "/run/reboot-needed", kind, packages: [] });
const clean = { pid1: false, dbus: false, libc: false };

const input = (over: Partial<RebootInput>): RebootInput => ({
  kernel: current,
  microcode: ucodeNA,
  flags: [],
  stale: clean,
  systemdVersion: 255,
  ...over,
});

const cases: [string, RebootInput, RebootVerdict["verdict"], string[]][] = [
  ["nothing pending needs nothing", input({}), "none", []],
  [
    "a newer kernel needs a reboot",
    input({ kernel: upgrade }),
    "reboot",
    ["kernel: running 6.1.0-18-amd64, newer 6.1.0-20-amd64 installed (linux-image-6.1.0-20-amd64)"],
  ],
  [
    "a rebuilt kernel needs a reboot",
    input({ kernel: rebuild }),
    "reboot",
    [
      "kernel: 6.1.0-20-amd64 was rebuilt: running build #1 SMP Debian 6.1.85-1, installed #1 SMP Debian 6.1.90-1",
    ],
  ],
  [
    "pending microcode needs a reboot",
    input({ microcode: ucodePending }),
    "reboot",
    [
      "microcode: CPU 06-55-04 runs 0x2006e05, /lib/firmware/intel-ucode/06-55-04 has 0x2007006 (loaded at boot; late loading is discouraged)",
    ],
  ],
  [
    "Debian's flag needs a reboot",
    input({ flags: [debian] }),
    "reboot",
    ["/run/reboot-required asks for a reboot (libc6)"],
  ],
  [
    "openSUSE's kexec request is met by a reboot",
    input({ flags: [suse("kexec")] }),
    "reboot",
    ["/run/reboot-needed asks for a kexec into the new kernel (a reboot does as well)"],
  ],
  [
    "openSUSE's soft-reboot request stays a soft reboot",
    input({ flags: [suse("soft-reboot")] }),
    "soft-reboot",
    ["/run/reboot-needed asks for a soft reboot"],
  ],
  [
    "a stale PID 1 needs only a re-exec",
    input({ stale: { ...clean, pid1: true } }),
    "reexec",
    ["PID 1 runs replaced code: systemctl daemon-reexec"],
  ],
  [
    "a stale D-Bus needs a soft reboot on systemd 254",
    input({ stale: { ...clean, dbus: true }, systemdVersion: 254 }),
    "soft-reboot",
    [
      "the D-Bus daemon runs replaced code, and cannot be restarted alone: systemctl soft-reboot restarts all of userspace",
    ],
  ],
  [
    "a stale D-Bus needs a reboot on systemd 252",
    input({ stale: { ...clean, dbus: true }, systemdVersion: 252 }),
    "reboot",
    [
      "the D-Bus daemon runs replaced code, and cannot be restarted alone: reboot (systemd 252 has no soft reboot; it needs 254)",
    ],
  ],
  [
    "a stale C library in PID 1 outweighs its re-exec",
    input({ stale: { pid1: true, dbus: false, libc: true } }),
    "soft-reboot",
    [
      "core processes (PID 1, journald, logind, D-Bus) use a replaced C library, and cannot be restarted alone: systemctl soft-reboot restarts all of userspace",
      "PID 1 runs replaced code: systemctl daemon-reexec",
    ],
  ],
  [
    "without systemd a stale C library needs a reboot",
    input({ stale: { ...clean, libc: true }, systemdVersion: null }),
    "reboot",
    [
      "core processes (PID 1, journald, logind, D-Bus) use a replaced C library, and cannot be restarted alone: reboot (no soft reboot: systemd version unknown or not systemd)",
    ],
  ],
  [
    "an unknown kernel alone is listed but asks for nothing",
    input({ kernel: kernelUnknown }),
    "none",
    ["kernel status unknown: no image for 6.6.20-custom"],
  ],
  [
    "an unknown kernel does not hide a re-exec",
    input({
      kernel: kernelUnknown,
      microcode: { status: "unknown", reason: "no cpuinfo" },
      stale: { ...clean, pid1: true },
    }),
    "reexec",
    [
      "PID 1 runs replaced code: systemctl daemon-reexec",
      "kernel status unknown: no image for 6.6.20-custom",
      "microcode status unknown: no cpuinfo",
    ],
  ],
  [
    "reasons come strongest first",
    input({ kernel: upgrade, flags: [debian], stale: { pid1: true, dbus: true, libc: false } }),
    "reboot",
    [
      "kernel: running 6.1.0-18-amd64, newer 6.1.0-20-amd64 installed (linux-image-6.1.0-20-amd64)",
      "/run/reboot-required asks for a reboot (libc6)",
      "the D-Bus daemon runs replaced code, and cannot be restarted alone: systemctl soft-reboot restarts all of userspace",
      "PID 1 runs replaced code: systemctl daemon-reexec",
    ],
  ],
];

describe("decideReboot", () => {
  for (const [name, given, verdict, reasons] of cases) {
    it(name, () => {
      const got = decideReboot(given);
      assert.equal(got.verdict, verdict);
      assert.deepEqual(got.reasons, reasons);
      assert.equal(got.kernel, given.kernel);
      assert.equal(got.microcode, given.microcode);
      assert.deepEqual(got.flags, given.flags);
    });
  }
});
