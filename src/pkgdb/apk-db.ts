/**
 * apk's installed database, /lib/apk/db/installed (apk-tools src/database.c, apk_db_index_read() and
 * apk_pkg_write_index_entry()): one record per package, records separated by a blank line, one
 * `X:value` field per line. The fields we use:
 *
 *     P:musl                  package name
 *     V:1.2.2-r3              version
 *     A:x86_64                architecture
 *     F:lib                   a directory (relative to the root, no leading or trailing slash)
 *     R:libc.musl-x86_64.so.1 a file (or symlink) in the last F: directory
 *     a:0:0:755, M:…, Z:Q1…   its attributes and checksum (skipped)
 *
 * A record's F:/R: lines may come before or after P:/V: in principle (apk writes P: first), so the
 * owner is settled at the record's end. Alpine up to 3.22 is not /usr-merged; newer images are, and
 * list usr/ paths: with `usrMerged`, both spellings of a path match.
 */
import type { ByteString } from "../model/bytes.js";
import { usrMergeSpellings } from "./dpkg-list.js";

export interface ApkPackage {
  name: string;
  version: string | null;
  arch: string | null;
}

export interface ApkOwners {
  /** Every asked path → names of the packages listing it ([] when none). */
  owners: Map<ByteString, string[]>;
  /** The packages named in `owners`, by name. */
  packages: Map<string, ApkPackage>;
}

/**
 * One pass over the database: owners of `paths` (absolute, as the kernel shows them). Latin1 text:
 * names of files are compared byte for byte.
 */
export function findApkOwners(text: string, paths: readonly ByteString[], usrMerged: boolean): ApkOwners {
  const owners = new Map<ByteString, string[]>();
  const wanted = new Map<string, ByteString[]>();
  for (const path of paths) {
    if (owners.has(path)) continue;
    owners.set(path, []);
    for (const spelling of usrMergeSpellings(path, usrMerged)) {
      if (!spelling.startsWith("/") || spelling.length < 2) continue;
      const rel = spelling.slice(1);
      const list = wanted.get(rel);
      if (list === undefined) wanted.set(rel, [path]);
      else list.push(path);
    }
  }
  const packages = new Map<string, ApkPackage>();
  if (wanted.size === 0) return { owners, packages };

  let pkg: ApkPackage = { name: "", version: null, arch: null };
  let dir = "";
  let hits: ByteString[] = [];
  const finish = () => {
    if (hits.length > 0 && pkg.name !== "") {
      packages.set(pkg.name, pkg);
      for (const path of hits) {
        const list = owners.get(path)!;
        if (!list.includes(pkg.name)) list.push(pkg.name);
      }
    }
    pkg = { name: "", version: null, arch: null };
    dir = "";
    hits = [];
  };
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    const line = text.charCodeAt(end - 1) === 0x0d ? text.slice(start, end - 1) : text.slice(start, end);
    start = end + 1;
    if (line === "") {
      finish();
      continue;
    }
    if (line.charCodeAt(1) !== 0x3a /* : */) continue;
    const value = line.slice(2);
    switch (line[0]) {
      case "P":
        pkg.name = value;
        break;
      case "V":
        pkg.version = value;
        break;
      case "A":
        pkg.arch = value;
        break;
      case "F":
        dir = value;
        break;
      case "R": {
        const found = wanted.get(dir === "" ? value : `${dir}/${value}`);
        if (found !== undefined) hits.push(...found);
        break;
      }
    }
  }
  finish();
  for (const list of owners.values()) list.sort();
  return { owners, packages };
}

/** Every record's name, version and arch (for tests and tools; lookups use findApkOwners()). */
export function parseApkPackages(text: string): ApkPackage[] {
  const out: ApkPackage[] = [];
  for (const record of text.split(/\r?\n\r?\n/)) {
    const pkg: ApkPackage = { name: "", version: null, arch: null };
    for (const line of record.split(/\r?\n/)) {
      if (line.startsWith("P:")) pkg.name = line.slice(2);
      else if (line.startsWith("V:")) pkg.version = line.slice(2);
      else if (line.startsWith("A:")) pkg.arch = line.slice(2);
    }
    if (pkg.name !== "") out.push(pkg);
  }
  return out;
}
