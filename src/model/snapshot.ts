/**
 * The Snapshot: everything `collect` read from the host, as plain JSON-serialisable data.
 * `--dump-snapshot` writes it and `--from-snapshot` replays it, so analysis never needs the host.
 */
import type { ByteString } from "./bytes.js";
import type { KernelFacts } from "./kernel.js";
import type { MicrocodeStatus, RebootFlag } from "./reboot.js";
import type { Warning } from "./warning.js";

export const SNAPSHOT_FORMAT = "afterpatch-snapshot/1";

/** ProcessRecord.view of the processes that share the scanner's mount namespace. */
export const HOST_VIEW = "host";

export interface Snapshot {
  format: typeof SNAPSHOT_FORMAT;
  collectedAt: string;
  host: HostInfo;
  scanner: Scanner;
  processes: ProcessRecord[];
  /** view key → path → what stat() saw at that path in that view (see ProcessRecord.view). */
  views: Record<string, Record<ByteString, PathStat>>;
  packages: PackageIndex | null;
  /** What decides whether a reboot is needed; absent in older snapshots. */
  reboot?: RebootFacts;
  warnings: Warning[];
}

export interface RebootFacts {
  kernel: KernelFacts;
  /**
   * Judged while collecting: the firmware files it is judged from are megabytes of binary, not
   * worth carrying in a snapshot (analyse/microcode.ts decides, from what collect read).
   */
  microcode: MicrocodeStatus;
  flags: RebootFlag[];
  /** The running systemd's version, from the library PID 1 maps; null when unknown or not systemd. */
  systemdVersion: number | null;
  /** Why this is a container ("/.dockerenv", …), or null: then the kernel is the host's business. */
  container: string | null;
}

export interface HostInfo {
  hostname: string;
  kernelRelease: string;
  /** /bin, /sbin, /lib are symlinks into /usr: dpkg may list either spelling of a path. */
  usrMerged: boolean;
  packageManager: PackageManagerName | null;
  /**
   * The service manager: "systemd" (/run/systemd/system exists), "openrc" (/run/openrc), or
   * "other" (sysvinit, runit…). Older snapshots lack it: read as "systemd".
   */
  initSystem?: "systemd" | "openrc" | "other";
}

export interface Scanner {
  pid: number;
  uid: number;
  /** Only the scanner's own processes were readable (not root). */
  ownProcessesOnly: boolean;
}

export interface ProcessRecord {
  pid: number;
  /**
   * How this process's paths are resolved: "host" when it shares the scanner's mount namespace
   * (maps paths are then relative to our root, even for a chrooted process), otherwise
   * "mnt:<ns inode>:<root link>" for a container, resolved through /proc/PID/root.
   */
  view: string;
  /** Target of /proc/PID/exe, " (deleted)" kept as the kernel shows it; null if unreadable or not read. */
  exe: ByteString | null;
  /**
   * Mapped files. A normal run keeps only those that may be stale (marked deleted, or another inode
   * at the path); with --dump-snapshot every mapped file is kept.
   */
  maps: FileMapping[];
  /**
   * Open regular files the kernel marks deleted; live open files are not recorded. Read only for
   * processes that run code from open files (analyse/fd-readers.ts), or for all with --dump-snapshot.
   */
  fds: OpenFile[];
  /** Read only for processes that have something to report (or for every process with --dump-snapshot). */
  details: ProcessDetails | null;
}

export interface ProcessDetails {
  comm: ByteString;
  ppid: number;
  /** Owner of /proc/PID: the effective uid (root for a process that made itself non-dumpable). */
  uid: number;
  /** Clock ticks after boot, field 22 of /proc/PID/stat. */
  startTime: string;
  /** Raw /proc/PID/cgroup, or null when unreadable. */
  cgroup: string | null;
}

/** One file mapped by a process, merged over all its mappings of the same file (path, device, inode). */
export interface FileMapping {
  /** Path as the kernel prints it, "\012" decoded, " (deleted)" removed. */
  path: ByteString;
  /** The kernel appended " (deleted)". A live file may literally be named so: analysis checks. */
  deleted: boolean;
  /** "major:minor" in hex, as printed in maps. */
  dev: string;
  /** Decimal, unsigned 64-bit (overlayfs xino sets bit 63): kept as a string. */
  inode: string;
  /** At least one mapping of this file is executable: it maps code. */
  exec: boolean;
}

export interface OpenFile {
  fd: number;
  path: ByteString;
  deleted: boolean;
  /** From stat() of /proc/PID/fd/N, i.e. of the open file itself; null if that failed. */
  inode: string | null;
  mode: number | null;
}

export type PathStat = { dev: string; ino: string; mode: number } | { error: string };

/** Package ownership of the paths analysis may report, read once from the package database. */
export interface PackageIndex {
  manager: PackageManagerName;
  /** path → owning package keys ("name" or "name:arch", as dpkg names its .list file). */
  owners: Record<ByteString, string[]>;
  packages: Record<string, PackageInfo>;
  /** On a host without systemd: the init scripts of the packages of programs no unit owns. */
  initScripts?: Record<string, string[]>;
}

export interface PackageInfo {
  name: string;
  arch: string | null;
  /** Version installed now, from the status file. */
  version: string | null;
  /** The version the last upgrade replaced, from dpkg.log; null if the log does not say. */
  previousVersion: string | null;
  /** When that upgrade happened ("YYYY-MM-DD HH:MM:SS", local time, as dpkg.log writes it). */
  upgradedAt: string | null;
}

export type PackageManagerName = "dpkg" | "rpm" | "pacman" | "apk";
