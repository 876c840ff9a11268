/**
 * /proc/PID/maps → the files a process maps.
 *
 * A line is exactly six fields: `start-end perms offset major:minor inode pathname`. The kernel pads
 * the inode with spaces up to a column before the pathname, and the pathname itself may contain
 * spaces, so only the first five separators split. The kernel escapes "\n" in a name as "\012"
 * (and nothing else, so a name that literally contains "\012" is ambiguous: kernel limitation),
 * and appends " (deleted)" when the file has been unlinked.
 *
 * This runs once per process on every scan, so it walks the text with indexOf rather than regexes,
 * and the lines of one file (a library is mapped 4–5 times in a row) are merged without copying.
 */
import type { ByteString } from "../model/bytes.js";
import type { FileMapping } from "../model/snapshot.js";

export const DELETED_SUFFIX = " (deleted)";

/** The path without the kernel's " (deleted)" mark (of an exe or fd link, or a maps name). */
export function stripDeleted(path: ByteString): ByteString {
  return path.endsWith(DELETED_SUFFIX) ? path.slice(0, -DELETED_SUFFIX.length) : path;
}

// x86-64's vsyscall page, which the kernel lists after every mapping of a 64-bit process: at an
// address no file can be mapped at, so no other line can look like it.
const GATE_START = "ffffffffff600000-ffffffffff601000 ";
const GATE_END = " [vsyscall]\n";

/**
 * Whether maps text read so far (`len` bytes of `buf`) ends with the vsyscall line, i.e. is all
 * of it: one read() fewer per process where there is one (x86-64); elsewhere the file is read
 * until read() returns 0, as any file.
 */
export function endsAtGate(buf: Buffer, len: number): boolean {
  if (len < GATE_START.length + GATE_END.length || buf[len - 1] !== 10) return false;
  const start = buf.lastIndexOf(10, len - 2) + 1;
  if (len - start > 2 * (GATE_START.length + GATE_END.length)) return false;
  const line = buf.toString("latin1", start, len);
  return line.startsWith(GATE_START) && line.endsWith(GATE_END);
}

/** Parses maps text (read as latin1) into one entry per mapped file, merged by path and inode. */
export function parseMaps(text: ByteString): FileMapping[] {
  const out: FileMapping[] = [];
  let byPath: Map<string, FileMapping[]> | null = null;
  let last: FileMapping | null = null;
  let lastRaw = ""; // the raw "dev inode   path" tail of the previous file line
  const len = text.length;
  let pos = 0;
  while (pos < len) {
    let eol = text.indexOf("\n", pos);
    if (eol === -1) eol = len;
    const start = pos;
    pos = eol + 1;
    const sp1 = text.indexOf(" ", start); // after start-end
    const sp2 = sp1 === -1 ? -1 : text.indexOf(" ", sp1 + 1); // after perms
    const sp3 = sp2 === -1 ? -1 : text.indexOf(" ", sp2 + 1); // after offset
    const sp4 = sp3 === -1 ? -1 : text.indexOf(" ", sp3 + 1); // after dev
    if (sp4 === -1 || sp4 >= eol) continue; // malformed
    let sp5 = text.indexOf(" ", sp4 + 1); // after inode
    if (sp5 === -1 || sp5 > eol) sp5 = eol;
    let p = sp5;
    while (p < eol && text.charCodeAt(p) === 32) p++;
    // Only file-backed mappings have a pathname starting with "/"; [heap], [vdso] and anonymous don't.
    if (p >= eol || text.charCodeAt(p) !== 47) continue;
    const exec = text.charCodeAt(sp1 + 3) === 120; // perms "rwxp": 'x' at index 2
    // Same file as the line before (the common case): compare in place, allocate nothing.
    if (last !== null && eol - sp3 === lastRaw.length && text.startsWith(lastRaw, sp3)) {
      if (exec) last.exec = true;
      continue;
    }
    let path = text.slice(p, eol);
    let deleted = false;
    if (path.endsWith(DELETED_SUFFIX)) {
      deleted = true;
      path = path.slice(0, path.length - DELETED_SUFFIX.length);
    }
    if (path.includes("\\012")) path = path.replaceAll("\\012", "\n");
    const inode = text.slice(sp4 + 1, sp5);
    lastRaw = text.slice(sp3, eol);
    byPath ??= new Map();
    const dev = text.slice(sp3 + 1, sp4);
    const same = byPath.get(path)?.find((m) => m.inode === inode && m.dev === dev && m.deleted === deleted);
    if (same !== undefined) {
      if (exec) same.exec = true;
      last = same;
      continue;
    }
    last = { path, deleted, dev, inode, exec };
    out.push(last);
    const list = byPath.get(path);
    if (list === undefined) byPath.set(path, [last]);
    else list.push(last);
  }
  return out;
}
