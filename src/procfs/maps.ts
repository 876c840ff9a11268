/**
 * /proc/PID/maps → the files a process maps.
 *
 * A line is exactly six fields: `start-end perms offset major:minor inode pathname`. The kernel pads
 * the inode with spaces up to a column before the pathname, and the pathname itself may contain
 * spaces, so only the first five separators split. The kernel escapes "\n" in a name as "\012"
 * (and nothing else, so a name that literally contains "\012" is ambiguous: kernel limitation),
 * and appends " (deleted)" when the file has been unlinked.
 *
 * This runs once per process on every scan, so it walks the text with indexOf rather than regexes.
 */
import type { ByteString } from "../model/bytes.js";
import type { FileMapping } from "../model/snapshot.js";

export const DELETED_SUFFIX = " (deleted)";

/** Parses maps text (read as latin1) into one entry per mapped file, merged by path and inode. */
export function parseMaps(text: ByteString): FileMapping[] {
  const out: FileMapping[] = [];
  const seen = new Map<string, FileMapping>();
  const len = text.length;
  let pos = 0;
  while (pos < len) {
    let eol = text.indexOf("\n", pos);
    if (eol === -1) eol = len;
    const entry = parseLine(text, pos, eol);
    pos = eol + 1;
    if (entry === null) continue;
    const key = `${entry.inode}\0${entry.path}`;
    const prev = seen.get(key);
    if (prev === undefined) {
      seen.set(key, entry);
      out.push(entry);
    } else if (entry.exec) {
      prev.exec = true;
    }
  }
  return out;
}

/** One line; null for anonymous and pseudo mappings ([heap], [vdso], …) and malformed lines. */
function parseLine(text: string, start: number, end: number): FileMapping | null {
  const sp1 = text.indexOf(" ", start); // after start-end
  if (sp1 === -1 || sp1 >= end) return null;
  const sp2 = text.indexOf(" ", sp1 + 1); // after perms
  if (sp2 === -1 || sp2 >= end) return null;
  const sp3 = text.indexOf(" ", sp2 + 1); // after offset
  if (sp3 === -1 || sp3 >= end) return null;
  const sp4 = text.indexOf(" ", sp3 + 1); // after dev
  if (sp4 === -1 || sp4 >= end) return null;
  let sp5 = text.indexOf(" ", sp4 + 1); // after inode
  if (sp5 === -1 || sp5 > end) sp5 = end;
  let p = sp5;
  while (p < end && text.charCodeAt(p) === 32) p++;
  // Only file-backed mappings have a pathname starting with "/".
  if (p >= end || text.charCodeAt(p) !== 47) return null;
  let path = text.slice(p, end);
  let deleted = false;
  if (path.endsWith(DELETED_SUFFIX)) {
    deleted = true;
    path = path.slice(0, path.length - DELETED_SUFFIX.length);
  }
  if (path.includes("\\012")) path = path.replaceAll("\\012", "\n");
  return {
    path,
    deleted,
    dev: text.slice(sp3 + 1, sp4),
    inode: text.slice(sp4 + 1, sp5),
    exec: text.charCodeAt(sp1 + 3) === 120, // perms "rwxp": 'x' at index 2
  };
}
