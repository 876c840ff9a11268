/**
 * pacman (Arch Linux and derivatives): owners of paths from local/<pkg>/files, installed versions
 * from local/<pkg>/desc, the version an upgrade replaced from /var/log/pacman.log.
 *
 * We read the database directly rather than running `pacman -Qo`: it would read the same files, plus
 * start a process per query. An Arch system has ~1000 entries; each `files` is read at most once,
 * only when there are paths to look up, and all paths are searched in that one read. pacman gives a
 * file one owner, so the search stops as soon as every path has one, with the packages the log shows
 * upgraded (the ones whose files go stale) searched first. Parsing lives in src/pkgdb/pacman-*.ts.
 */
import { errorCode, type Host, isFile } from "../collect/host.js";
import type { ByteString } from "../model/bytes.js";
import type { PackageIndex, PackageInfo } from "../model/snapshot.js";
import type { Warning } from "../model/warning.js";
import { type FilesFile, findPacmanOwners, parseDesc, splitEntryName } from "../pkgdb/pacman-db.js";
import { indexPacmanLog, type PacmanLogEvent } from "../pkgdb/pacman-log.js";
import type { PackageLookup, PackageManager } from "./packages.js";

const DBPATH = "/var/lib/pacman";
const LOCAL = `${DBPATH}/local`;
const LOG = "/var/log/pacman.log";

export const pacman: PackageManager = {
  name: "pacman",
  // libalpm writes ALPM_DB_VERSION when it creates the local database.
  detect: (host) => isFile(host, `${LOCAL}/ALPM_DB_VERSION`),
  lookup: lookupPacman,
};

function lookupPacman(host: Host, paths: ByteString[], usrMerged: boolean): PackageLookup {
  const index: PackageIndex = { manager: "pacman", owners: {}, packages: {} };
  const warnings: Warning[] = [];
  const unique = [...new Set(paths)];
  if (unique.length === 0) return { index, warnings };

  let entries: { dir: string; name: string }[];
  try {
    entries = host
      .readdir(LOCAL)
      .map((dir) => ({ dir, split: splitEntryName(dir) }))
      .filter((e) => e.split !== null)
      .map((e) => ({ dir: e.dir, name: e.split!.name }))
      .sort((a, b) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0));
  } catch (e) {
    warnings.push(pkgdbWarning(LOCAL, e));
    return { index, warnings };
  }
  const log = readLog(host);
  // Likely owners first: packages the log says were replaced (their files are the ones gone stale).
  const likely = entries.filter((e) => log.get(e.name)?.action !== "installed" && log.has(e.name));
  const rest = entries.filter((e) => !(log.get(e.name)?.action !== "installed" && log.has(e.name)));
  const unreadable: { dir: string; error: unknown }[] = [];
  function* files(): Generator<FilesFile> {
    for (const entry of [...likely, ...rest]) {
      try {
        // findPacmanOwners() searches each buffer once and keeps nothing of it.
        yield { key: entry.name, content: host.readTransient(`${LOCAL}/${entry.dir}/files`) };
      } catch (error) {
        // A package being removed by a concurrent pacman can lose its entry between readdir and read.
        unreadable.push({ dir: entry.dir, error });
      }
    }
  }
  const owners = findPacmanOwners(files(), unique, usrMerged, true);
  if (unreadable.length > 0) {
    const some = unreadable.slice(0, 3).map((u) => `${u.dir}/files`);
    warnings.push({
      code: "pkgdb",
      message: `${unreadable.length} package file list(s) in ${LOCAL} could not be read (${some.join(", ")}${
        unreadable.length > 3 ? ", …" : ""
      }: ${errorCode(unreadable[0]!.error)}); owners may be missing`,
    });
  }

  const keys = new Set<string>();
  for (const [path, found] of owners) {
    index.owners[path] = found.sort();
    for (const key of found) keys.add(key);
  }
  for (const key of [...keys].sort()) {
    const entry = entries.find((e) => e.name === key)!;
    index.packages[key] = packageInfo(host, key, entry.dir, log.get(key), warnings);
  }
  return { index, warnings };
}

function packageInfo(
  host: Host,
  name: string,
  dir: string,
  event: PacmanLogEvent | undefined,
  warnings: Warning[],
): PackageInfo {
  let version: string | null = splitEntryName(dir)?.version ?? null;
  let arch: string | null = null;
  const descPath = `${LOCAL}/${dir}/desc`;
  try {
    const desc = parseDesc(host.readText(descPath));
    if (desc !== null) {
      version = desc.version;
      arch = desc.arch;
    }
  } catch (e) {
    warnings.push(pkgdbWarning(descPath, e));
  }
  // Only an event that produced the installed version replaced the files in use.
  const replaced = event !== undefined && event.version === version && event.previousVersion !== null;
  return {
    name,
    arch,
    version,
    previousVersion: replaced ? event.previousVersion : null,
    upgradedAt: replaced ? event.at : null,
  };
}

/** pacman.log, once: not the database, so a missing or unreadable log is no warning. */
function readLog(host: Host): Map<string, PacmanLogEvent> {
  try {
    return indexPacmanLog(host.readText(LOG));
  } catch {
    return new Map();
  }
}

function pkgdbWarning(path: string, e: unknown): Warning {
  const detail = e instanceof Error && errorCode(e) === "EUNKNOWN" ? e.message : errorCode(e);
  return { code: "pkgdb", message: `cannot read the pacman database: ${path}: ${detail}` };
}
