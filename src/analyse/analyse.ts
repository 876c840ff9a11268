/**
 * Snapshot → Report: which processes run replaced code, which files, which packages, which units,
 * and which hits the ignore rules dismissed (and why). Pure: everything comes from the Snapshot.
 * Without `ignored`, Report.ignored is null (not listed): only --explain shows it, and on a busy
 * host it is thousands of entries (every memfd and shared-memory segment).
 */
import type { ByteString } from "../model/bytes.js";
import type { Owner } from "../model/owner.js";
import type { KernelStatus, RebootVerdict } from "../model/reboot.js";
import type { IgnoredHit, Report, StaleFile, StaleKind, StaleProcess } from "../model/report.js";
import {
  HOST_VIEW,
  type PackageInfo,
  type PathStat,
  type ProcessRecord,
  type RebootFacts,
  type Snapshot,
} from "../model/snapshot.js";
import { scriptForProgram } from "../pkgdb/init-scripts.js";
import { parseCgroup, systemdCgroupPath } from "../procfs/cgroup.js";
import { stripDeleted } from "../procfs/maps.js";
import { cgPathGetUnit, cgPathGetUserUnit } from "../procfs/unit.js";
import { analyseKernel } from "./kernel.js";
import { classifyOwner } from "./owner.js";
import { decideReboot } from "./reboot.js";
import { DATA_FILE_RULE, DATA_MAPPING_RULE, type IgnoreRule, isCodeFile, matchPathRule } from "./rules.js";
import { judge } from "./verdict.js";

export interface AnalyseOptions {
  /** List the dismissed hits in Report.ignored (--explain, in either output); null without. */
  ignored: boolean;
}

export function analyse(snapshot: Snapshot, opts: AnalyseOptions = { ignored: true }): Report {
  const stale: StaleProcess[] = [];
  const ignored: IgnoredHit[] | null = opts.ignored ? [] : null;
  const packages: Record<string, PackageInfo> = {};
  const owners = snapshot.packages?.owners ?? {};
  const units = new Map<string | null, ProcessOwner>();

  for (const proc of snapshot.processes) {
    const found = findStaleFiles(proc, snapshot.views[proc.view], ignored);
    if (found.length === 0) continue;
    const inHostView = proc.view === HOST_VIEW;
    const files: StaleFile[] = found.map((f) => {
      // Files inside another mount namespace (a container) are not the host's packages.
      const key = inHostView ? (owners[f.path]?.[0] ?? null) : null;
      const info = key === null ? undefined : snapshot.packages?.packages[key];
      if (key !== null && info !== undefined) packages[key] = info;
      const pkg = key !== null && info !== undefined ? key : null;
      return { path: f.path, kind: f.kind, reason: f.reason, inode: f.inode, package: pkg };
    });
    const described = describeProcess(proc, files, units);
    described.initScript = initScriptFor(described, snapshot);
    stale.push(described);
  }

  return {
    reboot: snapshot.reboot === undefined ? null : rebootVerdict(snapshot.reboot, stale),
    collectedAt: snapshot.collectedAt,
    host: snapshot.host,
    scannerUid: snapshot.scanner.uid,
    ownProcessesOnly: snapshot.scanner.ownProcessesOnly,
    processesScanned: snapshot.processes.length,
    complete: snapshot.warnings.length === 0,
    warnings: snapshot.warnings,
    stale,
    ignored,
    packages,
  };
}

type Found = Omit<StaleFile, "package">;

/** The stale files of one process; dismissed hits are appended to `ignored`. */
export function findStaleFiles(
  proc: ProcessRecord,
  stats: Readonly<Record<ByteString, PathStat>> | undefined,
  ignored: IgnoredHit[] | null,
): Found[] {
  const out: Found[] = [];
  // The files already considered, by path: a file both mapped and held open is reported once.
  // Keyed by the path alone because the scan interns paths, so their hashes are computed once per run.
  let seen: Map<ByteString, Considered[]> | null = null;
  let exePath: ByteString | null | undefined;

  const consider = (
    path: ByteString,
    kind: StaleKind,
    reason: Found["reason"],
    inode: string,
    code: boolean,
  ): void => {
    seen ??= new Map();
    let inodes = seen.get(path);
    if (inodes === undefined) {
      inodes = [];
      seen.set(path, inodes);
    }
    let file = inodes.find((f) => f.inode === inode);
    if (file !== undefined) {
      if (!code || file.asData === null) return;
      // Dismissed as data by an earlier hit, and code by this one (a JVM maps a jar's index
      // read-only and loads classes through the descriptor it holds): judged as code after all.
      if (file.asData !== true && ignored !== null) ignored.splice(ignored.lastIndexOf(file.asData), 1);
      file.asData = null;
    } else {
      file = { inode, asData: null };
      inodes.push(file);
    }
    const byPath = cachedPathRule(path, kind);
    const rule = byPath ?? (code ? null : kind === "mapping" ? DATA_MAPPING_RULE : DATA_FILE_RULE);
    if (rule !== null) {
      const hit: IgnoredHit = { pid: proc.pid, path, kind, rule: rule.name, reason: rule.reason };
      ignored?.push(hit);
      if (byPath === null) file.asData = ignored === null ? true : hit;
      return;
    }
    out.push({ path, kind, reason, inode });
  };

  for (const m of proc.maps) {
    const verdict = judge(m.path, m.deleted, m.dev, m.inode, stats);
    if (verdict !== "deleted" && verdict !== "replaced") continue;
    if (exePath === undefined) exePath = proc.exe === null ? null : stripDeleted(proc.exe);
    const kind: StaleKind = m.exec && m.path === exePath ? "executable" : "mapping";
    consider(m.path, kind, verdict, m.inode, m.exec);
  }
  for (const f of proc.fds) {
    const verdict = judge(f.path, f.deleted, null, f.inode, stats);
    if (verdict !== "deleted" && verdict !== "replaced") continue;
    // A file both mapped and held open (a library, or bash reading its script) is reported once.
    consider(f.path, "open-file", verdict, f.inode ?? "", isCodeFile(f.path, f.mode));
  }
  return out;
}

