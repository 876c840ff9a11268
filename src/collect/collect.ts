/**
 * collect(): reads the host once and returns the Snapshot. The only entry point that touches the
 * machine during a check; everything after it is pure.
 */

import { detectPackageManager, type PackageLookup } from "../adapters/packages.js";
import { isCodeFile, matchPathRule } from "../analyse/rules.js";
import type { ByteString } from "../model/bytes.js";
import { HOST_VIEW, SNAPSHOT_FORMAT, type Snapshot } from "../model/snapshot.js";
import type { Warning } from "../model/warning.js";
import type { Host } from "./host.js";
import { scanProcesses } from "./parallel.js";
import { maybeStale, type ProcessScan } from "./processes.js";

export interface CollectOptions {
  /** The bundle, run as a worker thread for the pass over /proc; null for one thread. */
  workerScript: string | null;
  selfPid: number;
  uid: number;
  /** Read everything, not only what can change the answer (for --dump-snapshot). */
  everything: boolean;
  now: Date;
}

export async function collect(host: Host, opts: CollectOptions): Promise<Snapshot> {
  const isRoot = opts.uid === 0;
  const usrMerged = readlinkOk(host, "/lib") && readlinkOk(host, "/bin");
  const pm = detectPackageManager(host);

  // The package database is asked about this thread's finds while the worker finishes its share,
  // then only about what the worker found besides (usually nothing: the same libraries).
  let early: PackageLookup | null = null;
  const scan = await scanProcesses(host, {
    workerScript: opts.workerScript,
    selfPid: opts.selfPid,
    isRoot,
    everything: opts.everything,
    whileWaiting: (ours) => {
      const paths = reportablePaths(ours);
      if (pm !== null && paths.size > 0) early = pm.lookup(host, [...paths], usrMerged);
    },
  });
  const rest = [...reportablePaths(scan)].filter((p) => early?.index.owners[p] === undefined);
  const late = pm !== null && rest.length > 0 ? pm.lookup(host, rest, usrMerged) : null;
  const packages = mergeLookups(early, late);

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
    },
    scanner: { pid: opts.selfPid, uid: opts.uid, ownProcessesOnly: !isRoot },
    processes: scan.processes,
    views: scan.views,
    packages: packages?.index ?? null,
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
    for (const m of p.maps) if (m.exec && maybeStale(m, scan.views[HOST_VIEW])) paths.add(m.path);
    for (const f of p.fds) if (isCodeFile(f.path, f.mode)) paths.add(f.path);
  }
  // No package installs memfds, /tmp or /run files: don't ask.
  for (const path of paths) if (matchPathRule(path, "mapping") !== null) paths.delete(path);
  return paths;
}

function mergeLookups(a: PackageLookup | null, b: PackageLookup | null): PackageLookup | null {
  if (a === null || b === null) return a ?? b;
  return {
    index: {
      manager: a.index.manager,
      owners: { ...a.index.owners, ...b.index.owners },
      packages: { ...a.index.packages, ...b.index.packages },
    },
    warnings: [...a.warnings, ...b.warnings],
  };
}

function readLine(host: Host, path: string): string {
  try {
    return host.readText(path).trim();
  } catch {
    return "";
  }
}

function readlinkOk(host: Host, path: string): boolean {
  try {
    host.readlink(path);
    return true;
  } catch {
    return false;
  }
}
