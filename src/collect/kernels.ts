/**
 * Facts about the running and the installed kernels, read through the Host seam only: no program is
 * run and no image is decompressed by anything but in-process zlib (see system/bzimage.ts). Plain
 * data, no decision: analyse/kernel.ts decides.
 *
 * Where kernels are installed:
 * - /boot/vmlinuz-<release>, /boot/vmlinux-<release>, /boot/Image-<release>, /boot/kernel-<release>
 *   (Debian, Ubuntu, RHEL, SUSE `Image`/`vmlinux` on arm64/ppc64),
 * - /lib/modules/<release>/vmlinuz (Fedora, RHEL 8+, Arch: the package's copy, kernel-install/mkinitcpio
 *   put it into /boot), /usr/lib/modules when /lib is not merged,
 * - /boot/vmlinuz-linux* (Arch: the file name carries the package, not the release: the header tells),
 * - unified kernel images, EFI/Linux/*.efi on the EFI partition when mounted (/boot/efi, /efi, /boot),
 *   whose `.uname` PE section holds the release,
 * - the Raspberry Pi firmware's kernel*.img in /boot/firmware or /boot.
 */
import type { ByteString } from "../model/bytes.js";
import type { InstalledImage, KernelFacts, KernelPackage } from "../model/kernel.js";
import type { PackageIndex } from "../model/snapshot.js";
import { parseBzImage, parseKernelImage } from "../system/bzimage.js";
import { errorCode, type Host } from "./host.js";

export const HEAD_BYTES = 64 * 1024;
/** Compressed (arm64) images are read whole, up to this. */
export const MAX_IMAGE_BYTES = 128 * 1024 * 1024;

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;

export type PackageLookupFn = (paths: ByteString[]) => PackageIndex | null;

/**
 * `lookup` answers "which packages own these paths" (the PackageManager adapter's lookup, bound to
 * the host and usrMerged by the caller); omit it to skip the package database.
 */
