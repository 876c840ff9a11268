/**
 * One pass over /proc: each process's memory map and mount namespace, and for the processes that
 * have something to report, their executable and details; deleted open files for the programs
 * that run code from open files (analyse/fd-readers.ts). What stat() sees at every mapped path is recorded per view (see ProcessRecord.view).
 *
 * The pass is lazy on purpose: reading every maps file is the floor of the work; everything else
 * is read only where it can change the answer.
 *
 * Failures become data: a process that is gone before we read its map was never there; one that
 * goes away or executes another program while we read its details is a warning (a partial scan).
 */
import { fdReaderOf } from "../analyse/fd-readers.js";
import { isCodeFile, matchPathRule } from "../analyse/rules.js";
import type { ByteString } from "../model/bytes.js";
import {
  type FileMapping,
  HOST_VIEW,
  type OpenFile,
  type PathStat,
  type ProcessDetails,
  type ProcessRecord,
} from "../model/snapshot.js";
import type { Warning } from "../model/warning.js";
import { DELETED_SUFFIX, endsAtGate, parseMaps, stripDeleted } from "../procfs/maps.js";
import { parseStat } from "../procfs/stat.js";
import { errorCode, type Host, oneRecord } from "./host.js";
import { type EarlyMaps, ReadAhead, YIELD_EVERY } from "./read-ahead.js";

export interface ProcessScan {
  processes: ProcessRecord[];
  views: Record<string, Record<ByteString, PathStat>>;
  warnings: Warning[];
  /** Processes whose maps we were not allowed to read (other users' when not root). */
  denied: number;
}

export interface ScanOptions {
  selfPid: number;
  isRoot: boolean;
  /** Read everything for every process, not only where it can change the answer (--dump-snapshot). */
  everything: boolean;
  /** Read maps files ahead on the thread pool (read-ahead.ts) where the host can. */
  readAhead: boolean;
}

const GONE = new Set(["ENOENT", "ESRCH"]);

/** Every process but our own, in PID order. */
export async function scanProcesses(host: Host, opts: ScanOptions): Promise<ProcessScan> {
  const warnings: Warning[] = [];
  const pids = listPids(host, opts.selfPid, warnings);
  return pids === null ? { ...emptyScan(), warnings } : scanPids(host, pids, opts);
}

/** The PIDs to scan, ascending, without our own. Null (with a warning) when /proc cannot be listed. */
function listPids(host: Host, selfPid: number, warnings: Warning[]): number[] | null {
  let names: string[];
  try {
    names = host.readdir("/proc");
  } catch (e) {
    warnings.push({ code: "proc", message: `cannot list /proc: ${errorCode(e)}` });
    return null;
  }
  const pids = names.filter((n) => /^[1-9][0-9]*$/.test(n)).map(Number);
  return pids.filter((p) => p !== selfPid).sort((a, b) => a - b);
}

function emptyScan(): ProcessScan {
  return { processes: [], views: { [HOST_VIEW]: {} }, warnings: [], denied: 0 };
}

/**
 * Scans `pids`. With `opts.readAhead`, the thread pool reads maps files ahead of the judging
 * (read-ahead.ts); the processes and warnings come out in PID order either way.
 */
