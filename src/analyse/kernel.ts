/**
 * The running kernel against the installed ones (facts from collect/kernels.ts) → KernelStatus.
 * Pure. Unknown beats wrong: every case afterpatch cannot vouch for says why, in one sentence.
 *
 * In order:
 * 1. unreadable `uname -r` → unknown;
 * 2. Xanmod, a livepatched kernel, a Raspberry Pi → unknown (their images are not what runs, or are
 *    not where we look);
 * 3. no installed image of the running release → unknown (custom kernel, or a kernel that is not
 *    this system's to update: a container's host, a VM booted with an external kernel);
 * 4. a newer release of the same scheme and flavour installed → upgrade-pending (never across
 *    flavours: a new -rt-amd64 says nothing about a running -amd64);
 * 5. the image of the running release carries another build string (`uname -v`) → rebuild-pending
 *    (Debian's ABI-compatible rebuilds keep the release and replace the file);
 * 6. a release no distribution scheme explains → unknown (its neighbours cannot be ordered);
 * 7. otherwise current. When the image's build string cannot be read, only schemes whose release
 *    names the package build (rpm, Arch, SUSE) count as current; Debian-shaped ones are unknown.
 */
import type { InstalledImage, KernelFacts } from "../model/kernel.js";
import type { KernelStatus } from "../model/reboot.js";
import { compareReleases, parseRelease } from "../system/kernel-release.js";

export function analyseKernel(facts: KernelFacts): KernelStatus {
  const running = facts.runningRelease;
  if (running === null) {
    return {
      status: "unknown",
      running: "",
      reason: "cannot read the running release (/proc/sys/kernel/osrelease)",
    };
  }
  const unknown = (reason: string): KernelStatus => ({ status: "unknown", running, reason });

  if (/xanmod/i.test(running)) {
    return unknown(
      `the running kernel ${running} is a Xanmod kernel: its images and versions follow Xanmod's own scheme, which afterpatch does not compare`,
    );
  }
  const patches = facts.livepatches.filter((p) => p.enabled).map((p) => p.name);
  if (patches.length > 0) {
    return unknown(
      `the running kernel ${running} is livepatched (${patches.join(", ")}): the code that runs is neither the booted image nor an installed one; ask the livepatch service whether a reboot is due`,
    );
  }
  const pi = raspberryPi(facts, running);
  if (pi !== null) return unknown(pi);

  const releaseOf = (img: InstalledImage): string | null => img.version?.release ?? img.nameRelease;
  const packageOf = (path: string): string | null =>
    facts.packages?.find((p) => p.path === path)?.package ?? null;
  // /boot first: that is the file the boot loader loads; /lib/modules/<r>/vmlinuz is the package's copy.
  const rank = (img: InstalledImage): number => (img.source === "boot" ? 0 : img.source === "uki" ? 1 : 2);
  const images = [...facts.images].sort((a, b) => rank(a) - rank(b));

  const ofRunning = images.filter((img) => releaseOf(img) === running);
  if (ofRunning.length === 0) {
    const modules = facts.moduleReleases.includes(running) ? ` (/lib/modules/${running} exists)` : "";
    return unknown(
      `no installed kernel image or package matches the running release ${running}${modules}: a custom-built kernel, or one booted from outside this system (a container's host, a VM started with an external kernel); afterpatch cannot tell whether it is current`,
    );
  }

  let newest: { release: string; image: InstalledImage } | null = null;
  for (const img of images) {
    const rel = releaseOf(img);
    if (rel === null || rel === running) continue;
    const vsRunning = compareReleases(rel, running);
    if (vsRunning === null || vsRunning <= 0) continue;
    if (newest === null || (compareReleases(rel, newest.release) ?? 0) > 0)
      newest = { release: rel, image: img };
  }
  if (newest !== null) {
    return {
      status: "upgrade-pending",
      running,
      newest: newest.release,
      image: newest.image.path,
      package: packageOf(newest.image.path),
    };
  }

  const runningBuild = facts.runningBuild === null ? null : normaliseBuild(facts.runningBuild);
  const withBuild = ofRunning.find((img) => img.version?.build != null);
  if (withBuild !== undefined && runningBuild !== null) {
    const installedBuild = normaliseBuild(withBuild.version!.build!);
    if (installedBuild !== runningBuild) {
      return {
        status: "rebuild-pending",
        running,
        runningBuild: facts.runningBuild!,
        installedBuild: withBuild.version!.build!,
        image: withBuild.path,
      };
    }
  }

  const scheme = parseRelease(running).scheme;
  if (scheme === "other") {
    return unknown(
      `the running release ${running} follows no distribution's naming scheme (a custom kernel): newer kernels installed beside it cannot be ordered`,
    );
  }
  if (withBuild === undefined || runningBuild === null) {
    if (scheme === "debian") {
      const why =
        runningBuild === null
          ? "the running build string is unreadable"
          : `cannot read the build string of ${ofRunning[0]!.path} (${ofRunning[0]!.error ?? "no build string"})`;
      return unknown(`${why}: a rebuild of ${running} with the same release would go unseen`);
    }
  }
  return { status: "current", running };
}

/** Why a Raspberry Pi's kernel is out of reach, or null when this is not one. */
function raspberryPi(facts: KernelFacts, running: string): string | null {
  const model = facts.deviceTreeModel;
  const firmware = facts.images.filter((i) => i.source === "firmware").map((i) => i.path);
  const piRelease = /-v[678]l?\+$|\+rpt-rpi-|-rpi-(?:v[678]|2712)|-raspi$/.test(running);
  if (!(model?.startsWith("Raspberry Pi") || piRelease || firmware.length > 0)) return null;
  const what = model?.startsWith("Raspberry Pi") ? model : `a Raspberry Pi kernel (${running})`;
  const files = firmware.length > 0 ? firmware.join(", ") : "kernel*.img in /boot/firmware";
  return `${what}: the firmware boots ${files} as config.txt chooses, not a versioned image afterpatch can compare with the running release`;
}

/** Build strings compare with runs of blanks collapsed (dates are printed with padding). */
function normaliseBuild(build: string): string {
  return build.trim().replace(/\s+/g, " ");
}
