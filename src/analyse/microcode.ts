/**
 * Microcode status: the revision each CPU runs (cpuinfo) against the newest one installed for it
 * (Intel's intel-ucode/FF-MM-SS, AMD's amd-ucode containers). A CPU with no file is current: most
 * CPUs never get an update, and warning about them would only teach people to ignore us.
 *
 * Intel updates are also keyed by platform ID, which only MSR 0x17 tells. The kernel publishes the
 * platform flags it read in /sys/devices/system/cpu/cpuN/microcode/processor_flags (root only);
 * without that the signature alone is matched, and when the file holds different revisions for
 * different platforms and the running one falls between them, the answer is unknown, not a guess.
 */
import type { MicrocodeStatus } from "../model/reboot.js";
import { type CpuInfo, cpuidSignature, formatRevision, intelFileName } from "../system/cpuinfo.js";
import { amdFileName, amdPatchFor, parseAmdMicrocode } from "../system/ucode-amd.js";
import { intelMatches, parseIntelMicrocode } from "../system/ucode-intel.js";

export interface MicrocodeFacts {
  /** Parsed /proc/cpuinfo; null when it could not be read (with the reason). */
  cpus: CpuInfo[] | null;
  cpuinfoError?: string;
  /** The evidence that this is a container (e.g. "/run/.containerenv"), or null. */
  container: string | null;
  /** Intel platform flags (1 << platform ID) from sysfs, or null when not readable. */
  platformFlags: number | null;
  /** The firmware files found among firmwareCandidates(), as read. */
  firmware: { path: string; data: Uint8Array }[];
}

const X86_VENDORS: Record<string, "intel" | "amd"> = {
  GenuineIntel: "intel",
  AuthenticAMD: "amd",
  HygonGenuine: "amd",
};

/**
 * Where the microcode for a CPU may be, in the kernel's firmware search order. Debian's
 * intel-microcode ships updates that must not be loaded late as "FF-MM-SS.initramfs": they still
 * reach the CPU at the next boot (through the initramfs), so they count as available.
 */
export function firmwareCandidates(cpu: CpuInfo): string[] {
  const kind = cpu.vendor === null ? undefined : X86_VENDORS[cpu.vendor];
  if (kind === undefined || cpu.family === null || cpu.model === null || cpu.stepping === null) return [];
  const name =
    kind === "intel"
      ? `intel-ucode/${intelFileName(cpu.family, cpu.model, cpu.stepping)}`
      : `amd-ucode/${amdFileName(cpu.family)}`;
  const paths = [`/lib/firmware/updates/${name}`, `/lib/firmware/${name}`];
  if (kind === "intel") paths.push(`/lib/firmware/${name}.initramfs`);
  return paths;
}

export function microcodeStatus(facts: MicrocodeFacts): MicrocodeStatus {
  if (facts.cpus === null)
    return { status: "unknown", reason: facts.cpuinfoError ?? "cannot read /proc/cpuinfo" };
  if (facts.container !== null) {
    return { status: "not-applicable", reason: `container (${facts.container}): the host loads microcode` };
  }
  const first = facts.cpus[0];
  if (first === undefined) return { status: "unknown", reason: "/proc/cpuinfo lists no processor" };
  if (first.vendor === null) {
    return { status: "not-applicable", reason: "not an x86 CPU: its microcode comes with the firmware" };
  }
  if (facts.cpus.some((c) => c.flags.includes("hypervisor"))) {
    return {
      status: "not-applicable",
      reason: "virtual machine (cpuinfo flag hypervisor): the host loads microcode",
    };
  }
  const kind = X86_VENDORS[first.vendor];
  if (kind === undefined) {
    return { status: "not-applicable", reason: `no Linux microcode loader for ${first.vendor} CPUs` };
  }

  // One entry per signature (mixed steppings happen on multi-socket machines); the lowest
  // revision counts, in case a late load reached only some CPUs.
  const groups = new Map<number, { cpu: CpuInfo; running: number }>();
  for (const cpu of facts.cpus) {
    if (cpu.family === null || cpu.model === null || cpu.stepping === null || cpu.microcode === null) {
      return {
        status: "unknown",
        reason: `cpuinfo lacks family, model, stepping or microcode for CPU ${cpu.processor}`,
      };
    }
    const sig = cpuidSignature(cpu.family, cpu.model, cpu.stepping);
    const g = groups.get(sig);
    if (g === undefined || cpu.microcode < g.running) groups.set(sig, { cpu, running: cpu.microcode });
  }

  let current: MicrocodeStatus | null = null;
  for (const [sig, { cpu, running }] of groups) {
    const signature = intelFileName(cpu.family!, cpu.model!, cpu.stepping!);
    const found = kind === "intel" ? intelAvailable(facts, sig, running) : amdAvailable(facts, sig);
    if (found !== null && "unknown" in found)
      return { status: "unknown", reason: `${signature}: ${found.unknown}` };
    if (found !== null && found.revision > running) {
      return {
        status: "update-pending",
        signature,
        running: formatRevision(running),
        available: formatRevision(found.revision),
        file: found.file,
      };
    }
    current ??= { status: "current", signature, revision: formatRevision(running) };
  }
  return current!;
}

type Found = { revision: number; file: string } | { unknown: string } | null;

function intelAvailable(facts: MicrocodeFacts, sig: number, running: number): Found {
  const byRev = new Map<number, string>();
  for (const f of facts.firmware) {
    for (const u of parseIntelMicrocode(f.data).updates) {
      // The kernel refuses an update whose checksum does not add up.
      if (u.checksumOk && intelMatches(u, sig, facts.platformFlags) && !byRev.has(u.revision)) {
        byRev.set(u.revision, f.path);
      }
    }
  }
  const revs = [...byRev.keys()].sort((a, b) => a - b);
  const low = revs[0];
  const high = revs[revs.length - 1];
  if (low === undefined || high === undefined) return null;
  if (facts.platformFlags !== null || high <= running) return { revision: high, file: byRev.get(high)! };
  // Platform unknown: only certain when every candidate is newer than what runs.
  if (low > running) return { revision: low, file: byRev.get(low)! };
  return {
    unknown: `revisions ${revs.map(formatRevision).join(", ")} exist for different platforms and the platform ID is not readable (processor_flags in sysfs)`,
  };
}

function amdAvailable(facts: MicrocodeFacts, sig: number): Found {
  let best: Found = null;
  for (const f of facts.firmware) {
    const p = amdPatchFor(parseAmdMicrocode(f.data), sig);
    if (p !== null && (best === null || ("revision" in best && p.patchId > best.revision))) {
      best = { revision: p.patchId, file: f.path };
    }
  }
  return best;
}
