/** What collect/kernels.ts found out about the running and installed kernels: plain data. */

import type { ImageVersion } from "../system/bzimage.js";
import type { ByteString } from "./bytes.js";

export interface InstalledImage {
  path: ByteString;
  /** Where it was found. */
  source: "boot" | "modules" | "uki" | "firmware";
  /** The release the path names (/boot/vmlinuz-<release>, /lib/modules/<release>/…), if it names one. */
  nameRelease: string | null;
  /** Read from the image itself; null when the format is not understood or the read failed. */
  version: ImageVersion | null;
  /** Why version is null ("unsupported image format", "EACCES", …). */
  error: string | null;
}

export interface KernelPackage {
  /** The path looked up (an image path). */
  path: ByteString;
  /** The package key owning it, e.g. "linux-image-6.1.0-27-amd64". */
  package: string;
  version: string | null;
}

export interface KernelFacts {
  /** /proc/sys/kernel/osrelease (`uname -r`); null if unreadable. */
  runningRelease: string | null;
  /** /proc/sys/kernel/version (`uname -v`); null if unreadable. */
  runningBuild: string | null;
  images: InstalledImage[];
  /** Directory names under /lib/modules (each normally a release). */
  moduleReleases: string[];
  /** Livepatches loaded (/sys/kernel/livepatch/<name>) and whether each is enabled. */
  livepatches: { name: string; enabled: boolean }[];
  /** /proc/sys/kernel/livepatch exists? (kpatch/Canonical Livepatch/SUSE kGraft era interfaces differ.) */
  livepatchSupported: boolean;
  /** /proc/device-tree/model without its trailing NUL, e.g. "Raspberry Pi 4 Model B Rev 1.4". */
  deviceTreeModel: string | null;
  /** Which package owns each image path, when a package manager could say; null if none ran. */
  packages: KernelPackage[] | null;
  /** Non-fatal problems, one line each. */
  notes: string[];
}

/** A bzImage's version string lies in its first ~20 KiB; 64 KiB leaves room. */
