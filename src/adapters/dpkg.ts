/**
 * dpkg (Debian, Ubuntu and derivatives): owners of paths from info/*.list with diversions applied,
 * installed versions from status, the version an upgrade replaced from /var/log/dpkg.log.
 *
 * We read the database files directly rather than running `dpkg -S`/`dpkg-query`: they would read
 * the same files, plus start a process, and `dpkg -S` names every list holding a diverted path where
 * we want the package whose file is on disk. Each file is read at most once per lookup; the parsing
 * lives in src/pkgdb/.
 */
import { errorCode, type Host, isFile } from "../collect/host.js";
import type { ByteString } from "../model/bytes.js";
import type { PackageIndex, PackageInfo } from "../model/snapshot.js";
import type { Warning } from "../model/warning.js";
import {
  type DiversionTable,
  diversionTable,
  listedNamesFor,
  ownersOnDisk,
  parseDiversions,
} from "../pkgdb/dpkg-diversions.js";
import { likelyOwnerKeys, OwnerSearch, packageName } from "../pkgdb/dpkg-list.js";
import { indexUpgrades, type LogUpgrade, lastUpgrade, type UpgradeIndex } from "../pkgdb/dpkg-log.js";
import {
  findStatusEntries,
  hasFilesOnDisk,
  initScriptPackages,
  type StatusEntry,
} from "../pkgdb/dpkg-status.js";
import type { InitScriptLookup, PackageLookup, PackageManager } from "./packages.js";

const ADMIN = "/var/lib/dpkg";
const STATUS = `${ADMIN}/status`;
const INFO = `${ADMIN}/info`;
const DIVERSIONS = `${ADMIN}/diversions`;
/** dpkg.log first; the previous month's only for packages the current one does not explain. */
const LOGS = ["/var/log/dpkg.log", "/var/log/dpkg.log.1"];

export const dpkg: PackageManager = {
  name: "dpkg",
  // dpkg registers itself: a status file without info/dpkg.list is another system's dpkg tools.
  detect: (host) => isFile(host, STATUS) && isFile(host, `${INFO}/dpkg.list`),
  lookup: lookupDpkg,
  initScripts: initScriptsDpkg,
};

function lookupDpkg(host: Host, paths: ByteString[], usrMerged: boolean): PackageLookup {
  const index: PackageIndex = { manager: "dpkg", owners: {}, packages: {} };
  const warnings: Warning[] = [];
  const unique = [...new Set(paths)];
  if (unique.length === 0) return { index, warnings };

  const table = readDiversions(host, usrMerged, warnings);
  const logs = new LogReader(host);
  const owners = readOwners(host, unique, usrMerged, table, logs, warnings);
  if (owners === null) return { index, warnings };
  const keys = new Set<string>();
  for (const [path, found] of owners) {
    index.owners[path] = found;
    for (const key of found) keys.add(key);
  }
  if (keys.size === 0) return { index, warnings };

  const status = readStatus(host, [...keys], warnings);
  for (const key of [...keys].sort()) {
    const entry = status.get(key);
    const version = entry !== undefined && hasFilesOnDisk(entry.status) ? entry.version : null;
    index.packages[key] = packageInfo(
      key,
      entry,
      version,
      version === null ? undefined : logs.upgradeTo(key, version),
    );
  }
  return { index, warnings };
}

/**
 * Only packages that ship an init script can restart a program through one, and dpkg's status names
 * them (initScriptPackages): a program is searched for in their few lists, never in every list as an
 * owner lookup would (a program of no package, in /usr/local or /opt, is common).
 */
function initScriptsDpkg(host: Host, programs: readonly ByteString[], usrMerged: boolean): InitScriptLookup {
  const out: InitScriptLookup = { owners: {}, scripts: {} };
  let withScripts: Map<string, string[]>;
  try {
    withScripts = initScriptPackages(host.readText(STATUS));
  } catch {
    return out; // the lookup already warned about an unreadable status file
  }
  const search = new OwnerSearch(programs, usrMerged);
  for (const key of [...withScripts.keys()].sort()) {
    try {
      search.add({ key, content: host.readTransient(`${INFO}/${key}.list`) });
    } catch {
      // removed meanwhile: it restarts nothing now
    }
  }
  for (const [program, keys] of search.owners) {
    if (keys.length > 0) out.owners[program] = keys.sort();
    const base = program.slice(program.lastIndexOf("/") + 1);
    const shippers = [...withScripts].filter(([, names]) => names.includes(base)).map(([key]) => key);
    if (shippers.length > 0) out.owners[`/etc/init.d/${base}`] = shippers.sort();
  }
  for (const keys of Object.values(out.owners))
    for (const key of keys) out.scripts[key] = withScripts.get(key)!;
  return out;
}

function packageInfo(
  key: string,
  entry: StatusEntry | undefined,
  version: string | null,
  upgrade: LogUpgrade | undefined,
): PackageInfo {
  const colon = key.indexOf(":");
  return {
    name: packageName(key),
    arch: entry?.arch ?? (colon === -1 ? null : key.slice(colon + 1)),
    version,
    previousVersion: upgrade?.previousVersion ?? null,
    upgradedAt: upgrade?.at ?? null,
  };
}

function readDiversions(host: Host, usrMerged: boolean, warnings: Warning[]): DiversionTable {
  try {
    return diversionTable(parseDiversions(host.readText(DIVERSIONS)), usrMerged);
  } catch (e) {
    // A system that never had a diversion may have no file at all.
    if (errorCode(e) !== "ENOENT") warnings.push(pkgdbWarning(DIVERSIONS, e));
    return diversionTable([], usrMerged);
  }
}

