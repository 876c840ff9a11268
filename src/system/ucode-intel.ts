/**
 * Intel microcode update files (/lib/firmware/intel-ucode/FF-MM-SS): a concatenation of updates,
 * each a 48-byte header, the data, and an optional extended signature table. Layout and checks as
 * in Linux arch/x86/kernel/cpu/microcode/intel.c and the Intel SDM vol. 3A §10.11: all fields are
 * little-endian u32; datasize 0 means 2000 bytes and totalsize 0 means 2048 (the oldest format);
 * the u32 sum of the whole update, and of the extended table, is 0. Never throws.
 */

export const INTEL_HEADER_SIZE = 48;
const EXT_HEADER_SIZE = 20;
const EXT_SIG_SIZE = 12;

export interface IntelSignature {
  /** CPUID leaf 1 EAX. */
  signature: number;
  /** Platform IDs (bit n = platform n, from MSR 0x17 bits 50–52) this update is for. */
  platformFlags: number;
}

export interface IntelUpdate {
  offset: number;
  headerVersion: number;
  revision: number;
  /** "YYYY-MM-DD" (the header stores it as BCD 0xMMDDYYYY). */
  date: string;
  signature: number;
  platformFlags: number;
  loaderRevision: number;
  dataSize: number;
  totalSize: number;
  /** The u32 sums of the update and of its extended table are both 0. */
  checksumOk: boolean;
  /** Further signatures from the extended signature table. */
  extended: IntelSignature[];
}

export interface IntelFile {
  updates: IntelUpdate[];
  /** Why parsing stopped before the end, or null. */
  error: string | null;
}

export function parseIntelMicrocode(buf: Uint8Array): IntelFile {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const u32 = (off: number): number => view.getUint32(off, true);
  const updates: IntelUpdate[] = [];
  let off = 0;
  while (off < buf.length) {
    if (buf.length - off < INTEL_HEADER_SIZE) return { updates, error: `truncated header at ${off}` };
    const headerVersion = u32(off);
    const loaderRevision = u32(off + 20);
    if (headerVersion !== 1 || loaderRevision !== 1) {
      return { updates, error: `unknown header or loader version at ${off}` };
    }
    const rawData = u32(off + 28);
    const rawTotal = u32(off + 32);
    const dataSize = rawData === 0 ? 2000 : rawData;
    const totalSize = rawTotal === 0 ? 2048 : rawTotal;
    if (totalSize % 4 !== 0 || dataSize % 4 !== 0 || dataSize + INTEL_HEADER_SIZE > totalSize) {
      return { updates, error: `inconsistent sizes at ${off}` };
    }
    if (totalSize > buf.length - off) return { updates, error: `truncated update at ${off}` };
    let checksumOk = sum32(view, off, INTEL_HEADER_SIZE + dataSize) === 0;
    const extended: IntelSignature[] = [];
    const extLen = totalSize - INTEL_HEADER_SIZE - dataSize;
    if (extLen > 0) {
      const ext = off + INTEL_HEADER_SIZE + dataSize;
      const count = extLen >= EXT_HEADER_SIZE ? u32(ext) : -1;
      if (count < 0 || EXT_HEADER_SIZE + count * EXT_SIG_SIZE > extLen) {
        return { updates, error: `bad extended signature table at ${off}` };
      }
      if (sum32(view, ext, EXT_HEADER_SIZE + count * EXT_SIG_SIZE) !== 0) checksumOk = false;
      for (let i = 0; i < count; i++) {
        const e = ext + EXT_HEADER_SIZE + i * EXT_SIG_SIZE;
        extended.push({ signature: u32(e), platformFlags: u32(e + 4) });
      }
    }
    updates.push({
      offset: off,
      headerVersion,
      revision: u32(off + 4),
      date: bcdDate(u32(off + 8)),
      signature: u32(off + 12),
      platformFlags: u32(off + 24),
      loaderRevision,
      dataSize,
      totalSize,
      checksumOk,
      extended,
    });
    off += totalSize;
  }
  return { updates, error: null };
}

/** Every (signature, platform flags) pair an update applies to: the header's and the extended ones. */
export function intelSignatures(u: IntelUpdate): IntelSignature[] {
  return [{ signature: u.signature, platformFlags: u.platformFlags }, ...u.extended];
}

/**
 * The kernel's intel_cpu_signatures_match(): same signature, and platform flags that intersect
 * (or are both 0). `cpuFlags` null means the platform is not known: signature alone.
 */
export function intelMatches(u: IntelUpdate, signature: number, cpuFlags: number | null): boolean {
  return intelSignatures(u).some(
    (s) =>
      s.signature === signature &&
      (cpuFlags === null || (s.platformFlags === 0 && cpuFlags === 0) || (s.platformFlags & cpuFlags) !== 0),
  );
}

function sum32(view: DataView, off: number, len: number): number {
  let sum = 0;
  for (let i = 0; i + 4 <= len; i += 4) sum = (sum + view.getUint32(off + i, true)) >>> 0;
  return sum;
}

function bcdDate(v: number): string {
  const h = v.toString(16).padStart(8, "0");
  return `${h.slice(4, 8)}-${h.slice(0, 2)}-${h.slice(2, 4)}`;
}
