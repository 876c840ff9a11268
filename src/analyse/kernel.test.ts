import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { kernelFacts } from "../../test/helpers/kernel-facts.js";
import type { InstalledImage, KernelFacts } from "../model/kernel.js";
import type { KernelStatus } from "../model/reboot.js";
import { analyseKernel } from "./kernel.js";

// Build strings are the real ones of test/fixtures/kernel (Debian bookworm-security, 2026-11).
const B55 = "#1 SMP PREEMPT_DYNAMIC Debian 6.1.192-1 (2026-11-14)";
const B56 = "#1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (2026-11-16)";
const B56_OLD = "#1 SMP PREEMPT_DYNAMIC Debian 6.1.192-1 (2026-11-14)";
const B56RT = "#1 SMP PREEMPT_RT Debian 6.1.192-2 (2026-11-16)";
const FEDORA = "#1 SMP PREEMPT_DYNAMIC Mon Aug 19 14:09:30 UTC 2024";

function img(
  path: string,
  release: string | null,
  build: string | null,
  source: InstalledImage["source"] = "boot",
) {
  const nameRelease = /vmlinuz-(.+)$/.exec(path)?.[1] ?? /modules\/([^/]+)\//.exec(path)?.[1] ?? null;
  return {
    path,
    source,
    nameRelease,
    version: release === null ? null : { release, build, format: "bzimage" as const },
    error: release === null ? "unsupported image format" : null,
  };
}

function facts(over: Partial<KernelFacts>): KernelFacts {
  return kernelFacts("6.1.0-56-amd64", B56, over);
}

const debianPkgs = [
  { path: "/boot/vmlinuz-6.1.0-55-amd64", package: "linux-image-6.1.0-55-amd64", version: "6.1.192-1" },
  { path: "/boot/vmlinuz-6.1.0-56-amd64", package: "linux-image-6.1.0-56-amd64", version: "6.1.192-2" },
  { path: "/boot/vmlinuz-6.1.0-56-rt-amd64", package: "linux-image-6.1.0-56-rt-amd64", version: "6.1.192-2" },
];

const rows: [name: string, input: KernelFacts, expected: KernelStatus][] = [
  [
    "the newest Debian kernel of its flavour, same build, is current",
    facts({
      images: [
        img("/boot/vmlinuz-6.1.0-55-amd64", "6.1.0-55-amd64", B55),
        img("/boot/vmlinuz-6.1.0-56-amd64", "6.1.0-56-amd64", B56),
      ],
    }),
    { status: "current", running: "6.1.0-56-amd64" },
  ],
  [
    "a newer ABI of the running flavour is an upgrade, naming image and package",
    facts({
      runningRelease: "6.1.0-55-amd64",
      runningBuild: B55,
      images: [
        img("/boot/vmlinuz-6.1.0-55-amd64", "6.1.0-55-amd64", B55),
        img("/boot/vmlinuz-6.1.0-56-amd64", "6.1.0-56-amd64", B56),
      ],
      packages: debianPkgs,
    }),
    {
      status: "upgrade-pending",
      running: "6.1.0-55-amd64",
      newest: "6.1.0-56-amd64",
      image: "/boot/vmlinuz-6.1.0-56-amd64",
      package: "linux-image-6.1.0-56-amd64",
    },
  ],
  [
    "a newer kernel of another flavour (-rt-amd64) is not an upgrade of -amd64",
    facts({
      runningRelease: "6.1.0-55-amd64",
      runningBuild: B55,
      images: [
        img("/boot/vmlinuz-6.1.0-55-amd64", "6.1.0-55-amd64", B55),
        img("/boot/vmlinuz-6.1.0-56-rt-amd64", "6.1.0-56-rt-amd64", B56RT),
      ],
      packages: debianPkgs,
    }),
    { status: "current", running: "6.1.0-55-amd64" },
  ],
  [
    "the same release with another build string in its image is an ABI-compatible rebuild",
    facts({ runningBuild: B56_OLD, images: [img("/boot/vmlinuz-6.1.0-56-amd64", "6.1.0-56-amd64", B56)] }),
    {
      status: "rebuild-pending",
      running: "6.1.0-56-amd64",
      runningBuild: B56_OLD,
      installedBuild: B56,
      image: "/boot/vmlinuz-6.1.0-56-amd64",
    },
  ],
  [
    "build strings differing only in blank padding are the same build",
    facts({
      runningBuild: `${B56.replace(" Debian", "  Debian")}\n`,
      images: [img("/boot/vmlinuz-6.1.0-56-amd64", "6.1.0-56-amd64", B56)],
    }),
    { status: "current", running: "6.1.0-56-amd64" },
  ],
  [
    "Fedora: a newer kernel-core in /lib/modules is an upgrade; the +debug variant is ignored",
    facts({
      runningRelease: "6.10.6-200.fc40.x86_64",
      runningBuild: FEDORA,
      images: [
        img("/lib/modules/6.10.6-200.fc40.x86_64/vmlinuz", "6.10.6-200.fc40.x86_64", FEDORA, "modules"),
        img(
          "/lib/modules/6.12.1-100.fc40.x86_64+debug/vmlinuz",
          "6.12.1-100.fc40.x86_64+debug",
          null,
          "modules",
        ),
        img("/lib/modules/6.11.4-201.fc40.x86_64/vmlinuz", "6.11.4-201.fc40.x86_64", null, "modules"),
      ],
    }),
    {
      status: "upgrade-pending",
      running: "6.10.6-200.fc40.x86_64",
      newest: "6.11.4-201.fc40.x86_64",
      image: "/lib/modules/6.11.4-201.fc40.x86_64/vmlinuz",
      package: null,
    },
  ],
  [
    "Arch: the release read from /boot/vmlinuz-linux's header is enough to be current",
    facts({
      runningRelease: "6.6.4-arch1-1",
      runningBuild: "#1 SMP PREEMPT_DYNAMIC Mon, 04 Dec 2023 00:29:19 +0000",
      images: [
        img("/boot/vmlinuz-linux", "6.6.4-arch1-1", "#1 SMP PREEMPT_DYNAMIC Mon, 04 Dec 2023 00:29:19 +0000"),
      ],
    }),
    { status: "current", running: "6.6.4-arch1-1" },
  ],
  [
    "an rpm kernel whose image header is unreadable is current: its release names the package build",
    facts({
      runningRelease: "6.11.4-201.fc40.aarch64",
      runningBuild: FEDORA,
      images: [img("/lib/modules/6.11.4-201.fc40.aarch64/vmlinuz", null, null, "modules")],
    }),
    { status: "current", running: "6.11.4-201.fc40.aarch64" },
  ],
  [
    "a Debian kernel whose image header is unreadable is unknown: a rebuild would go unseen",
    facts({ images: [img("/boot/vmlinuz-6.1.0-56-amd64", null, null)] }),
    {
      status: "unknown",
      running: "6.1.0-56-amd64",
      reason:
        "cannot read the build string of /boot/vmlinuz-6.1.0-56-amd64 (unsupported image format): a rebuild of 6.1.0-56-amd64 with the same release would go unseen",
    },
  ],
];

