import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import { fixturePath, repoRoot } from "../../test/helpers/paths.js";
import {
  bannerIn,
  bzImageVersionString,
  parseBzImage,
  parseKernelImage,
  splitVersionString,
} from "./bzimage.js";

const head = (name: string): Buffer => readFileSync(fixturePath("kernel", name));

describe("bzImage headers of real Debian kernels", () => {
  const rows: [file: string, release: string, build: string][] = [
    ["vmlinuz-6.1.0-55-amd64.head", "6.1.0-55-amd64", "#1 SMP PREEMPT_DYNAMIC Debian 6.1.192-1 (2026-11-14)"],
    ["vmlinuz-6.1.0-56-amd64.head", "6.1.0-56-amd64", "#1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (2026-11-16)"],
    [
      "vmlinuz-6.1.0-56-cloud-amd64.head",
      "6.1.0-56-cloud-amd64",
      "#1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (2026-11-16)",
    ],
    [
      "vmlinuz-6.1.0-56-rt-amd64.head",
      "6.1.0-56-rt-amd64",
      "#1 SMP PREEMPT_RT Debian 6.1.192-2 (2026-11-16)",
    ],
  ];
  for (const [file, release, build] of rows) {
    test(`${file} gives release ${release} and its uname -v build string`, () => {
      assert.deepEqual(parseBzImage(head(file)), { release, build, format: "bzimage" });
      assert.deepEqual(parseKernelImage(head(file)), { release, build, format: "bzimage" });
    });
  }

  test("the full version string keeps the builder between release and build", () => {
    assert.equal(
      bzImageVersionString(head("vmlinuz-6.1.0-56-amd64.head")),
      "6.1.0-56-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (2026-11-16)",
    );
  });

  test("a head cut before the version string's NUL is refused, not truncated", () => {
    const h = head("vmlinuz-6.1.0-56-amd64.head");
    const pointer = h.readUInt16LE(0x20e) + 0x200;
    assert.equal(parseBzImage(h.subarray(0, pointer + 10)), null);
  });

  test("a header whose kernel_version points past the setup sectors is refused", () => {
    const h = Buffer.from(head("vmlinuz-6.1.0-56-amd64.head"));
    h.writeUInt16LE(0x200 * h[0x1f1]!, 0x20e);
    assert.equal(parseBzImage(h), null);
  });

  test("a header without the HdrS magic or with a zero pointer is not a bzImage", () => {
    const h = Buffer.from(head("vmlinuz-6.1.0-56-amd64.head"));
    h.write("HdrX", 0x202, "latin1");
    assert.equal(parseBzImage(h), null);
    const z = Buffer.from(head("vmlinuz-6.1.0-56-amd64.head"));
    z.writeUInt16LE(0, 0x20e);
    assert.equal(parseBzImage(z), null);
  });

  test("empty, short and random buffers give null", () => {
    assert.equal(parseKernelImage(Buffer.alloc(0)), null);
    assert.equal(parseKernelImage(Buffer.alloc(0x300)), null);
    assert.equal(parseKernelImage(Buffer.from("not a kernel at all".repeat(100))), null);
  });
});

