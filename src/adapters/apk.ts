/**
 * apk (Alpine Linux): owners of paths and installed versions from /lib/apk/db/installed, read once.
 * Alpine keeps no log of upgrades, so previousVersion and upgradedAt are always null. A /usr-merged
 * Alpine (apk-tools 3) keeps the database at /usr/lib/apk/db/installed, /lib being a link to it.
 * Parsing lives in src/pkgdb/apk-db.ts.
 */
import { errorCode, type Host, isFile } from "../collect/host.js";
import type { ByteString } from "../model/bytes.js";
import type { PackageIndex } from "../model/snapshot.js";
import type { Warning } from "../model/warning.js";
import { findApkOwners } from "../pkgdb/apk-db.js";
import type { PackageLookup, PackageManager } from "./packages.js";

const INSTALLED = ["/lib/apk/db/installed", "/usr/lib/apk/db/installed"] as const;

export const apk: PackageManager = {
  name: "apk",
  detect: (host) => INSTALLED.some((path) => isFile(host, path)),
  lookup: lookupApk,
};

function lookupApk(host: Host, paths: ByteString[], usrMerged: boolean): PackageLookup {
  const index: PackageIndex = { manager: "apk", owners: {}, packages: {} };
  const warnings: Warning[] = [];
  const unique = [...new Set(paths)];
  if (unique.length === 0) return { index, warnings };

  const path = INSTALLED.find((p) => isFile(host, p)) ?? INSTALLED[0];
  let text: string;
  try {
    text = host.readText(path);
  } catch (e) {
    const detail = e instanceof Error && errorCode(e) === "EUNKNOWN" ? e.message : errorCode(e);
    warnings.push({ code: "pkgdb", message: `cannot read the apk database: ${path}: ${detail}` });
    return { index, warnings };
  }
  const found = findApkOwners(text, unique, usrMerged);
  for (const [p, owners] of found.owners) index.owners[p] = owners;
  for (const [name, pkg] of [...found.packages].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    index.packages[name] = {
      name,
      arch: pkg.arch,
      version: pkg.version,
      previousVersion: null,
      upgradedAt: null,
    };
  }
  return { index, warnings };
}
