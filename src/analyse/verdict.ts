/**
 * Is the file a process uses still the file at its path? The pure core of detection.
 *
 * 1. The kernel appends " (deleted)" to a name whose dentry was unlinked: dpkg, rpm and pacman
 *    replace a file by renaming a new one over it, which unlinks the old one. A live file may
 *    literally be named "x (deleted)", so a deleted mark only counts when no file with that exact
 *    name holds the same inode.
 * 2. Otherwise the inode in maps is compared with stat() of the path in the process's own view.
 *    Only the inode is compared: device numbers legitimately differ between maps and stat() on
 *    btrfs (subvolumes get anonymous devices), overlayfs (maps shows the underlying layer's device)
 *    and OpenVZ/simfs. While a mapping lives its inode cannot be reused on the same filesystem, so an
 *    equal inode number means the same file.
 * 3. overlayfs with xino stores the layer's fsid in the top bits of st_ino, while maps shows the
 *    real inode of the layer: equal low bits and a device mismatch is the same file.
 */
import type { ByteString } from "../model/bytes.js";
import type { PathStat } from "../model/snapshot.js";
import { DELETED_SUFFIX } from "../procfs/maps.js";

export type Verdict = "live" | "deleted" | "replaced" | "unknown";

/**
 * @param stats what stat() saw in the process's view, by path
 * @param dev maps' "major:minor", or null for open files (compared by inode only)
 */
export function judge(
  path: ByteString,
  deleted: boolean,
  dev: string | null,
  inode: string | null,
  stats: Readonly<Record<ByteString, PathStat>> | undefined,
): Verdict {
  if (deleted) {
    const literal = stats?.[path + DELETED_SUFFIX];
    if (literal !== undefined && "ino" in literal && inode !== null && sameFile(literal, dev, inode)) {
      return "live";
    }
    return "deleted";
  }
  const now = stats?.[path];
  if (now === undefined || inode === null) return "unknown";
  // The kernel says the name is still linked; if the path cannot be resolved from here (a mount
  // we cannot see), there is no evidence of replacement: never cry wolf.
  if ("error" in now) return "unknown";
  return sameFile(now, dev, inode) ? "live" : "replaced";
}

function sameFile(st: { dev: string; ino: string }, dev: string | null, inode: string): boolean {
  if (st.ino === inode) return true;
  return dev !== null && st.dev !== dev && isXinoOf(st.ino, inode);
}

/** st_ino = real inode | fsid << (64 - xino bits): only high bits (≥ 32) added to the real inode. */
export function isXinoOf(statIno: string, realIno: string): boolean {
  let s: bigint;
  let r: bigint;
  try {
    s = BigInt(statIno);
    r = BigInt(realIno);
  } catch {
    return false;
  }
  const added = s ^ r;
  if (added === 0n || (added & r) !== 0n) return false;
  return (added & 0xffffffffn) === 0n;
}
