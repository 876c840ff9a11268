/**
 * pacman's local database: /var/lib/pacman/local/<name>-<pkgver>-<pkgrel>/ holds, per installed
 * package, `desc` (its metadata) and `files` (what it installed), both in libalpm's section format
 * (lib/libalpm/be_local.c): a `%SECTION%` line, one value per line, a blank line to end it.
 *
 * `files` lists paths relative to the root, WITHOUT a leading slash, directories ending in '/':
 *
 *     %FILES%
 *     usr/
 *     usr/lib/
 *     usr/lib/libfoo.so.1
 *
 *     %BACKUP%
 *     etc/foo.conf	<md5>
 *
 * pacman refuses to install a file another package owns (unless --overwrite), so one path has one
 * owner; an Arch system has ~1000 packages, so a lookup searches each `files` buffer for whole lines
 * rather than splitting them.
 *
 * /usr-merge: Arch's /bin, /sbin, /lib and /lib64 are symlinks into /usr and packages list only the
 * usr/ spelling, while a process may name either: on a merged host both spellings match.
 */
import type { ByteString } from "../model/bytes.js";
import { usrMergeSpellings } from "./dpkg-list.js";

/** A parsed desc (or any section file): section name (without %) → its lines. */
export type Sections = ReadonlyMap<string, readonly string[]>;

export function parseSections(text: string): Sections {
  const out = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const raw of text.split("\n")) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (current === null) {
      if (line.length > 2 && line.startsWith("%") && line.endsWith("%")) {
        current = [];
        out.set(line.slice(1, -1), current);
      }
    } else if (line === "") {
      current = null;
    } else {
      current.push(line);
    }
  }
  return out;
}

export interface PacmanDesc {
  name: string;
  /** "[epoch:]pkgver-pkgrel" */
  version: string;
  arch: string | null;
  /** Seconds since the epoch, as pacman writes them; null when absent. */
  buildDate: number | null;
  installDate: number | null;
}

/** The desc fields we use; null when %NAME% or %VERSION% is missing (a damaged entry). */
export function parseDesc(text: string): PacmanDesc | null {
  const s = parseSections(text);
  const first = (key: string): string | null => s.get(key)?.[0] ?? null;
  const num = (key: string): number | null => {
    const v = first(key);
    return v !== null && /^\d+$/.test(v) ? Number(v) : null;
  };
  const name = first("NAME");
  const version = first("VERSION");
  if (name === null || version === null) return null;
  return { name, version, arch: first("ARCH"), buildDate: num("BUILDDATE"), installDate: num("INSTALLDATE") };
}

/**
 * The files section of a `files` file: paths as written (relative, directories ending in '/').
 * For tests and small tools; lookups use findPacmanOwners(), which does not split.
 */
export function parseFiles(text: string): string[] {
  return [...(parseSections(text).get("FILES") ?? [])];
}

/**
 * A local db entry directory name split into package name and version: "<name>-<pkgver>-<pkgrel>",
 * where neither pkgver nor pkgrel may hold a '-'. null for a name without two dashes.
 */
export function splitEntryName(entry: string): { name: string; version: string } | null {
  const rel = entry.lastIndexOf("-");
  if (rel <= 0) return null;
  const ver = entry.lastIndexOf("-", rel - 1);
  if (ver <= 0) return null;
  return { name: entry.slice(0, ver), version: entry.slice(ver + 1) };
}

/** One package's `files`, read by the caller (Buffer of latin1 bytes). */
export interface FilesFile {
  /** The package name: index key. */
  key: string;
  content: Buffer;
}

/** How `path` (absolute, as the kernel shows it) may be written in a `files` list. */
export function dbSpellings(path: ByteString, usrMerged: boolean): ByteString[] {
  return usrMergeSpellings(path, usrMerged)
    .filter((p) => p.startsWith("/") && p.length > 1)
    .map((p) => p.slice(1));
}

/**
 * For each path, the keys of the `files` whose %FILES% section lists it (either /usr-merge spelling
 * when `usrMerged`), in the order the files came; [] when none does. Every path is a key of the
 * result. With `stopWhenAllFound`, the iteration stops as soon as every path has an owner (pacman
 * gives a file one owner), so the caller can put likely owners first and skip reading the rest.
 */
export function findPacmanOwners(
  files: Iterable<FilesFile>,
  paths: readonly ByteString[],
  usrMerged: boolean,
  stopWhenAllFound = false,
): Map<ByteString, string[]> {
  const out = new Map<ByteString, string[]>();
  const needles: { path: ByteString; lines: Buffer[] }[] = [];
  for (const path of paths) {
    if (out.has(path)) continue;
    out.set(path, []);
    const lines = dbSpellings(path, usrMerged).map((rel) => Buffer.from(`\n${rel}\n`, "latin1"));
    if (lines.length > 0) needles.push({ path, lines });
  }
  if (needles.length === 0) return out;
  let open = needles.length;
  for (const file of files) {
    const end = filesSectionEnd(file.content);
    if (end === -1) continue;
    for (const needle of needles) {
      if (!needle.lines.some((line) => hasLine(file.content, line, end))) continue;
      const owners = out.get(needle.path)!;
      if (owners.length === 0) open--;
      owners.push(file.key);
    }
    if (stopWhenAllFound && open === 0) break;
  }
  return out;
}

const FILES_HEADER = Buffer.from("%FILES%\n", "latin1");
const SECTION_END = Buffer.from("\n\n", "latin1");

/**
 * The byte offset where the %FILES% section ends (its closing blank line, or the end), counting from
 * the newline before its first path; -1 when there is no %FILES% section. Lines of later sections
 * (%BACKUP% holds "path\tmd5") must not match.
 */
function filesSectionEnd(content: Buffer): number {
  const at = content.indexOf(FILES_HEADER);
  if (at !== 0 && (at === -1 || content[at - 1] !== 0x0a)) return -1;
  const blank = content.indexOf(SECTION_END, at + FILES_HEADER.length - 1);
  return blank === -1 ? content.length : blank + 1;
}

/** `line` is "\npath\n": found wholly before `end`, or as the first path right after the header. */
function hasLine(content: Buffer, line: Buffer, end: number): boolean {
  const at = content.indexOf(line);
  return at !== -1 && at + line.length <= end;
}
