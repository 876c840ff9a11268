/**
 * AMD microcode containers (/lib/firmware/amd-ucode/microcode_amd*.bin), as read by Linux
 * arch/x86/kernel/cpu/microcode/amd.c: magic "DMA\0" (u32 0x00414d44), a section of type 0 holding
 * the equivalence table (16-byte entries: installed_cpu = CPUID leaf 1 EAX → equiv_cpu id, ended by
 * a zero entry), then sections of type 1, each one patch whose header gives patch_id (the revision
 * cpuinfo shows) and processor_rev_id (the equiv_cpu id it is for). A file may hold several
 * containers back to back; an id only means something inside its own container. Little-endian.
 * Never throws.
 */

export const AMD_MAGIC = 0x00414d44;
const CONTAINER_HDR = 12;
const SECTION_HDR = 8;
const EQUIV_ENTRY = 16;
const PATCH_HDR = 64;

export interface AmdEquivalence {
  /** CPUID leaf 1 EAX. */
  installedCpu: number;
  equivId: number;
}

export interface AmdPatch {
  offset: number;
  /** The microcode revision ("patch level"). */
  patchId: number;
  /** "YYYY-MM-DD" from data_code (0xMMDDYYYY in hex digits, as in Intel's header). */
  date: string;
  /** The equivalence id this patch is for. */
  processorRevId: number;
  size: number;
}

export interface AmdContainer {
  offset: number;
  equivalence: AmdEquivalence[];
  patches: AmdPatch[];
}

export interface AmdFile {
  containers: AmdContainer[];
  /** Why parsing stopped before the end, or null. */
  error: string | null;
}

export function parseAmdMicrocode(buf: Uint8Array): AmdFile {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const u32 = (off: number): number => view.getUint32(off, true);
  const containers: AmdContainer[] = [];
  let off = 0;
  while (off < buf.length) {
    if (buf.length - off < CONTAINER_HDR) return { containers, error: `truncated container at ${off}` };
    if (u32(off) !== AMD_MAGIC) return { containers, error: `no container magic at ${off}` };
    if (u32(off + 4) !== 0) return { containers, error: `no equivalence table at ${off}` };
    const tableSize = u32(off + 8);
    const table = off + CONTAINER_HDR;
    if (tableSize > buf.length - table) return { containers, error: `truncated equivalence table at ${off}` };
    const container: AmdContainer = { offset: off, equivalence: [], patches: [] };
    containers.push(container);
    for (let e = table; e + EQUIV_ENTRY <= table + tableSize; e += EQUIV_ENTRY) {
      const installedCpu = u32(e);
      if (installedCpu === 0) break;
      container.equivalence.push({ installedCpu, equivId: view.getUint16(e + 12, true) });
    }
    off = table + tableSize;
    // Patch sections until the next container (or the end).
    while (off < buf.length) {
      if (buf.length - off >= 4 && u32(off) === AMD_MAGIC) break;
      if (buf.length - off < SECTION_HDR) return { containers, error: `truncated section at ${off}` };
      const type = u32(off);
      const size = u32(off + 4);
      if (type !== 1) return { containers, error: `unknown section type ${type} at ${off}` };
      const patch = off + SECTION_HDR;
      if (size > buf.length - patch) return { containers, error: `truncated patch at ${off}` };
      if (size < PATCH_HDR) return { containers, error: `patch too small at ${off}` };
      container.patches.push({
        offset: patch,
        patchId: u32(patch + 4),
        date: hexDate(u32(patch)),
        processorRevId: view.getUint16(patch + 24, true),
        size,
      });
      off = patch + size;
    }
  }
  return { containers, error: null };
}

/** The highest patch for a CPU (CPUID leaf 1 EAX) across the file's containers, or null. */
export function amdPatchFor(file: AmdFile, signature: number): AmdPatch | null {
  let best: AmdPatch | null = null;
  for (const c of file.containers) {
    const equiv = c.equivalence.find((e) => e.installedCpu === signature);
    if (equiv === undefined) continue;
    for (const p of c.patches) {
      if (p.processorRevId === equiv.equivId && (best === null || p.patchId > best.patchId)) best = p;
    }
  }
  return best;
}

/** Linux's firmware name for an AMD family: microcode_amd.bin below 0x15, else microcode_amd_famXXh.bin. */
export function amdFileName(family: number): string {
  return family >= 0x15
    ? `microcode_amd_fam${family.toString(16).padStart(2, "0")}h.bin`
    : "microcode_amd.bin";
}

function hexDate(v: number): string {
  const h = v.toString(16).padStart(8, "0");
  return `${h.slice(4, 8)}-${h.slice(0, 2)}-${h.slice(2, 4)}`;
}
