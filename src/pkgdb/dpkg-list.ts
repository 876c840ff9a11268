/**
 * /var/lib/dpkg/info/*.list → the packages that ship given paths.
 *
 * dpkg keeps no path index. Each installed package has a .list file named after its key ("libssl3:amd64"
 * for a Multi-Arch: same package, "bash" otherwise) holding one absolute path per line: its files,
 * symlinks and directories, under the names the package ships them (before diversions, see
 * dpkg-diversions.ts). A Debian 12 host has ~700 of them, ~7 MB, so a lookup never splits lines: it
 * searches the bytes for the path and checks that the hit is a whole line.
 *
 * /usr-merge: when /bin, /sbin and /lib* are symlinks into /usr, the kernel names a file by its /usr
 * path (maps shows /usr/lib/x86_64-linux-gnu/libc.so.6) while a package may list either spelling
 * (Debian 12's libc6 lists /lib/x86_64-linux-gnu/libc.so.6; packages moved since list /usr/...).
 * Both spellings are one file, so on a merged host either one matches.
 */
import type { ByteString } from "../model/bytes.js";

export interface ListFile {
  /** The .list basename without ".list": "libc6:amd64" or "bash". */
  key: string;
  content: Buffer;
}

/** The top-level directories usrmerge turns into symlinks to their /usr counterparts. */
const MERGED_DIRS = ["bin", "sbin", "lib", "lib32", "lib64", "libx32"] as const;

/**
 * The path without its /usr prefix when that spelling names the same file on a merged host
 * ("/usr/lib/x/libc.so.6" → "/lib/x/libc.so.6"), the path itself when it already is that spelling, and
 * null when it has no alias (not under one of the merged directories).
 */
export function usrMergeShortSpelling(path: ByteString): ByteString | null {
  const rest = path.startsWith("/usr/") ? path.slice(4) : path;
  for (const dir of MERGED_DIRS) {
    if (rest.length > dir.length + 2 && rest.startsWith(`/${dir}/`)) return rest;
  }
  return null;
}

/** Both spellings of a path on a merged host ([path] when it has no alias or the host is not merged). */
export function usrMergeSpellings(path: ByteString, usrMerged: boolean): ByteString[] {
  const short = usrMerged ? usrMergeShortSpelling(path) : null;
  if (short === null) return [path];
  return short === path ? [path, `/usr${path}`] : [path, short];
}

/**
 * For each path, the keys of the lists that contain it as a whole line (either spelling when
 * `usrMerged`), in the order the lists came; [] when none does. Every path is a key of the result.
 */
export function findOwners(
  lists: Iterable<ListFile>,
  paths: readonly ByteString[],
  usrMerged: boolean,
): Map<ByteString, string[]> {
  const search = new OwnerSearch(paths, usrMerged);
  for (const list of lists) search.add(list);
  return search.owners;
}

/**
 * findOwners() one list at a time, for a caller that decides from what is found so far whether the
 * next list is worth reading (dpkg.ts stops once every path has its owner).
 */
export class OwnerSearch {
  /** Path → keys of the lists that name it, so far; every path is a key. */
  readonly owners = new Map<ByteString, string[]>();
  /** Package names (without architecture) of the lists that named any path. */
  readonly ownerNames = new Set<string>();
  readonly #needles = new Map<string, Needle>();
  #unfound: number;

  constructor(paths: readonly ByteString[], usrMerged: boolean) {
    for (const path of paths) {
      if (this.owners.has(path)) continue;
      this.owners.set(path, []);
      const needle = makeNeedle(path, usrMerged);
      const same = this.#needles.get(needle.id);
      if (same === undefined) this.#needles.set(needle.id, needle);
      else same.paths.push(path);
    }
    this.#unfound = this.#needles.size;
  }

  /** Every path has at least one owner. */
  get allFound(): boolean {
    return this.#unfound === 0;
  }

  add(list: ListFile): void {
    for (const needle of this.#needles.values()) {
      if (!containsLine(list.content, needle)) continue;
      if (!needle.found) {
        needle.found = true;
        this.#unfound--;
      }
      this.ownerNames.add(packageName(list.key));
      for (const path of needle.paths) this.owners.get(path)!.push(list.key);
    }
  }
}

/**
 * What to search for: `body` is the path, or its short spelling when a "/usr" prefix may precede it.
 * The anchor is a short slice starting at the body's rarest byte: Buffer.indexOf finds a pattern by
 * memchr() on its first byte, so a rare first byte makes the scan run at memory speed, where a pattern
 * starting with "/" or "\n" (every line) would stop at every line.
 */
interface Needle {
  id: string;
  paths: ByteString[];
  found: boolean;
  body: Buffer;
  usrPrefix: boolean;
  anchor: Buffer;
  anchorAt: number;
}

