/**
 * The release and build strings of a kernel image file, read from its bytes alone (pure: no host,
 * no program run). Three shapes are understood; anything else is null, never a guess.
 *
 * 1. x86 bzImage (Documentation/arch/x86/boot.rst, "The Real-Mode Kernel Header"; little-endian):
 *    setup_sects at 0x1f1 (1 byte; 0 means 4), the magic "HdrS" at 0x202 (protocol 2.00+), the
 *    protocol version at 0x206 (2 bytes, major << 8 | minor), and kernel_version at 0x20e (2 bytes):
 *    when non-zero, the offset less 0x200 of a NUL-terminated string inside the setup code, so it
 *    must be below 0x200 * setup_sects. That string is "<release> (<builder>) <uname -v>", e.g.
 *    "6.1.0-27-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.1.115-1 (2024-11-01)".
 *    It sits in the first few KiB: a 64 KiB head of the file is plenty.
 * 2. A gzip stream (Debian/Ubuntu arm64 `vmlinuz`, `Image.gz`): gunzipped in-process, up to a cap.
 * 3. An EFI zboot image ("MZ" at 0, "zimg" at 4; Fedora aarch64 `vmlinuz`) with a gzip payload.
 * 2 and 3 (and an uncompressed arm64 `Image`) are then searched for the linux_banner,
 * "Linux version <release> (<builder>) (<compiler>) <uname -v>\n".
 *
 * `node:zlib` is allowed in this pure layer: it is a computation library (bytes in, bytes out) that
 * touches no host state and starts no program; it is not a decompressor run on a user's file.
 */
import { lazy } from "../lazy.js";

const zlib = lazy<typeof import("node:zlib")>("node:zlib");

export interface ImageVersion {
  /** `uname -r` of the kernel in the image, e.g. "6.1.0-27-amd64". */
  release: string;
  /** `uname -v`: from "#" on, e.g. "#1 SMP PREEMPT_DYNAMIC Debian 6.1.115-1 (2024-11-01)"; null if absent. */
  build: string | null;
  /** Where it was found. */
  format: "bzimage" | "gzip" | "zboot-gzip" | "image";
}

/** Decompressed output is capped: a kernel Image is tens of MiB; anything larger is not a kernel. */
export const MAX_DECOMPRESSED = 256 * 1024 * 1024;

/** The string kernel_version points at, without the NUL; null when the file is not a bzImage. */
export function bzImageVersionString(buf: Buffer): string | null {
  if (buf.length < 0x210) return null;
  if (buf.toString("latin1", 0x202, 0x206) !== "HdrS") return null;
  const protocol = buf.readUInt16LE(0x206);
  if (protocol < 0x0200) return null;
  const setupSects = buf[0x1f1] === 0 ? 4 : buf[0x1f1]!;
  const pointer = buf.readUInt16LE(0x20e);
  if (pointer === 0 || pointer >= 0x200 * setupSects) return null;
  const start = pointer + 0x200;
  if (start >= buf.length) return null;
  const end = buf.indexOf(0, start);
  // No NUL within what we were given (a too-short head, or garbage): refuse rather than truncate.
  if (end === -1) return null;
  const text = buf.toString("latin1", start, end);
  return isPrintable(text) ? text : null;
}

/** Splits "<release> (<builder>) #…" (bzImage) into release and build. */
export function splitVersionString(text: string): { release: string; build: string | null } | null {
  const m = /^(\S+)/.exec(text);
  if (m === null) return null;
  return { release: m[1]!, build: buildPart(text.slice(m[1]!.length)) };
}

/** Parses the head (or all) of a bzImage. */
export function parseBzImage(buf: Buffer): ImageVersion | null {
  const text = bzImageVersionString(buf);
  if (text === null) return null;
  const parts = splitVersionString(text);
  return parts === null ? null : { ...parts, format: "bzimage" };
}

