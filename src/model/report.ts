/** The Report: what analysis concluded from a Snapshot. Renderers turn it into text or JSON. */
import type { ByteString } from "./bytes.js";
import type { Owner } from "./owner.js";
import type { RebootVerdict } from "./reboot.js";
import type { HostInfo, PackageInfo } from "./snapshot.js";
import type { Warning } from "./warning.js";

export interface Report {
  collectedAt: string;
  host: HostInfo;
  scannerUid: number;
  ownProcessesOnly: boolean;
  processesScanned: number;
  complete: boolean;
  warnings: Warning[];
  stale: StaleProcess[];
  /** The hits ignore rules dismissed, when they were asked for (--explain); null when not listed. */
  ignored: IgnoredHit[] | null;
  /** Every package behind a stale file, keyed as in StaleFile.package. */
  packages: Record<string, PackageInfo>;
  /** Whether the machine needs a reboot; null when the snapshot does not tell (older snapshots). */
  reboot: RebootVerdict | null;
}

export interface StaleProcess {
  pid: number;
  ppid: number | null;
  uid: number | null;
  comm: ByteString | null;
  /** The executable path (without " (deleted)"). */
  exe: ByteString | null;
  /** The systemd unit that owns the process (system unit, or user@UID.service for user units). */
  unit: string | null;
  /** The unit inside a user manager, when the process belongs to one. */
  userUnit: string | null;
  cgroup: string | null;
  /** What must be restarted (or who must log out) for this process to run new code. */
  owner: Owner;
  /**
   * On a host without systemd, for a process no unit owns: the init script (/etc/init.d/NAME) of
   * the package that ships its program, when one clearly applies.
   */
  initScript: string | null;
  /** The process lives in another mount namespace (a container): its files are the image's. */
  inContainerImage: boolean;
  files: StaleFile[];
}

export type StaleKind = "executable" | "mapping" | "open-file";

export interface StaleFile {
  path: ByteString;
  kind: StaleKind;
  /** "deleted": the kernel marks the file deleted; "replaced": the path now holds another inode. */
  reason: "deleted" | "replaced";
  inode: string;
  /** Key into Report.packages, or null when no package owns the path. */
  package: string | null;
}

export interface IgnoredHit {
  pid: number;
  path: ByteString;
  kind: StaleKind;
  rule: string;
  reason: string;
}