/**
 * path → owner keys (sorted); null when the list files cannot be enumerated at all.
 *
 * Reading every .list file is most of a lookup's cost (~750 files, 7 MB on Debian 12), so likely
 * owners are searched first, in two rounds: packages named after the file (libssl3 for
 * libssl.so.3), then packages the current dpkg.log upgraded (their files are the ones that go
 * stale). A path found in a round is settled, because dpkg lets a file belong to one package only:
 * it refuses a second package's copy unless Replaces (or --force-overwrite) hands the file over, and
 * then drops it from the old package's list. The exceptions are handled: Multi-Arch: same instances
 * sharing a file (once every path is found, a round goes on with the other architectures of the
 * owners only), diversions (diverted names are always searched everywhere) and directories (not
 * asked about). On a Debian 12 host with 763 packages, the only file two lists name is a diverted
 * one. A path not found among the likely owners is searched in all the other lists, so "no owner"
 * is always the answer of a full scan. One case stays open: two packages listing the /lib and
 * /usr/lib spellings of one file (a file moved to /usr between releases) — only the likely one is
 * then named.
 */
function readOwners(
  host: Host,
  paths: readonly ByteString[],
  usrMerged: boolean,
  table: DiversionTable,
  logs: LogReader,
  warnings: Warning[],
): Map<ByteString, string[]> | null {
  let keys: string[];
  try {
    keys = host
      .readdir(INFO)
      .filter((name) => name.endsWith(".list"))
      .map((name) => name.slice(0, -".list".length))
      .sort(); // the same reads on every filesystem, whatever its directory order
  } catch (e) {
    warnings.push(pkgdbWarning(INFO, e));
    return null;
  }
  const names = [...new Set(paths.flatMap((p) => listedNamesFor(p, table)))];
  const diverted = (name: ByteString) => table.from.has(name) || table.to.has(name);
  const named = new Set(likelyOwnerKeys(keys, paths, []));
  const upgraded = new Set(likelyOwnerKeys(keys, [], logs.current()?.byName.keys() ?? []));
  const rounds = [
    keys.filter((k) => named.has(k)),
    keys.filter((k) => !named.has(k) && upgraded.has(k)),
    keys.filter((k) => !named.has(k) && !upgraded.has(k)),
  ];

  const listed = new Map<ByteString, string[]>(names.map((n) => [n, []]));
  const unreadable: { key: string; error: unknown }[] = [];
  let open = names;
  for (const round of rounds) {
    if (open.length === 0) break;
    const search = new OwnerSearch(open, usrMerged);
    const settles = !open.some(diverted);
    for (const key of round) {
      if (settles && search.allFound && !search.ownerNames.has(packageName(key))) continue;
      try {
        // The search keeps nothing of the list: no copy needed.
        search.add({ key, content: host.readTransient(`${INFO}/${key}.list`) });
      } catch (error) {
        // A package being removed by a concurrent dpkg run can lose its list between readdir and read.
        unreadable.push({ key, error });
      }
    }
    for (const [name, found] of search.owners) listed.get(name)!.push(...found);
    open = open.filter((n) => listed.get(n)!.length === 0 || diverted(n));
  }

  if (unreadable.length > 0) {
    const some = unreadable.slice(0, 3).map((u) => `${u.key}.list`);
    warnings.push({
      code: "pkgdb",
      message: `${unreadable.length} package file list(s) in ${INFO} could not be read (${some.join(", ")}${
        unreadable.length > 3 ? ", …" : ""
      }: ${errorCode(unreadable[0]!.error)}); owners may be missing`,
    });
  }
  const out = new Map<ByteString, string[]>();
  for (const path of paths) out.set(path, ownersOnDisk(path, (name) => listed.get(name) ?? [], table).sort());
  return out;
}

function readStatus(host: Host, keys: readonly string[], warnings: Warning[]): Map<string, StatusEntry> {
  try {
    return findStatusEntries(host.readText(STATUS), keys);
  } catch (e) {
    warnings.push(pkgdbWarning(STATUS, e));
    return new Map();
  }
}

/**
 * dpkg.log, read at most once, and dpkg.log.1 (the previous month, after logrotate) only for a
 * package the current log does not mention. A log that is missing or unreadable leaves versions
 * unknown: it is not the database, so it is no warning.
 */
class LogReader {
  readonly #host: Host;
  readonly #indexes: (UpgradeIndex | null | undefined)[] = LOGS.map(() => undefined);

  constructor(host: Host) {
    this.#host = host;
  }

  current(): UpgradeIndex | null {
    return this.#index(0);
  }

  /**
   * The last upgrade of `key`, provided it produced `version`, the one installed now: an upgrade to
   * another version (the package was upgraded again, or removed and installed afresh, since) did not
   * replace the files in use. A log mentioning the package in vain stops the search: older logs can
   * only tell older news.
   */
  upgradeTo(key: string, version: string): LogUpgrade | undefined {
    for (let i = 0; i < LOGS.length; i++) {
      const index = this.#index(i);
      if (index === null) return undefined;
      const found = lastUpgrade(index, key);
      if (found !== undefined) return found.version === version ? found : undefined;
    }
    return undefined;
  }

  #index(i: number): UpgradeIndex | null {
    let index = this.#indexes[i];
    if (index === undefined) {
      try {
        index = indexUpgrades(this.#host.readText(LOGS[i]!));
      } catch {
        index = null;
      }
      this.#indexes[i] = index;
    }
    return index;
  }
}

function pkgdbWarning(path: string, e: unknown): Warning {
  const detail = e instanceof Error && errorCode(e) === "EUNKNOWN" ? e.message : errorCode(e);
  return { code: "pkgdb", message: `cannot read the dpkg database: ${path}: ${detail}` };
}