// Banners (linux_banner / /proc/version) quoted in public dmesg logs and bug reports.
describe("version strings and banners of other distributions", () => {
  const banners: [source: string, banner: string, release: string, build: string][] = [
    [
      "Fedora 40 kernel log attached to a public bug report",
      "Linux version 6.10.6-200.fc40.x86_64 (mockbuild@f1069ead281040288cd8d3761ad1265a) (gcc (GCC) 14.2.1 20240801 (Red Hat 14.2.1-1), GNU ld version 2.41-37.fc40) #1 SMP PREEMPT_DYNAMIC Mon Aug 19 14:09:30 UTC 2024",
      "6.10.6-200.fc40.x86_64",
      "#1 SMP PREEMPT_DYNAMIC Mon Aug 19 14:09:30 UTC 2024",
    ],
    [
      "Fedora 40 crash report (systemd-coredump) quoting /proc/version",
      "Linux version 6.9.7-200.fc40.x86_64 (mockbuild@8d858239ee7c403c892e8a84096b3ce3) (gcc (GCC) 14.1.1 20240620 (Red Hat 14.1.1-6), GNU ld version 2.41-37.fc40) #1 SMP PREEMPT_DYNAMIC Thu Jun 27 18:11:45 UTC 2024",
      "6.9.7-200.fc40.x86_64",
      "#1 SMP PREEMPT_DYNAMIC Thu Jun 27 18:11:45 UTC 2024",
    ],
    [
      "Arch Linux dmesg in a util-linux test expectation",
      "Linux version 6.6.4-arch1-1 (linux@archlinux) (gcc (GCC) 13.2.1 20230801, GNU ld (GNU Binutils) 2.41.0) #1 SMP PREEMPT_DYNAMIC Mon, 04 Dec 2023 00:29:19 +0000",
      "6.6.4-arch1-1",
      "#1 SMP PREEMPT_DYNAMIC Mon, 04 Dec 2023 00:29:19 +0000",
    ],
    [
      "Ubuntu 20.04 environment note in a public README",
      "Linux version 5.4.0-120-generic (buildd@lcy02-amd64-006) (gcc version 9.4.0 (Ubuntu 9.4.0-1ubuntu1~20.04.1)) #136-Ubuntu SMP Fri Jun 10 13:40:48 UTC 2022",
      "5.4.0-120-generic",
      "#136-Ubuntu SMP Fri Jun 10 13:40:48 UTC 2022",
    ],
    [
      "Ubuntu 19.10 dmesg in a mailing-list bug report (banner carries the version signature)",
      "Linux version 5.3.0-46-generic (buildd@lgw01-amd64-003) (gcc version 9.2.1 20191008 (Ubuntu 9.2.1-9ubuntu2)) #38-Ubuntu SMP Fri Mar 27 17:37:05 UTC 2020 (Ubuntu 5.3.0-46.38-generic 5.3.18)",
      "5.3.0-46-generic",
      "#38-Ubuntu SMP Fri Mar 27 17:37:05 UTC 2020",
    ],
  ];
  for (const [source, banner, release, build] of banners) {
    test(`the banner from ${source} gives ${release}`, () => {
      const raw = Buffer.concat([
        Buffer.alloc(64, 0),
        Buffer.from(`${banner}\n\0`, "latin1"),
        Buffer.alloc(64, 0),
      ]);
      assert.deepEqual(bannerIn(raw, "image"), { release, build, format: "image" });
    });
  }

  test("an x86 header string from Ubuntu 20.04 (as file(1) prints it) splits into release and build", () => {
    assert.deepEqual(
      splitVersionString(
        "5.4.0-42-generic (buildd@lgw01-amd64-038) #46-Ubuntu SMP Fri Jul 10 00:24:02 UTC 2020",
      ),
      { release: "5.4.0-42-generic", build: "#46-Ubuntu SMP Fri Jul 10 00:24:02 UTC 2020" },
    );
  });

  test("the printf format of the banner is skipped for the real banner after it", () => {
    const raw = Buffer.from(
      "xxLinux version %s (%s@%s) (%s) %s\n\0Linux version 6.1.0-27-arm64 (debian-kernel@lists.debian.org) (gcc-12) #1 SMP Debian 6.1.115-1 (2024-11-01)\n",
      "latin1",
    );
    assert.deepEqual(bannerIn(raw, "image"), {
      release: "6.1.0-27-arm64",
      build: "#1 SMP Debian 6.1.115-1 (2024-11-01)",
      format: "image",
    });
  });
});

