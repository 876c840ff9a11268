/**
 * Reads what the reboot verdict needs besides the kernel (collect/kernels.ts) and the stale
 * processes: the microcode facts, the distribution's reboot flags and the systemd version. Only
 * files are read; a file that cannot be read makes its part unknown, never a crash.
 */
import { detectPackageManager } from "../adapters/packages.js";
import { firmwareCandidates, type MicrocodeFacts, microcodeStatus } from "../analyse/microcode.js";
import type { RebootFlag } from "../model/reboot.js";
import type { RebootFacts } from "../model/snapshot.js";
import { type CpuInfo, parseCpuinfo } from "../system/cpuinfo.js";
import { DEBIAN_FLAG, DEBIAN_PKGS, debianFlag, SUSE_FLAG, suseFlag } from "../system/reboot-flags.js";
import { systemdVersionFromMaps, systemdVersionFromName } from "../system/systemd-version.js";
import { errorCode, type Host, isUsrMerged } from "./host.js";
import { collectKernels, type PackageLookupFn } from "./kernels.js";

/** collectRebootFacts with the host's own package manager for the kernel images' packages. */
export function gatherRebootFacts(host: Host): RebootFacts {
  const pm = detectPackageManager(host);
  const usrMerged = isUsrMerged(host);
  return collectRebootFacts(
    host,
    pm === null ? undefined : (paths) => pm.lookup(host, paths, usrMerged).index,
  );
}

/** Files that mark a container: its kernel and microcode are the host's. */
const CONTAINER_MARKS = ["/run/systemd/container", "/.dockerenv", "/run/.containerenv"];

/**
 * Everything the reboot verdict needs, read once: kernels (collect/kernels.ts), microcode, the
 * distribution's flags, the running systemd's version, and whether this is a container.
 */
export function collectRebootFacts(host: Host, lookup?: PackageLookupFn): RebootFacts {
  const microcode = collectMicrocodeFacts(host);
  return {
    kernel: collectKernels(host, lookup),
    microcode: microcodeStatus(microcode),
    flags: collectRebootFlags(host),
    systemdVersion: collectSystemdVersion(host),
    container: microcode.container ?? CONTAINER_MARKS.find((p) => host.stat(p) !== null) ?? null,
  };
}

export function collectMicrocodeFacts(host: Host): MicrocodeFacts {
  let cpus: CpuInfo[];
  try {
    cpus = parseCpuinfo(host.readText("/proc/cpuinfo"));
  } catch (e) {
    return {
      cpus: null,
      cpuinfoError: `cannot read /proc/cpuinfo (${errorCode(e)})`,
      container: null,
      platformFlags: null,
      firmware: [],
    };
  }
  const container = CONTAINER_MARKS.find((p) => host.stat(p) !== null) ?? null;
  const paths = new Set<string>();
  for (const cpu of cpus) for (const p of firmwareCandidates(cpu)) paths.add(p);
  const firmware: MicrocodeFacts["firmware"] = [];
  for (const path of paths) {
    try {
      firmware.push({ path, data: host.readBuffer(path) });
    } catch {
      // Absent (the usual case) or unreadable: no update from this file.
    }
  }
  return { cpus, container, platformFlags: readPlatformFlags(host), firmware };
}

/** The platform flags the kernel's Intel loader read from MSR 0x17 (mode 0400: root only). */
function readPlatformFlags(host: Host): number | null {
  try {
    const m = /^0x([0-9a-f]{1,8})$/i.exec(
      host.readText("/sys/devices/system/cpu/cpu0/microcode/processor_flags").trim(),
    );
    return m === null ? null : Number.parseInt(m[1]!, 16);
  } catch {
    return null;
  }
}

export function collectRebootFlags(host: Host): RebootFlag[] {
  const flags: RebootFlag[] = [];
  if (host.stat(DEBIAN_FLAG) !== null) flags.push(debianFlag(readOrNull(host, DEBIAN_PKGS)));
  if (host.stat(SUSE_FLAG) !== null) flags.push(suseFlag(readOrNull(host, SUSE_FLAG) ?? ""));
  return flags;
}

/**
 * The running systemd's version from the libsystemd-shared-<version>.so that PID 1 maps; when
 * PID 1's maps are not readable (not root) but systemd runs, from that library's name on disk.
 */
export function collectSystemdVersion(host: Host): number | null {
  const maps = readOrNull(host, "/proc/1/maps");
  if (maps !== null) return systemdVersionFromMaps(maps);
  if (host.stat("/run/systemd/system") === null) return null;
  const dirs = ["/usr/lib/systemd", "/usr/lib64/systemd", "/lib/systemd"];
  try {
    for (const d of host.readdir("/usr/lib")) if (/-linux-gnu/.test(d)) dirs.push(`/usr/lib/${d}/systemd`);
  } catch {
    // No /usr/lib: the fixed directories only.
  }
  for (const dir of dirs) {
    let names: string[];
    try {
      names = host.readdir(dir);
    } catch {
      continue;
    }
    for (const n of names) {
      const v = systemdVersionFromName(n);
      if (v !== null) return v;
    }
  }
  return null;
}

function readOrNull(host: Host, path: string): string | null {
  try {
    return host.readText(path);
  } catch {
    return null;
  }
}