async function scanPids(host: Host, pids: readonly number[], opts: ScanOptions): Promise<ProcessScan> {
  const scan = emptyScan();
  const paths = new Map<string, string>();
  const intern = (s: string): string => {
    let flat = paths.get(s);
    if (flat === undefined) {
      flat = Buffer.from(s, "latin1").toString("latin1");
      paths.set(flat, flat);
    }
    return flat;
  };
  const selfMnt = readlinkOrNull(host, `/proc/${opts.selfPid}/ns/mnt`);
  const judge = (pid: number, early: EarlyMaps | null): void => {
    let rec = readProcess(host, pid, selfMnt, scan, opts, early);
    // The executable is read after the map: if it is not among the mapped files, the process may
    // have executed another program (or its PID been reused) in between, so the map is read again,
    // once. What that second reading finds is kept even if the executable is still not mapped:
    // some programs unmap their own file (UPX-packed ones do), and dropping them would hide the
    // libraries they map. A program executed since maps the files on disk now, so a second exec
    // in between cannot make a fresh process look stale.
    if (rec !== null && !exeIsMapped(rec)) rec = readProcess(host, pid, selfMnt, scan, opts, null);
    if (rec === null) return;
    // A normal run keeps only what analysis can report on; --dump-snapshot keeps every mapping.
    if (!opts.everything) rec.maps = rec.maps.filter((m) => maybeStale(m, scan.views[rec.view]));
    // A path cut out of the maps text keeps all of that text alive: keep one flat copy per path.
    for (const m of rec.maps) m.path = intern(m.path);
    scan.processes.push(rec);
  };

  // This thread and the read-ahead take PIDs from the same list, in order.
  let taken = 0;
  const next = (): number => (taken < pids.length ? pids[taken++]! : -1);
  const ahead = opts.readAhead ? ReadAhead.start(host, next, mapsPath, endsAtGate, judge) : null;
  let judged = 0;
  for (let pid = next(); pid !== -1; pid = next()) {
    judge(pid, null);
    if (ahead !== null && ++judged % YIELD_EVERY === 0) await ahead.pause();
  }
  if (ahead !== null) {
    await ahead.drain();
    scan.processes.sort((a, b) => a.pid - b.pid);
    scan.warnings.sort((a, b) => (a.pid ?? 0) - (b.pid ?? 0));
  }
  return scan;
}

const mapsPath = (pid: number): ByteString => `/proc/${pid}/maps`;

function readProcess(
  host: Host,
  pid: number,
  selfMnt: string | null,
  scan: ProcessScan,
  opts: ScanOptions,
  early: EarlyMaps | null,
): ProcessRecord | null {
  const dir = `/proc/${pid}`;
  let mapsText: string;
  let code: string | null = null;
  if (early !== null) {
    mapsText = early.text;
    code = early.code;
  } else {
    try {
      mapsText = host.readText(mapsPath(pid), endsAtGate);
    } catch (e) {
      mapsText = "";
      code = errorCode(e);
    }
  }
  if (code !== null) {
    if (GONE.has(code)) return null; // exited before we looked: it runs nothing now
    if (code === "EACCES" && !opts.isRoot) {
      scan.denied++;
      return null;
    }
    scan.warnings.push({ code: "unreadable", pid, message: `cannot read ${dir}/maps: ${code}` });
    return null;
  }
  // Kernel threads and zombies map nothing.
  if (mapsText.length === 0) return null;
  const maps = parseMaps(mapsText);

  // Paths are judged in the process's own mount namespace: our root for processes that share
  // ours (the kernel prints their paths relative to our root, even when they are chrooted);
  // /proc/PID/root for the others (containers, services with private mounts), each namespace with
  // its own cache of stat() results.
  let view = HOST_VIEW;
  let prefix = "";
  const mnt = readlinkOrNull(host, `${dir}/ns/mnt`);
  if (mnt !== null && mnt !== selfMnt) {
    view = `${mnt}:${readlinkOrNull(host, `${dir}/root`) ?? "?"}`;
    prefix = `${dir}/root`;
  }
  const stats = scan.views[view] ?? {};
  scan.views[view] = stats;
  statMappings(host, maps, stats, prefix);
  const fds = opts.everything || fdReaderOf(maps) !== null ? readDeletedFds(host, pid, stats, prefix) : [];
  // Details cost four more reads: only for processes with something analysis can report (code that
  // may be stale and that no ignore rule dismisses). A memfd or a deleted /tmp file only needs the PID.
  const reportable = reportableFiles({ maps, fds }, stats).length > 0;

  let exe: ByteString | null = null;
  let details: ProcessDetails | null = null;
  if (reportable || opts.everything) {
    details = readDetails(host, pid, scan);
    if (details === null) return null;
    exe = readlinkOrNull(host, `${dir}/exe`);
  }
  return { pid, view, exe, maps, fds, details };
}

/** Records stat() of every mapped path in one view (cached across the processes of that view). */
function statMappings(
  host: Host,
  maps: FileMapping[],
  stats: Record<ByteString, PathStat>,
  prefix: string,
): void {
  for (const m of maps) {
    // For a deleted mark, what matters is whether a live file has that literal name.
    const key = m.deleted ? m.path + DELETED_SUFFIX : m.path;
    if (!(key in stats)) stats[key] = statOrError(host, prefix + key);
  }
}

/**
 * The files of a process that analysis could report: code that may be stale and that no ignore
 * rule dismisses (a memfd or a deleted /tmp file never is). Decides which processes get details,
 * and which paths the package database is asked about.
 */
