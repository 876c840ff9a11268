/**
 * /var/lib/dpkg/diversions → who really owns the file at a diverted path.
 *
 * The file is a sequence of three-line records: the diverted path, the path the file goes to instead,
 * and the package that made the diversion (":" for a local one, made by the administrator). A package's
 * .list file always names the path the package ships, never where a diversion put it, so:
 * - at the diverted-to path lies what the *other* packages ship under the original name;
 * - at the diverted path lies the diverting package's own file (if it ships one; for a local diversion,
 *   nobody's). Debian 12 has dash divert /bin/sh this way, and postgresql-common divert libpq-dev's
 *   /usr/bin/pg_config.
 * `dpkg -S` prints every list that names a path, diverted or not; this module answers for the file on disk.
 */
import type { ByteString } from "../model/bytes.js";
import { packageName, usrMergeSpellings } from "./dpkg-list.js";

export interface Diversion {
  /** The path packages ship. */
  from: ByteString;
  /** Where dpkg puts their file instead. */
  to: ByteString;
  /** Package name (no architecture: a diversion belongs to the whole package set), null for a local diversion. */
  by: string | null;
}

/** Parses the diversions file. Throws when it is not made of whole three-line records. */
export function parseDiversions(text: ByteString): Diversion[] {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  if (lines.length % 3 !== 0) {
    throw new Error(`diversions file has ${lines.length} lines, not a multiple of 3`);
  }
  const out: Diversion[] = [];
  for (let i = 0; i < lines.length; i += 3) {
    const by = lines[i + 2]!;
    out.push({ from: lines[i]!, to: lines[i + 1]!, by: by === ":" ? null : by });
  }
  return out;
}

/** Diversions by either end, under every spelling of the path (see usrMergeSpellings). */
export interface DiversionTable {
  readonly from: ReadonlyMap<ByteString, Diversion>;
  readonly to: ReadonlyMap<ByteString, Diversion>;
}

export function diversionTable(diversions: readonly Diversion[], usrMerged: boolean): DiversionTable {
  const from = new Map<ByteString, Diversion>();
  const to = new Map<ByteString, Diversion>();
  for (const d of diversions) {
    for (const p of usrMergeSpellings(d.from, usrMerged)) from.set(p, d);
    for (const p of usrMergeSpellings(d.to, usrMerged)) to.set(p, d);
  }
  return { from, to };
}

/**
 * The paths to look up in the .list files to know who owns `path` on disk: the path itself, and for a
 * diverted-to path the original name its owners list.
 */
export function listedNamesFor(path: ByteString, table: DiversionTable): ByteString[] {
  const d = table.from.has(path) ? undefined : table.to.get(path);
  return d === undefined ? [path] : [path, d.from];
}

/**
 * Owners of the file on disk at `path`, given `listed(name)`: the keys of the lists naming `name`
 * (as findOwners answers, for every name listedNamesFor returned).
 */
export function ownersOnDisk(
  path: ByteString,
  listed: (name: ByteString) => readonly string[],
  table: DiversionTable,
): string[] {
  const from = table.from.get(path);
  if (from !== undefined) {
    // Only the diverting package's own file stays here; everyone else's went to `from.to`.
    return listed(path).filter((key) => packageName(key) === from.by);
  }
  const to = table.to.get(path);
  if (to !== undefined) {
    const owners = listed(to.from).filter((key) => packageName(key) !== to.by);
    for (const key of listed(path)) if (!owners.includes(key)) owners.push(key);
    return owners;
  }
  return [...listed(path)];
}
