/**
 * collect(): reads the host once and returns the Snapshot. The only entry point that touches the
 * machine during a check; everything after it is pure.
 */

import { detectPackageManager } from "../adapters/packages.js";
import { matchPathRule } from "../analyse/rules.js";
import type { ByteString } from "../model/bytes.js";
import { HOST_VIEW, SNAPSHOT_FORMAT, type Snapshot } from "../model/snapshot.js";
import type { Warning } from "../model/warning.js";
import { stripDeleted } from "../procfs/maps.js";
import { type Host, isDir, isUsrMerged, readingOnce } from "./host.js";
import { type ProcessScan, reportableFiles, scanProcesses } from "./processes.js";
import { useReadAhead } from "./read-ahead.js";
import { gatherRebootFacts } from "./reboot-facts.js";

export interface CollectOptions {
  selfPid: number;
  uid: number;
  /** Read everything, not only what can change the answer (for --dump-snapshot). */
  everything: boolean;
  now: Date;
}

export async function collect(host: Host, opts: CollectOptions): Promise<Snapshot> {
  const isRoot = opts.uid === 0;
  const usrMerged = isUsrMerged(host);
  const pm = detectPackageManager(host);
  const initSystem = detectInitSystem(host);
  // Without systemd, programs no unit owns are restarted by their packages' init scripts.
  const withPrograms = initSystem !== "systemd";

  const scan = await scanProcesses(host, {
    selfPid: opts.selfPid,
    isRoot,
    everything: opts.everything,
    readAhead: useReadAhead(),
  });
  const paths = [...reportablePaths(scan)];
  const db = readingOnce(host); // the lookup and the init-script search share the database's files
  const packages = pm !== null && paths.length > 0 ? pm.lookup(db, paths, usrMerged) : null;
  const programs = withPrograms ? reportablePrograms(scan) : [];
  if (programs.length > 0 && packages !== null && pm?.initScripts !== undefined) {
    const found = pm.initScripts(db, programs, usrMerged);
    // An owner the lookup found (a replaced program is a stale file too) stays as it found it.
    packages.index.owners = { ...found.owners, ...packages.index.owners };
    packages.index.initScripts = found.scripts;
  }

  const reboot = gatherRebootFacts(host);

  const warnings: Warning[] = [];
  if (!isRoot) {
    warnings.push({
      code: "not-root",
      message: `not running as root: only the processes of uid ${opts.uid} were checked${
        scan.denied > 0 ? ` (${scan.denied} others could not be read)` : ""
      }`,
    });
  }
  warnings.push(...scan.warnings, ...(packages?.warnings ?? []));

  return {
    format: SNAPSHOT_FORMAT,
    collectedAt: opts.now.toISOString(),
    host: {
      hostname: readLine(host, "/proc/sys/kernel/hostname"),
      kernelRelease: readLine(host, "/proc/sys/kernel/osrelease"),
      usrMerged,
      packageManager: pm?.name ?? null,
      initSystem,
    },
    scanner: { pid: opts.selfPid, uid: opts.uid, ownProcessesOnly: !isRoot },
    processes: scan.processes,
    views: scan.views,
    packages: packages?.index ?? null,
    reboot,
    warnings,
  };
}

/**
 * The files the package database is asked about: those that can end up in the report, i.e. code in
 * the host's view that the kernel marks deleted or whose inode changed. A path no package owns costs
 * a read of every list file, so data files and memfds must not get that far.
 */
function reportablePaths(scan: ProcessScan): Set<ByteString> {
  const paths = new Set<ByteString>();
  for (const p of scan.processes) {
    if (p.details === null || p.view !== HOST_VIEW) continue;
    for (const path of reportableFiles(p, scan.views[HOST_VIEW])) paths.add(path);
  }
  return paths;
}

/** The programs of the processes in the report, whose init scripts may restart them (not a memfd or /tmp program). */
function reportablePrograms(scan: ProcessScan): ByteString[] {
  const programs = new Set<ByteString>();
  for (const p of scan.processes) {
    if (p.details === null || p.view !== HOST_VIEW || p.exe === null) continue;
    const exe = stripDeleted(p.exe);
    if (matchPathRule(exe, "executable") === null) programs.add(exe);
  }
  return [...programs];
}

/** systemd's own test (sd_booted): /run/systemd/system exists; OpenRC keeps /run/openrc. */
function detectInitSystem(host: Host): "systemd" | "openrc" | "other" {
  if (isDir(host, "/run/systemd/system")) return "systemd";
  return isDir(host, "/run/openrc") ? "openrc" : "other";
}

function readLine(host: Host, path: string): string {
  try {
    return host.readText(path).trim();
  } catch {
    return "";
  }
}
