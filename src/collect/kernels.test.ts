import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, test } from "node:test";
import { fixturePath } from "../../test/helpers/paths.js";
import { analyseKernel } from "../analyse/kernel.js";
import type { PackageIndex } from "../model/snapshot.js";
import { realHost } from "./host.js";
import { collectKernels, ukiUname } from "./kernels.js";

const roots: string[] = [];
after(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

/** A fixture root: path → text, or { head: fixture file } for a real image header excerpt. */
function tree(files: Record<string, string | { head: string }>): string {
  const root = mkdtempSync(join(tmpdir(), "afterpatch-kernels-"));
  roots.push(root);
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    if (typeof content === "string") writeFileSync(full, content);
    else copyFileSync(fixturePath("kernel", content.head), full);
  }
  return root;
}

const debianTree = (osrelease: string, version: string) =>
  tree({
    "proc/sys/kernel/osrelease": `${osrelease}\n`,
    "proc/sys/kernel/version": `${version}\n`,
    "boot/vmlinuz-6.1.0-55-amd64": { head: "vmlinuz-6.1.0-55-amd64.head" },
    "boot/vmlinuz-6.1.0-56-amd64": { head: "vmlinuz-6.1.0-56-amd64.head" },
    "boot/vmlinuz-6.1.0-56-rt-amd64": { head: "vmlinuz-6.1.0-56-rt-amd64.head" },
    "boot/config-6.1.0-56-amd64": "CONFIG_X86=y\n",
    "lib/modules/6.1.0-55-amd64/modules.order": "",
    "lib/modules/6.1.0-56-amd64/modules.order": "",
  });

const fakeIndex = (paths: string[]): PackageIndex => ({
  manager: "dpkg",
  owners: Object.fromEntries(paths.map((p) => [p, [`linux-image-${p.replace("/boot/vmlinuz-", "")}`]])),
  packages: Object.fromEntries(
    paths.map((p) => {
      const name = `linux-image-${p.replace("/boot/vmlinuz-", "")}`;
      return [name, { name, arch: "amd64", version: "6.1.192-x", previousVersion: null, upgradedAt: null }];
    }),
  ),
});