export function reportableFiles(
  rec: Pick<ProcessRecord, "maps" | "fds">,
  stats: Record<ByteString, PathStat> | undefined,
): ByteString[] {
  const out: ByteString[] = [];
  for (const m of rec.maps) {
    if (m.exec && maybeStale(m, stats) && matchPathRule(m.path, "mapping") === null) out.push(m.path);
  }
  for (const f of rec.fds) {
    if (isCodeFile(f.path, f.mode) && matchPathRule(f.path, "open-file") === null) out.push(f.path);
  }
  return out;
}

/** Marked deleted, or another inode at its path: worth a closer look (analyse/verdict.ts decides). */
function maybeStale(m: FileMapping, stats: Record<ByteString, PathStat> | undefined): boolean {
  if (m.deleted) return true;
  const st = stats?.[m.path];
  return st !== undefined && "ino" in st && st.ino !== m.inode;
}

/** Open regular files the kernel marks deleted, with the open file's own inode and mode. */
function readDeletedFds(
  host: Host,
  pid: number,
  stats: Record<ByteString, PathStat>,
  prefix: string,
): OpenFile[] {
  const out: OpenFile[] = [];
  let fdNames: string[];
  try {
    fdNames = host.readdir(`/proc/${pid}/fd`);
  } catch {
    return out; // gone, or not ours: the map already told what it runs
  }
  for (const name of fdNames) {
    const target = readlinkOrNull(host, `/proc/${pid}/fd/${name}`);
    if (target === null || target.charCodeAt(0) !== 47 || !target.endsWith(DELETED_SUFFIX)) continue;
    let inode: string | null = null;
    let mode: number | null = null;
    try {
      const st = host.stat(`/proc/${pid}/fd/${name}`);
      if (st !== null) {
        if ((st.mode & 0o170000) !== 0o100000) continue; // only regular files
        inode = st.ino;
        mode = st.mode;
      }
    } catch {
      // closed meanwhile: judged on its name alone
    }
    if (!(target in stats)) stats[target] = statOrError(host, prefix + target);
    out.push({ fd: Number(name), path: target.slice(0, -DELETED_SUFFIX.length), deleted: true, inode, mode });
  }
  return out;
}

function readDetails(host: Host, pid: number, scan: ProcessScan): ProcessDetails | null {
  const dir = `/proc/${pid}`;
  try {
    const stat = parseStat(host.readText(`${dir}/stat`, oneRecord));
    if (stat === null) {
      scan.warnings.push({ code: "unreadable", pid, message: `cannot parse ${dir}/stat` });
      return null;
    }
    const uid = host.owner(dir);
    let cgroup: string | null = null;
    try {
      cgroup = host.readText(`${dir}/cgroup`, oneRecord);
    } catch (e) {
      if (GONE.has(errorCode(e))) throw e;
    }
    return { comm: stat.comm, ppid: stat.ppid, uid, startTime: stat.startTime, cgroup };
  } catch (e) {
    const code = errorCode(e);
    scan.warnings.push(
      GONE.has(code)
        ? { code: "vanished", pid, message: `process ${pid} exited while it was being read` }
        : { code: "unreadable", pid, message: `cannot read details of process ${pid}: ${code}` },
    );
    return null;
  }
}

/**
 * Whether the executable read last is one of the files the map showed (true when not read).
 * Compared as maps prints paths: there a newline is `\012`, and so are those four characters in
 * a name (parseMaps reads them as a newline), so a name cannot make its own process look replaced.
 */
function exeIsMapped(rec: ProcessRecord): boolean {
  if (rec.exe === null || rec.details === null) return true;
  const path = asInMaps(stripDeleted(rec.exe));
  return rec.maps.some((m) => asInMaps(m.path) === path);
}

const asInMaps = (path: ByteString): ByteString =>
  path.includes("\n") ? path.replaceAll("\n", "\\012") : path;

function statOrError(host: Host, path: ByteString): PathStat {
  try {
    return host.stat(path) ?? { error: "ENOENT" };
  } catch (e) {
    return { error: errorCode(e) };
  }
}

function readlinkOrNull(host: Host, path: ByteString): ByteString | null {
  try {
    return host.readlink(path);
  } catch {
    return null;
  }
}
