/**
 * /proc/cpuinfo, as far as microcode needs it: vendor, family/model/stepping, the running microcode
 * revision and the flags, per processor. Also the CPUID leaf-1 signature those fields come from,
 * which is what Intel and AMD microcode files are keyed by.
 */

export interface CpuInfo {
  processor: number;
  /** "GenuineIntel", "AuthenticAMD", "HygonGenuine"…; null on non-x86 (no vendor_id line). */
  vendor: string | null;
  /** Display family as the kernel prints it (base family + extended family). */
  family: number | null;
  /** Display model (extended model folded in). */
  model: number | null;
  stepping: number | null;
  /** The running microcode revision ("microcode : 0x…"); null when the kernel does not print it. */
  microcode: number | null;
  flags: string[];
}

/**
 * Splits cpuinfo into processors. Blocks are separated by blank lines; x86 blocks start with
 * "processor". Lines that are not "key : value" are skipped. Never throws.
 */
export function parseCpuinfo(text: string): CpuInfo[] {
  const cpus: CpuInfo[] = [];
  for (const block of text.split(/\n[ \t]*\n/)) {
    const fields = new Map<string, string>();
    for (const line of block.split("\n")) {
      const colon = line.indexOf(":");
      if (colon < 0) continue;
      const key = line.slice(0, colon).trim();
      if (!fields.has(key)) fields.set(key, line.slice(colon + 1).trim());
    }
    const processor = decimal(fields.get("processor"));
    if (processor === null) continue;
    cpus.push({
      processor,
      vendor: fields.get("vendor_id") || null,
      family: decimal(fields.get("cpu family")),
      model: decimal(fields.get("model")),
      stepping: decimal(fields.get("stepping")),
      microcode: hex(fields.get("microcode")),
      flags: (fields.get("flags") ?? "").split(/\s+/).filter((f) => f !== ""),
    });
  }
  return cpus;
}

/**
 * The CPUID leaf 1 EAX value for a display family/model/stepping, inverting the kernel's
 * x86_family()/x86_model(): a family of 0xf or more is base 0xf plus the extended family, and the
 * model's high nibble is the extended model (meaningful for families 6 and 0xf+; below that the
 * high nibble is always 0). The processor-type bits (12–13) are 0 on every CPU microcode exists for.
 */
export function cpuidSignature(family: number, model: number, stepping: number): number {
  const baseFamily = Math.min(family, 0xf);
  const extFamily = Math.max(family - 0xf, 0);
  return (
    (((extFamily & 0xff) << 20) |
      (((model >> 4) & 0xf) << 16) |
      ((baseFamily & 0xf) << 8) |
      ((model & 0xf) << 4) |
      (stepping & 0xf)) >>>
    0
  );
}

/** Intel's file name for a CPU: "06-55-04" (family-model-stepping, two hex digits each). */
export function intelFileName(family: number, model: number, stepping: number): string {
  return [family, model, stepping].map((n) => n.toString(16).padStart(2, "0")).join("-");
}

/** "0x1000065", as the kernel prints revisions in cpuinfo. */
export function formatRevision(rev: number): string {
  return `0x${(rev >>> 0).toString(16)}`;
}

function decimal(s: string | undefined): number | null {
  if (s === undefined || !/^\d{1,9}$/.test(s)) return null;
  return Number(s);
}

function hex(s: string | undefined): number | null {
  if (s === undefined) return null;
  const m = /^0x([0-9a-fA-F]{1,8})$/.exec(s);
  return m === null ? null : Number.parseInt(m[1]!, 16);
}
