/**
 * rpm (Fedora, RHEL and rebuilds, openSUSE/SLES): owners and installed versions from ONE batched
 * `rpm -q --queryformat … -f -- PATH…` call, the version an upgrade replaced from dnf's or zypper's log.
 *
 * The rpm database is sqlite (rpm ≥ 4.16), Berkeley DB or ndb: a binary format only rpm should
 * read, so this is the one adapter that starts a program — /usr/bin/rpm by absolute path, through
 * Host.run (fixed program list, no shell, empty environment, timeout, bounded output). Only the
 * queried paths vary, each its own argv element after "--". The parsing lives in src/pkgdb/rpm-*.ts.
 */
import { isUtf8 } from "node:buffer";
import { errorCode, type Host, isFile } from "../collect/host.js";
import type { ByteString } from "../model/bytes.js";
import type { PackageIndex, PackageInfo } from "../model/snapshot.js";
import type { Warning } from "../model/warning.js";
import { indexDnfRpmLog, indexZyppHistory, type RpmUpgradeIndex } from "../pkgdb/rpm-log.js";
import {
  isQueryablePath,
  ownersFromHeaders,
  parseRpmQuery,
  RPM_QUERYFORMAT,
  type RpmHeader,
  rpmKey,
  rpmTransactionTarget,
  unexpectedRpmErrors,
} from "../pkgdb/rpm-query.js";
import type { PackageLookup, PackageManager } from "./packages.js";

export const RPM_PROGRAM = "/usr/bin/rpm";
/** Where the database lives: /usr/lib/sysimage/rpm (openSUSE, Fedora ≥ 36), /var/lib/rpm (older). */
const DB_DIRS = ["/usr/lib/sysimage/rpm", "/var/lib/rpm"];
/** sqlite, Berkeley DB, ndb. */
const DB_FILES = ["rpmdb.sqlite", "Packages", "Packages.db"];
const LOGS: { path: string; parse: (text: string) => RpmUpgradeIndex }[] = [
  { path: "/var/log/dnf.rpm.log", parse: indexDnfRpmLog },
  { path: "/var/log/zypp/history", parse: indexZyppHistory },
];
/** Paths per rpm call: far below ARG_MAX even for long paths; one call on any real host. */
const BATCH = 2000;

export const rpm: PackageManager = {
  name: "rpm",
  // rpm installed on a Debian host (rpmbuild, alien) has no database in these places.
  detect: (host) => isFile(host, RPM_PROGRAM) && findDbPath(host) !== null,
  lookup: lookupRpm,
};

/** The database directory (as seen inside host.root), null when there is none. */
export function findDbPath(host: Host): string | null {
  return DB_DIRS.find((dir) => DB_FILES.some((f) => isFile(host, `${dir}/${f}`))) ?? null;
}

/** The argv after the program: exposed so tests (and the report) show exactly what runs. */
export function rpmQueryArgs(root: string, dbPath: string, paths: readonly string[]): string[] {
  return [
    ...(root === "/" ? [] : ["--root", root]),
    "--dbpath",
    dbPath,
    "--query",
    "--queryformat",
    RPM_QUERYFORMAT,
    "--file",
    "--",
    ...paths,
  ];
}