describe("compressed images, read in-process", () => {
  const banner =
    "Linux version 6.1.0-27-arm64 (debian-kernel@lists.debian.org) (aarch64-linux-gnu-gcc-12 (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP Debian 6.1.115-1 (2024-11-01)\n";
  // An arm64 Image: "ARM\x64" at 0x38, the banner somewhere inside.
  const image = Buffer.alloc(256 * 1024);
  image.write("ARM\x64", 0x38, "latin1");
  image.write(banner, 100_000, "latin1");
  const expected = { release: "6.1.0-27-arm64", build: "#1 SMP Debian 6.1.115-1 (2024-11-01)" };

  test("an uncompressed arm64 Image is searched for its banner", () => {
    assert.deepEqual(parseKernelImage(image), { ...expected, format: "image" });
  });

  test("a gzip-compressed Image (Debian arm64 vmlinuz) is gunzipped and searched", () => {
    assert.deepEqual(parseKernelImage(gzipSync(image)), { ...expected, format: "gzip" });
  });

  test("an EFI zboot image with a gzip payload is unwrapped", () => {
    const payload = gzipSync(image);
    const hdr = Buffer.alloc(0x200);
    hdr.write("MZ", 0, "latin1");
    hdr.write("zimg", 4, "latin1");
    hdr.writeUInt32LE(0x200, 8);
    hdr.writeUInt32LE(payload.length, 12);
    hdr.write("gzip", 24, "latin1");
    assert.deepEqual(parseKernelImage(Buffer.concat([hdr, payload])), { ...expected, format: "zboot-gzip" });
    hdr.write("zstd", 24, "latin1");
    assert.equal(parseKernelImage(Buffer.concat([hdr, payload])), null, "zstd is not guessed at");
  });

  test("output past the cap gives null rather than unbounded memory", () => {
    assert.equal(parseKernelImage(gzipSync(image), 1024), null);
  });

  test("a corrupt gzip stream gives null", () => {
    const gz = gzipSync(image);
    gz.fill(0x55, 20, 200);
    assert.equal(parseKernelImage(gz), null);
  });
});

// Whole real packages, when a CI step has downloaded them (see test/fixtures/kernel/README.md).
describe("real Debian kernel packages (build/kernel-debs)", () => {
  const dir = process.env.AFTERPATCH_KERNEL_DEBS ?? join(repoRoot, "build", "kernel-debs");
  const debs = existsSync(dir) ? readdirSync(dir).filter((f) => /^linux-image-.*\.deb$/.test(f)) : [];
  const hasDpkgDeb = existsSync("/usr/bin/dpkg-deb");
  if (debs.length === 0 || !hasDpkgDeb) {
    test("the vmlinuz of each downloaded package matches its name and version", {
      skip: !hasDpkgDeb
        ? "no dpkg-deb on this machine"
        : `no linux-image-*.deb in ${dir} (no mirror was reachable or the download step did not run)`,
    }, () => {});
    return;
  }
  for (const deb of debs) {
    test(`${deb}: the image's header names the package's release and its Debian version`, () => {
      const path = join(dir, deb);
      const pkg = execFileSync("/usr/bin/dpkg-deb", ["-f", path, "Package"], { encoding: "utf8" }).trim();
      const version = execFileSync("/usr/bin/dpkg-deb", ["-f", path, "Version"], { encoding: "utf8" }).trim();
      const out = mkdtempSync(join(tmpdir(), "afterpatch-kdeb-"));
      try {
        execFileSync("/usr/bin/dpkg-deb", ["-x", path, out]);
        const release = pkg.replace(/^linux-image-/, "").replace(/-unsigned$/, "");
        const image = join(out, "boot", `vmlinuz-${release}`);
        const v = parseKernelImage(readFileSync(image));
        assert.ok(v !== null, `no version read from ${image}`);
        assert.equal(v.release, release);
        assert.match(v.build ?? "", new RegExp(` Debian ${version.replace(/[.+~]/g, "\\$&")} \\(`));
        // The head alone is enough.
        assert.deepEqual(parseBzImage(readFileSync(image).subarray(0, 64 * 1024)), v);
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    });
  }
});
