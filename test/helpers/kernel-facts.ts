/**
 * Kernel facts for tests of the reboot verdict: a running kernel with nothing else known (no
 * images, modules, livepatches or packages) unless a test says so, and a /boot image whose version
 * was read from the image itself.
 */
import type { InstalledImage, KernelFacts } from "../../src/model/kernel.js";

export function kernelFacts(
  runningRelease: string,
  runningBuild: string,
  over: Partial<KernelFacts> = {},
): KernelFacts {
  return {
    runningRelease,
    runningBuild,
    images: [],
    moduleReleases: [],
    livepatches: [],
    livepatchSupported: false,
    deviceTreeModel: null,
    packages: null,
    notes: [],
    ...over,
  };
}

export function bootImage(release: string, build: string): InstalledImage {
  return {
    path: `/boot/vmlinuz-${release}`,
    source: "boot",
    nameRelease: release,
    version: { release, build, format: "bzimage" },
    error: null,
  };
}