describe("kernel status from facts", () => {
  for (const [name, input, expected] of rows) {
    test(name, () => assert.deepEqual(analyseKernel(input), expected));
  }
});

describe("unknown, with a reason, rather than wrong", () => {
  const unknowns: [name: string, input: KernelFacts, reason: RegExp][] = [
    [
      "a custom kernel with no image or package (this machine's Firecracker kernel)",
      facts({ runningRelease: "6.18.44-fc-v657", runningBuild: "#1 SMP PREEMPT_DYNAMIC @0" }),
      /no installed kernel image or package matches the running release 6\.18\.44-fc-v657/,
    ],
    [
      "a container whose image holds Debian kernels but runs the host's",
      facts({
        runningRelease: "6.8.0-48-generic",
        images: [img("/boot/vmlinuz-6.1.0-56-amd64", "6.1.0-56-amd64", B56)],
      }),
      /booted from outside this system/,
    ],
    [
      "a custom kernel installed by make install (release follows no scheme)",
      facts({
        runningRelease: "6.12.0-rc1+",
        runningBuild: "#3 SMP Tue Oct 1 10:00:00 CEST 2024",
        images: [img("/boot/vmlinuz-6.12.0-rc1+", "6.12.0-rc1+", "#3 SMP Tue Oct 1 10:00:00 CEST 2024")],
      }),
      /follows no distribution's naming scheme/,
    ],
    [
      "a Xanmod kernel",
      facts({
        runningRelease: "6.11.5-x64v3-xanmod1",
        images: [img("/boot/vmlinuz-6.11.5-x64v3-xanmod1", "6.11.5-x64v3-xanmod1", null)],
      }),
      /Xanmod/,
    ],
    [
      "a livepatched kernel, even with a newer one installed",
      facts({
        runningRelease: "6.1.0-55-amd64",
        images: [img("/boot/vmlinuz-6.1.0-56-amd64", "6.1.0-56-amd64", B56)],
        livepatches: [{ name: "livepatch_CVE_2024_1086", enabled: true }],
      }),
      /livepatched \(livepatch_CVE_2024_1086\)/,
    ],
    [
      "a Raspberry Pi by its device-tree model",
      facts({
        runningRelease: "6.6.51+rpt-rpi-v8",
        deviceTreeModel: "Raspberry Pi 4 Model B Rev 1.4",
        images: [img("/boot/firmware/kernel8.img", null, null, "firmware")],
      }),
      /Raspberry Pi 4 Model B Rev 1\.4: the firmware boots \/boot\/firmware\/kernel8\.img/,
    ],
    [
      "a Raspberry Pi by its release string alone",
      facts({ runningRelease: "6.1.21-v8+" }),
      /a Raspberry Pi kernel \(6\.1\.21-v8\+\)/,
    ],
    ["an unreadable running release", facts({ runningRelease: null }), /cannot read the running release/],
  ];
  for (const [name, input, reason] of unknowns) {
    test(`${name} is unknown`, () => {
      const s = analyseKernel(input);
      assert.equal(s.status, "unknown");
      assert.match(s.status === "unknown" ? s.reason : "", reason);
    });
  }

  test("a disabled livepatch does not make the status unknown", () => {
    const s = analyseKernel(
      facts({
        images: [img("/boot/vmlinuz-6.1.0-56-amd64", "6.1.0-56-amd64", B56)],
        livepatches: [{ name: "old_patch", enabled: false }],
      }),
    );
    assert.equal(s.status, "current");
  });
});