/** A file findStaleFiles() has judged: `asData` is how it was dismissed as data (true when dismissed hits are not listed), or null. */
interface Considered {
  inode: string;
  asData: IgnoredHit | true | null;
}

interface ProcessOwner {
  cgroup: string | null;
  unit: string | null;
  userUnit: string | null;
  owner: Owner;
}

/** The unit that owns a process, from its /proc/PID/cgroup text. */
export function ownerOf(pid: number, cgroupText: string | null): ProcessOwner {
  const cgroup = cgroupText === null ? null : systemdCgroupPath(parseCgroup(cgroupText));
  return {
    cgroup,
    unit: cgroup === null ? null : cgPathGetUnit(cgroup),
    userUnit: cgroup === null ? null : cgPathGetUserUnit(cgroup),
    owner: classifyOwner({ pid, cgroupPath: cgroup }),
  };
}

// The same few paths (a library, /dev/zero, a memfd) come up in process after process. One map per
// kind, keyed by the path alone: a key built by concatenation would be hashed afresh on every call.
const ruleCache: Record<StaleKind, Map<ByteString, IgnoreRule | null>> = {
  executable: new Map(),
  mapping: new Map(),
  "open-file": new Map(),
};

function cachedPathRule(path: ByteString, kind: StaleKind): IgnoreRule | null {
  const cache = ruleCache[kind];
  let rule = cache.get(path);
  if (rule === undefined) {
    rule = matchPathRule(path, kind);
    cache.set(path, rule);
  }
  return rule;
}

function describeProcess(
  proc: ProcessRecord,
  files: StaleFile[],
  owners: Map<string | null, ProcessOwner>,
): StaleProcess {
  const d = proc.details;
  const text = d?.cgroup ?? null;
  // The processes of one unit share the same cgroup text: work it out once (PID 1 is its own case).
  let owner = proc.pid === 1 ? undefined : owners.get(text);
  if (owner === undefined) {
    owner = ownerOf(proc.pid, text);
    if (proc.pid !== 1) owners.set(text, owner);
  }
  return {
    pid: proc.pid,
    ppid: d?.ppid ?? null,
    uid: d?.uid ?? null,
    comm: d?.comm ?? null,
    exe: proc.exe === null ? null : stripDeleted(proc.exe),
    cgroup: owner.cgroup,
    unit: owner.unit,
    userUnit: owner.userUnit,
    owner: owner.owner,
    initScript: null,
    inContainerImage: proc.view !== HOST_VIEW,
    files,
  };
}

/** Core processes whose stale C library a re-exec or restart cannot fix one by one. */
const CORE =
  /^\/(?:usr\/)?(?:lib\/systemd\/(?:systemd|systemd-journald|systemd-logind)|bin\/dbus-(?:daemon|broker))$/;
const DBUS = /^\/(?:usr\/)?bin\/dbus-(?:daemon|broker)$/;
const LIBC = /^\/(?:.*\/)?(?:libc\.so\.6|libc-2\.[0-9]+\.so|ld-linux[^/]*\.so(?:\.[0-9]+)*)$/;

function rebootVerdict(facts: RebootFacts, stale: readonly StaleProcess[]): RebootVerdict {
  // In a container the running kernel is the host's: an image in the container proves nothing.
  const kernel: KernelStatus =
    facts.container !== null
      ? {
          status: "unknown",
          running: facts.kernel.runningRelease ?? "",
          reason: `in a container (${facts.container}): the kernel is the host's`,
        }
      : analyseKernel(facts.kernel);
  return decideReboot({
    kernel,
    microcode: facts.microcode,
    flags: facts.flags,
    stale: {
      pid1: stale.some((p) => p.pid === 1),
      dbus: stale.some((p) => p.exe !== null && DBUS.test(p.exe)),
      libc: stale.some(
        (p) =>
          (p.pid === 1 || (p.exe !== null && CORE.test(p.exe))) && p.files.some((f) => LIBC.test(f.path)),
      ),
    },
    systemdVersion: facts.systemdVersion,
  });
}

/** Without systemd, a process no unit owns is restarted by its package's init script, if one clearly applies. */
function initScriptFor(p: StaleProcess, snapshot: Snapshot): string | null {
  if ((snapshot.host.initSystem ?? "systemd") === "systemd" || p.owner.kind !== "none" || p.exe === null) {
    return null;
  }
  const owners = snapshot.packages?.owners ?? {};
  const key = owners[p.exe]?.[0];
  const own = key === undefined ? null : scriptForProgram(p.exe, snapshot.packages?.initScripts?.[key] ?? []);
  if (own !== null) return own;
  // The script may come from a sibling package (nginx's is in nginx-common): take the one named
  // like the program, if a package installed it (a local file there is nobody's word).
  const name = p.exe.slice(p.exe.lastIndexOf("/") + 1);
  return (owners[`/etc/init.d/${name}`]?.length ?? 0) > 0 ? name : null;
}