export function collectKernels(host: Host, lookup?: PackageLookupFn): KernelFacts {
  const notes: string[] = [];
  const runningRelease = readLine(host, "/proc/sys/kernel/osrelease", notes);
  const runningBuild = readLine(host, "/proc/sys/kernel/version", notes);

  const images: InstalledImage[] = [];
  const seen = new Set<string>();
  const add = (path: ByteString, source: InstalledImage["source"], nameRelease: string | null): void => {
    if (seen.has(path)) return;
    const info = host.stat(path);
    if (info === null || (info.mode & S_IFMT) !== S_IFREG) return;
    seen.add(path);
    images.push(readImage(host, path, source, nameRelease));
  };

  for (const name of listDir(host, "/boot", notes)) {
    const m = /^(?:vmlinuz|vmlinux|Image|kernel|zImage)-(.+)$/.exec(name);
    if (m === null || /\.(?:old|bak|sig|hmac|dpkg-[a-z]+)$/.test(name)) continue;
    // Arch names the file after the package (vmlinuz-linux-lts): the release comes from the header.
    const rel = /^linux(?:-|$)/.test(m[1]!) ? null : m[1]!;
    add(`/boot/${name}`, "boot", rel);
  }

  const moduleReleases: string[] = [];
  for (const base of ["/lib/modules", "/usr/lib/modules"]) {
    for (const rel of listDir(host, base, base === "/lib/modules" ? notes : null)) {
      if (!moduleReleases.includes(rel)) moduleReleases.push(rel);
      add(`${base}/${rel}/vmlinuz`, "modules", rel);
    }
  }

  for (const esp of ["/boot/efi", "/efi", "/boot"]) {
    for (const name of listDir(host, `${esp}/EFI/Linux`, null)) {
      if (/\.efi$/i.test(name)) add(`${esp}/EFI/Linux/${name}`, "uki", null);
    }
  }

  for (const dir of ["/boot/firmware", "/boot"]) {
    for (const name of listDir(host, dir, null)) {
      if (/^kernel[0-9a-z_]*\.img$/.test(name)) add(`${dir}/${name}`, "firmware", null);
    }
  }

  const livepatches: { name: string; enabled: boolean }[] = [];
  for (const name of listDir(host, "/sys/kernel/livepatch", null)) {
    let enabled = true;
    try {
      enabled = host.readText(`/sys/kernel/livepatch/${name}/enabled`).trim() !== "0";
    } catch {
      // Unreadable: count it as enabled (unknown beats wrong).
    }
    livepatches.push({ name, enabled });
  }
  const livepatchSupported =
    host.stat("/proc/sys/kernel/livepatch") !== null || host.stat("/sys/kernel/livepatch") !== null;

  let deviceTreeModel: string | null = null;
  try {
    deviceTreeModel = host.readText("/proc/device-tree/model").replace(/\0+$/, "").trim() || null;
  } catch {
    // No device tree (x86, most VMs).
  }

  let packages: KernelPackage[] | null = null;
  if (lookup !== undefined && images.length > 0) {
    try {
      const index = lookup(images.map((i) => i.path));
      if (index !== null) {
        packages = [];
        for (const img of images) {
          for (const key of index.owners[img.path] ?? []) {
            const info = index.packages[key];
            packages.push({ path: img.path, package: info?.name ?? key, version: info?.version ?? null });
          }
        }
      }
    } catch (e) {
      notes.push(`package lookup failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  return {
    runningRelease,
    runningBuild,
    images,
    moduleReleases,
    livepatches,
    livepatchSupported,
    deviceTreeModel,
    packages,
    notes,
  };
}

function readImage(
  host: Host,
  path: ByteString,
  source: InstalledImage["source"],
  nameRelease: string | null,
): InstalledImage {
  try {
    const head = host.readHead(path, HEAD_BYTES);
    if (source === "uki") {
      const release = ukiUname(head);
      return {
        path,
        source,
        nameRelease,
        version: release === null ? null : { release, build: null, format: "image" },
        error: release === null ? "no .uname section in the first 64 KiB" : null,
      };
    }
    let version = parseBzImage(head);
    if (version === null && looksLikeOtherImage(head)) {
      // Not x86: a compressed or plain arm64 image. Read it whole (bounded); zlib looks in-process.
      version = parseKernelImage(host.readHead(path, MAX_IMAGE_BYTES));
    }
    return {
      path,
      source,
      nameRelease,
      version,
      error: version === null ? "unsupported image format" : null,
    };
  } catch (e) {
    return { path, source, nameRelease, version: null, error: errorCode(e) };
  }
}

/**
 * The `.uname` section of a unified kernel image (a PE file, as systemd-stub/ukify build it), when
 * it lies within `buf`. PE: "MZ", e_lfanew at 0x3c → "PE\0\0", COFF header (NumberOfSections at +6,
 * SizeOfOptionalHeader at +20), then 40-byte section headers (name[8], …, SizeOfRawData at +16,
 * PointerToRawData at +20).
 */
export function ukiUname(buf: Buffer): string | null {
  if (buf.length < 0x40 || buf.toString("latin1", 0, 2) !== "MZ") return null;
  const pe = buf.readUInt32LE(0x3c);
  if (pe + 24 > buf.length || buf.toString("latin1", pe, pe + 4) !== "PE\0\0") return null;
  const sections = buf.readUInt16LE(pe + 6);
  const optSize = buf.readUInt16LE(pe + 20);
  let at = pe + 24 + optSize;
  for (let i = 0; i < sections && at + 40 <= buf.length; i++, at += 40) {
    const name = buf.toString("latin1", at, at + 8).replace(/\0+$/, "");
    if (name !== ".uname") continue;
    const size = buf.readUInt32LE(at + 16);
    const ptr = buf.readUInt32LE(at + 20);
    if (size === 0 || size > 256 || ptr + size > buf.length) return null;
    const text = buf
      .toString("latin1", ptr, ptr + size)
      .replace(/\0+$/, "")
      .trim();
    return /^[\x21-\x7e]+$/.test(text) ? text : null;
  }
  return null;
}

/** gzip, EFI zboot ("MZ"…"zimg") or an arm64 Image ("ARM\x64" at 0x38): worth reading whole. */
function looksLikeOtherImage(head: Buffer): boolean {
  if (head.length >= 3 && head[0] === 0x1f && head[1] === 0x8b) return true;
  if (head.length >= 8 && head.toString("latin1", 0, 2) === "MZ" && head.toString("latin1", 4, 8) === "zimg")
    return true;
  return head.length >= 0x3c && head.toString("latin1", 0x38, 0x3c) === "ARM\x64";
}

function readLine(host: Host, path: ByteString, notes: string[]): string | null {
  try {
    return host.readText(path).replace(/\n$/, "").trim() || null;
  } catch (e) {
    notes.push(`${path}: ${errorCode(e)}`);
    return null;
  }
}

function listDir(host: Host, path: ByteString, notes: string[] | null): string[] {
  try {
    return host.readdir(path).sort();
  } catch (e) {
    const code = errorCode(e);
    if (notes !== null && code !== "ENOENT") notes.push(`${path}: ${code}`);
    return [];
  }
}