const ANCHOR_LENGTH = 6; // below Node's Boyer-Moore threshold (7): a plain memchr-driven search

function makeNeedle(path: ByteString, usrMerged: boolean): Needle {
  const short = usrMerged ? usrMergeShortSpelling(path) : null;
  const bodyText = short ?? path;
  const body = Buffer.from(bodyText, "latin1");
  const anchorAt = rarestStart(body);
  return {
    id: `${short === null ? "=" : "~"}${bodyText}`,
    paths: [path],
    found: false,
    body,
    usrPrefix: short !== null,
    anchor: body.subarray(anchorAt, anchorAt + ANCHOR_LENGTH),
    anchorAt,
  };
}

/** True when `content` has a line equal to the needle's body (or to "/usr" + body). */
function containsLine(content: Buffer, n: Needle): boolean {
  const { body, anchor, anchorAt } = n;
  let hit = content.indexOf(anchor, anchorAt);
  while (hit !== -1) {
    const start = hit - anchorAt;
    const end = start + body.length;
    if (
      (end === content.length || content[end] === NL) &&
      content.compare(body, 0, body.length, start, end) === 0 &&
      (isLineStart(content, start) ||
        (n.usrPrefix &&
          start >= 4 &&
          content.compare(USR, 0, 4, start - 4, start) === 0 &&
          isLineStart(content, start - 4)))
    ) {
      return true;
    }
    hit = content.indexOf(anchor, hit + 1);
  }
  return false;
}

const NL = 10;
const USR = Buffer.from("/usr", "latin1");

function isLineStart(content: Buffer, at: number): boolean {
  return at === 0 || content[at - 1] === NL;
}

/**
 * Byte values in .list files from most to least frequent (counted over the 7.3 MB of lists of a
 * Debian 12 host). Only the speed of a lookup depends on it, never its result.
 */
const BY_FREQUENCY = "/seloraiutncdgpm-_b.h\nyk1fvxz2S36wE4A0C8j5MLG9IDRqTPN7OHBXFU+VKW:Y@JQZ ()";
const RARITY = new Uint8Array(256).fill(BY_FREQUENCY.length);
for (let i = 0; i < BY_FREQUENCY.length; i++) RARITY[BY_FREQUENCY.charCodeAt(i)] = i;

/**
 * Where the anchor starts: at the rarest byte that still leaves a full-length anchor, preferring the
 * later of equals (the file name is more distinctive than the directories).
 */
function rarestStart(body: Buffer): number {
  const last = Math.max(0, body.length - ANCHOR_LENGTH);
  let best = 0;
  for (let i = 1; i <= last; i++) {
    if (RARITY[body[i]!]! >= RARITY[body[best]!]!) best = i;
  }
  return best;
}

/** "libc6:amd64" → "libc6". */
export function packageName(key: string): string {
  const colon = key.indexOf(":");
  return colon === -1 ? key : key.slice(0, colon);
}

/**
 * The list keys most likely to name `paths`, to search before all the others: packages named after
 * the file ("dash" for /usr/bin/dash), after a library's soname by Debian's naming rule ("libssl3"
 * for libssl.so.3, "libgcc-s1" for libgcc_s.so.1, "libfoo2-1" for libfoo2.so.1, with the "t64"
 * variant), after a Python module ("python3-yaml" for …/dist-packages/yaml/…), and `alsoNames`
 * (the caller's own guesses). Every architecture of a chosen name is included: Multi-Arch: same
 * instances ship the same files. Only the speed of a lookup depends on this guess.
 */
export function likelyOwnerKeys(
  listKeys: readonly string[],
  paths: readonly ByteString[],
  alsoNames: Iterable<string>,
): string[] {
  const names = new Set(alsoNames);
  for (const path of paths) for (const name of guessPackageNames(path)) names.add(name);
  return listKeys.filter((key) => names.has(packageName(key)));
}

function guessPackageNames(path: ByteString): string[] {
  const base = path.slice(path.lastIndexOf("/") + 1).toLowerCase();
  const out = [base];
  const soname = /^(lib.+?)\.so\.(\d+)/s.exec(base);
  if (soname !== null) {
    const stem = soname[1]!.replaceAll("_", "-");
    const name = /\d$/.test(stem) ? `${stem}-${soname[2]}` : `${stem}${soname[2]}`;
    out.push(name, `${name}t64`, stem);
  }
  const python = /^\/(?:.*\/)?dist-packages\/([^/.]+)/s.exec(path);
  if (python !== null) out.push(`python3-${python[1]!.toLowerCase().replaceAll("_", "-")}`);
  return out;
}