/**
 * Any supported image: bzImage first (only the head is needed), then gzip, EFI zboot (gzip payload)
 * and a plain arm64 Image (the banner searched). Give compressed images the whole file.
 */
export function parseKernelImage(buf: Buffer, maxDecompressed = MAX_DECOMPRESSED): ImageVersion | null {
  const bz = parseBzImage(buf);
  if (bz !== null) return bz;
  if (isGzip(buf, 0)) {
    const raw = gunzipCapped(buf, maxDecompressed);
    return raw === null ? null : bannerIn(raw, "gzip");
  }
  const zboot = zbootPayload(buf);
  if (zboot !== null) {
    if (zboot.compression !== "gzip" || !isGzip(zboot.payload, 0)) return null;
    const raw = gunzipCapped(zboot.payload, maxDecompressed);
    return raw === null ? null : bannerIn(raw, "zboot-gzip");
  }
  // arm64 Image: "ARM\x64" magic at 0x38.
  if (buf.length >= 0x40 && buf.toString("latin1", 0x38, 0x3c) === "ARM\x64") return bannerIn(buf, "image");
  return null;
}

/**
 * EFI zboot (drivers/firmware/efi/libstub/zboot-header.S): "MZ", then "zimg" at 4, payload offset
 * and size (u32 LE) at 8 and 12, and the compression name (NUL-padded) at 24.
 */
export function zbootPayload(buf: Buffer): { compression: string; payload: Buffer } | null {
  if (buf.length < 0x40 || buf.toString("latin1", 0, 2) !== "MZ" || buf.toString("latin1", 4, 8) !== "zimg") {
    return null;
  }
  const offset = buf.readUInt32LE(8);
  const size = buf.readUInt32LE(12);
  const nameEnd = buf.indexOf(0, 24);
  const compression = buf.toString("latin1", 24, nameEnd === -1 || nameEnd > 56 ? 56 : nameEnd);
  if (offset + size > buf.length || size === 0) return null;
  return { compression, payload: buf.subarray(offset, offset + size) };
}

/** Finds linux_banner: "Linux version <release> (…) … #<n> …\n". */
export function bannerIn(raw: Buffer, format: ImageVersion["format"]): ImageVersion | null {
  const marker = Buffer.from("Linux version ", "latin1");
  let at = raw.indexOf(marker);
  while (at !== -1) {
    const nl = raw.indexOf(0x0a, at);
    const nul = raw.indexOf(0, at);
    const end = Math.min(nl === -1 ? raw.length : nl, nul === -1 ? raw.length : nul, at + 1024);
    const line = raw.toString("latin1", at + marker.length, end);
    // The format string itself ("Linux version %s …") also occurs in some images: skip it.
    const m = /^(\S+) \(/.exec(line);
    if (m !== null && !m[1]!.includes("%") && isPrintable(line)) {
      // Ubuntu appends its version signature to the banner, not to `uname -v`: drop it.
      const rest = line.slice(m[1]!.length).replace(/ \(Ubuntu [^()]*\)$/, "");
      return { release: m[1]!, build: buildPart(rest), format };
    }
    at = raw.indexOf(marker, at + 1);
  }
  return null;
}

/** `uname -v` from the rest of a version line: from the first " #<digit>" to the end, trimmed. */
function buildPart(rest: string): string | null {
  const m = / (#\d.*)$/.exec(rest);
  return m === null ? null : m[1]!.trim();
}

function isGzip(buf: Buffer, at: number): boolean {
  return buf.length >= at + 3 && buf[at] === 0x1f && buf[at + 1] === 0x8b && buf[at + 2] === 8;
}

function gunzipCapped(buf: Buffer, max: number): Buffer | null {
  try {
    // maxOutputLength makes zlib throw (ERR_BUFFER_TOO_LARGE) instead of growing past the cap.
    return zlib().gunzipSync(buf, { maxOutputLength: max });
  } catch {
    return null;
  }
}

function isPrintable(s: string): boolean {
  return /^[\x20-\x7e]+$/.test(s);
}