describe("collecting kernel facts from a fixture root", () => {
  test("Debian /boot images are read from their real headers, with module dirs and packages", () => {
    const host = realHost(
      debianTree("6.1.0-55-amd64", "#1 SMP PREEMPT_DYNAMIC Debian 6.1.192-1 (2026-11-14)"),
    );
    const f = collectKernels(host, fakeIndex);
    assert.equal(f.runningRelease, "6.1.0-55-amd64");
    assert.deepEqual(
      f.images.map((i) => [i.path, i.nameRelease, i.version?.release, i.version?.build]),
      [
        [
          "/boot/vmlinuz-6.1.0-55-amd64",
          "6.1.0-55-amd64",
          "6.1.0-55-amd64",
          "#1 SMP PREEMPT_DYNAMIC Debian 6.1.192-1 (2026-11-14)",
        ],
        [
          "/boot/vmlinuz-6.1.0-56-amd64",
          "6.1.0-56-amd64",
          "6.1.0-56-amd64",
          "#1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (2026-11-16)",
        ],
        [
          "/boot/vmlinuz-6.1.0-56-rt-amd64",
          "6.1.0-56-rt-amd64",
          "6.1.0-56-rt-amd64",
          "#1 SMP PREEMPT_RT Debian 6.1.192-2 (2026-11-16)",
        ],
      ],
    );
    assert.deepEqual(f.moduleReleases, ["6.1.0-55-amd64", "6.1.0-56-amd64"]);
    assert.equal(f.packages?.length, 3);
    assert.deepEqual(analyseKernel(f), {
      status: "upgrade-pending",
      running: "6.1.0-55-amd64",
      newest: "6.1.0-56-amd64",
      image: "/boot/vmlinuz-6.1.0-56-amd64",
      package: "linux-image-6.1.0-56-amd64",
    });
  });

  test("running the newest -amd64 with its own build string is current despite -rt-amd64", () => {
    const host = realHost(
      debianTree("6.1.0-56-amd64", "#1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (2026-11-16)"),
    );
    assert.deepEqual(analyseKernel(collectKernels(host)), { status: "current", running: "6.1.0-56-amd64" });
  });

  test("an older build of the same release on disk reads as a pending rebuild", () => {
    const host = realHost(
      debianTree("6.1.0-56-amd64", "#1 SMP PREEMPT_DYNAMIC Debian 6.1.192-1 (2026-11-10)"),
    );
    const s = analyseKernel(collectKernels(host));
    assert.equal(s.status, "rebuild-pending");
  });

  test("Fedora-style /lib/modules/<release>/vmlinuz and enabled livepatches are found", () => {
    const root = tree({
      "proc/sys/kernel/osrelease": "6.1.0-56-amd64\n",
      "proc/sys/kernel/version": "#1\n",
      "proc/sys/kernel/livepatch": "",
      "lib/modules/6.1.0-56-amd64/vmlinuz": { head: "vmlinuz-6.1.0-56-amd64.head" },
      "sys/kernel/livepatch/kpatch_1/enabled": "1\n",
      "sys/kernel/livepatch/kpatch_0/enabled": "0\n",
    });
    const f = collectKernels(realHost(root));
    assert.deepEqual(
      f.images.map((i) => [i.path, i.source, i.version?.release]),
      [["/lib/modules/6.1.0-56-amd64/vmlinuz", "modules", "6.1.0-56-amd64"]],
    );
    assert.deepEqual(f.livepatches, [
      { name: "kpatch_0", enabled: false },
      { name: "kpatch_1", enabled: true },
    ]);
    assert.equal(f.livepatchSupported, true);
    assert.equal(analyseKernel(f).status, "unknown");
  });

  test("a Raspberry Pi's model and firmware kernel are found, and a non-image file is not parsed", () => {
    const root = tree({
      "proc/sys/kernel/osrelease": "6.6.51+rpt-rpi-v8\n",
      "proc/sys/kernel/version": "#1 SMP PREEMPT Debian 1:6.6.51-1+rpt3 (2024-10-08)\n",
      "proc/device-tree/model": "Raspberry Pi 4 Model B Rev 1.4\0",
      "boot/firmware/kernel8.img": "not an image",
      "boot/vmlinuz-6.6.51+rpt-rpi-v8": "garbage",
    });
    const f = collectKernels(realHost(root));
    assert.equal(f.deviceTreeModel, "Raspberry Pi 4 Model B Rev 1.4");
    assert.deepEqual(
      f.images.map((i) => [i.path, i.source, i.error]),
      [
        ["/boot/vmlinuz-6.6.51+rpt-rpi-v8", "boot", "unsupported image format"],
        ["/boot/firmware/kernel8.img", "firmware", "unsupported image format"],
      ],
    );
    const s = analyseKernel(f);
    assert.equal(s.status, "unknown");
  });

  test("an empty root gives no facts and a note, and never throws", () => {
    const f = collectKernels(realHost(tree({})));
    assert.equal(f.runningRelease, null);
    assert.deepEqual(f.images, []);
    assert.ok(f.notes.some((n) => n.startsWith("/proc/sys/kernel/osrelease")));
  });
});

describe("unified kernel images", () => {
  test("the .uname section of a PE file gives the release", () => {
    const buf = Buffer.alloc(0x400);
    buf.write("MZ", 0, "latin1");
    buf.writeUInt32LE(0x80, 0x3c);
    buf.write("PE\0\0", 0x80, "latin1");
    buf.writeUInt16LE(2, 0x80 + 6);
    buf.writeUInt16LE(0, 0x80 + 20);
    const sec = 0x80 + 24;
    buf.write(".osrel", sec, "latin1");
    buf.write(".uname", sec + 40, "latin1");
    buf.writeUInt32LE(15, sec + 40 + 16);
    buf.writeUInt32LE(0x300, sec + 40 + 20);
    buf.write("6.1.0-56-amd64\0", 0x300, "latin1");
    assert.equal(ukiUname(buf), "6.1.0-56-amd64");
    assert.equal(ukiUname(Buffer.alloc(0x400)), null);
  });
});

describe("this machine", () => {
  test("the running kernel is classified without throwing", () => {
    const f = collectKernels(realHost("/"));
    const s = analyseKernel(f);
    assert.ok(["current", "rebuild-pending", "upgrade-pending", "unknown"].includes(s.status));
  });
});