function lookupRpm(host: Host, paths: ByteString[], usrMerged: boolean): PackageLookup {
  const index: PackageIndex = { manager: "rpm", owners: {}, packages: {} };
  const warnings: Warning[] = [];
  const unique = [...new Set(paths)];
  if (unique.length === 0) return { index, warnings };
  const dbPath = findDbPath(host);
  if (dbPath === null) {
    warnings.push({ code: "pkgdb", message: "cannot read the rpm database: none found in /var/lib/rpm" });
    return { index, warnings };
  }

  // A name rpm gave a file mid-transaction ("PATH;6543abcd") is asked about as PATH.
  const asked = new Map<ByteString, ByteString>();
  const skipped: ByteString[] = [];
  for (const p of unique) {
    const real = rpmTransactionTarget(p) ?? p;
    // rpm takes UTF-8 argv strings from us; a path that is not UTF-8 would reach it mangled.
    if (!isQueryablePath(real) || !isUtf8(Buffer.from(real, "latin1"))) skipped.push(p);
    else asked.set(p, real);
  }
  if (skipped.length > 0) {
    warnings.push({
      code: "pkgdb",
      message: `${skipped.length} path(s) not asked of rpm (not UTF-8 or control characters), e.g. ${JSON.stringify(
        skipped[0],
      )}; their owners are unknown`,
    });
  }

  const queries = [...new Set(asked.values())];
  const headers: RpmHeader[] = [];
  const decided = new Map<ByteString, string[]>();
  for (let i = 0; i < queries.length; i += BATCH) {
    const batch = queries.slice(i, i + BATCH);
    const found = queryOwners(host, dbPath, batch, usrMerged, headers, warnings);
    for (const [p, keys] of found) decided.set(p, keys);
  }
  for (const [p, real] of asked) {
    const keys = decided.get(real);
    if (keys !== undefined) index.owners[p] = keys;
  }

  const logs = readLogs(host);
  for (const h of headers) {
    const key = rpmKey(h);
    if (index.packages[key] !== undefined) continue;
    const upgrade = logs.get(key);
    const fits = upgrade !== undefined && upgrade.version === h.evr;
    index.packages[key] = {
      name: h.name,
      arch: h.arch,
      version: h.evr,
      previousVersion: fits ? upgrade.previousVersion : null,
      upgradedAt: fits && upgrade.previousVersion !== null ? upgrade.at : null,
    } satisfies PackageInfo;
  }
  // Keep only packages that own an asked path.
  const used = new Set(Object.values(index.owners).flat());
  for (const key of Object.keys(index.packages)) if (!used.has(key)) delete index.packages[key];
  return { index, warnings };
}

function queryOwners(
  host: Host,
  dbPath: string,
  batch: readonly ByteString[],
  usrMerged: boolean,
  headers: RpmHeader[],
  warnings: Warning[],
): Map<ByteString, string[]> {
  const argv = rpmQueryArgs(
    host.root,
    dbPath,
    batch.map((p) => Buffer.from(p, "latin1").toString("utf8")),
  );
  let result: ReturnType<Host["run"]>;
  try {
    result = host.run(RPM_PROGRAM, argv);
  } catch (e) {
    warnings.push(rpmWarning(e instanceof Error && errorCode(e) === "EUNKNOWN" ? e.message : errorCode(e)));
    return new Map();
  }
  const out = parseRpmQuery(result.stdout.toString("latin1"));
  headers.push(...out.headers);
  const errors = unexpectedRpmErrors(result.stderr.toString("latin1"), batch);
  const complete = result.status !== null && !out.truncated && errors.length === 0;
  if (!complete) {
    const why =
      result.status === null
        ? `rpm stopped (${result.error ?? "killed"})`
        : (errors[0] ?? "output cut short");
    warnings.push(rpmWarning(why));
  }
  // Paths found in a record are settled even when the call failed part-way.
  return ownersFromHeaders(batch, out.headers, usrMerged, complete);
}

/** dnf's log first, then zypper's; a missing log only leaves previous versions unknown. */
function readLogs(host: Host): RpmUpgradeIndex {
  const merged: RpmUpgradeIndex = new Map();
  for (const log of LOGS) {
    let text: string;
    try {
      text = host.readText(log.path);
    } catch {
      continue;
    }
    for (const [key, up] of log.parse(text)) if (!merged.has(key)) merged.set(key, up);
  }
  return merged;
}

function rpmWarning(detail: string): Warning {
  return { code: "pkgdb", message: `cannot read the rpm database: ${detail.trim().slice(0, 200)}` };
}
