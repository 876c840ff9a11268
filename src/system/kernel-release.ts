/**
 * Kernel release strings (`uname -r`): which flavour a release belongs to, and how two releases of
 * one flavour order. Pure.
 *
 * A flavour is what a distribution installs side by side and boots by choice: Debian's `amd64`,
 * `rt-amd64`, `cloud-amd64`; Ubuntu's `generic`, `lowlatency`, `aws`; Fedora/RHEL's architecture plus
 * variant (`x86_64`, `x86_64+debug`, `x86_64+rt`); Arch's package (`arch` = linux, `lts`, `zen`,
 * `hardened`). A newer kernel of another flavour never means the running one is out of date.
 *
 * Ordering rules, by scheme (only releases of one scheme and one flavour are ever compared):
 * - "debian" (Debian, Ubuntu, Raspberry Pi OS: `<upstream>[-<abi>][+<tag>]-<flavour>`): the part
 *   before the flavour compared with dpkg's rules: "6.1.0-27" < "6.1.0-28" < "6.10.11+bpo" <
 *   "6.12.48+deb13". (A rebuild that keeps the release is told apart by the build string, `uname -v`,
 *   not by the release: see analyse/kernel.ts.) When the package versions of the two image packages
 *   are known they order the same way on Debian; the release is used because it is always there.
 * - "rpm" (Fedora, RHEL and rebuilds, openSUSE-style `-default` excluded: see below):
 *   `<version>-<release>.<dist>.<arch>[+<variant>]`; version then release compared with rpmvercmp,
 *   as `rpm -q --last` / dnf order kernel packages (the dist tag is part of the release, so fc40 < fc41).
 * - "arch" (`<pkgver>-<pkgrel>-<flavour>` / `<ver>-arch<N>-<rel>`): pacman's vercmp (rpmvercmp on
 *   "<pkgver>-<pkgrel>").
 * - "suse" (openSUSE/SLES `6.4.0-150600.23.25-default`): rpmvercmp on the part before the flavour.
 * - "other": custom or unrecognised; never ordered (compareReleases returns null).
 */
import { compareDebianVersions } from "../pkgdb/dpkg-version.js";
import { compareEvr, rpmvercmp } from "../pkgdb/rpm-version.js";

export type ReleaseScheme = "debian" | "rpm" | "arch" | "suse" | "other";

export interface KernelRelease {
  release: string;
  scheme: ReleaseScheme;
  /** The part that orders releases within the flavour. */
  version: string;
  /** Releases compare only within one flavour. For "other": the whole release (nothing compares). */
  flavour: string;
}

const RPM_ARCHES = "x86_64|aarch64|ppc64le|ppc64|s390x|i686|armv7hl|riscv64";
// 5.14.0-427.13.1.el9_4.x86_64, 6.11.4-201.fc40.x86_64+debug, 4.18.0-513.5.1.rt7.307.el8_9.x86_64
const RPM_RE = new RegExp(
  `^(\\d+\\.\\d+(?:\\.\\d+)*-[0-9][0-9A-Za-z._]*\\.(?:fc|el|amzn|an|ol|mga|oe)[0-9][0-9A-Za-z._]*)\\.(${RPM_ARCHES})(\\+[a-z0-9_]+)?$`,
);
// Arch: 6.11.5-arch1-1 (linux), 6.6.58-1-lts, 6.11.5-zen1-1-zen, 6.11.5-hardened1-1-hardened, 6.11.5-rt7-1-rt
const ARCH_MAIN_RE = /^(\d+\.\d+(?:\.\d+)?(?:\.?rc\d+)?)-arch(\d+)-(\d+)$/;
const ARCH_OTHER_RE = /^(\d+\.\d+(?:\.\d+)?(?:-[a-z]*\d+)?-\d+)-(lts|zen|hardened|rt|rt-lts)$/;
// openSUSE/SLES: 6.4.0-150600.23.25-default, 5.14.21-150500.33.29-azure (a dotted package release,
// any flavour), 6.11.3-1-default (Tumbleweed: plain release, SUSE-only flavour names; Ubuntu's
// 6.8.0-1017-azure stays "debian").
const SUSE_RE =
  /^(\d+\.\d+\.\d+-\d+(?:\.\d+)+)-([a-z][a-z0-9]*)$|^(\d+\.\d+\.\d+-\d+)-(default|kvmsmall|64kb|vanilla|longterm)$/;
// Debian/Ubuntu/RPi: 6.1.0-27-amd64, 6.10.11+bpo-rt-amd64, 6.12.48+deb13-cloud-amd64,
// 6.8.0-48-generic, 6.6.51+rpt-rpi-v8, 6.5.0-1025-oem
const DEBIAN_RE =
  /^(\d+\.\d+(?:\.\d+)?(?:-\d+(?:\.\d+)?)?(?:\+[a-z][a-z0-9.]*)?)-([a-z][a-z0-9]*(?:-[a-z0-9]+)*)$/;

export function parseRelease(release: string): KernelRelease {
  const r = release.trim();
  let m = RPM_RE.exec(r);
  if (m !== null) return { release: r, scheme: "rpm", version: m[1]!, flavour: m[2]! + (m[3] ?? "") };
  m = ARCH_MAIN_RE.exec(r);
  if (m !== null)
    return { release: r, scheme: "arch", version: `${m[1]!}.arch${m[2]!}-${m[3]!}`, flavour: "arch" };
  m = ARCH_OTHER_RE.exec(r);
  if (m !== null) return { release: r, scheme: "arch", version: m[1]!, flavour: m[2]! };
  m = SUSE_RE.exec(r);
  if (m !== null) return { release: r, scheme: "suse", version: (m[1] ?? m[3])!, flavour: (m[2] ?? m[4])! };
  m = DEBIAN_RE.exec(r);
  // Debian's ABI part is numeric; a flavour with digits in its first word and no ABI
  // ("6.18.44-fc-v657", "6.1.21-v8+") is not Debian-shaped: keep it "other".
  if (m !== null && /-\d+(?:\.\d+)?(?:\+|$)|\+[a-z]/.test(m[1]!)) {
    return { release: r, scheme: "debian", version: m[1]!, flavour: m[2]! };
  }
  return { release: r, scheme: "other", version: r, flavour: r };
}

/** Same scheme and flavour: the only releases compareReleases orders. */
export function sameFlavour(a: string, b: string): boolean {
  const x = parseRelease(a);
  const y = parseRelease(b);
  return x.scheme !== "other" && x.scheme === y.scheme && x.flavour === y.flavour;
}

/**
 * Orders two releases of one flavour by their scheme's rule (see the file comment): negative, 0 or
 * positive like a sort comparator; null when they cannot be ordered (other flavour or scheme, or an
 * unrecognised release).
 */
export function compareReleases(a: string, b: string): number | null {
  const x = parseRelease(a);
  const y = parseRelease(b);
  if (x.scheme === "other" || x.scheme !== y.scheme || x.flavour !== y.flavour) return null;
  if (x.release === y.release) return 0;
  switch (x.scheme) {
    case "debian":
      return Math.sign(compareDebianVersions(x.version, y.version));
    case "rpm":
      return compareEvr(x.version, y.version);
    case "arch":
      return compareEvr(x.version, y.version);
    case "suse":
      return rpmvercmp(x.version, y.version);
  }
}
