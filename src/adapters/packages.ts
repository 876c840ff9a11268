/**
 * The package-manager contract: one small file per manager (dpkg.ts; rpm, pacman and apk follow it),
 * chosen by detect(). A manager answers one question, once per run: which packages own these paths,
 * and what do we know about those packages.
 *
 * Contract for every implementation:
 * - detect(host) is cheap (a stat or two): it runs on every scan, even one with nothing to look up.
 *   It says whether this manager's database is present, not whether it is readable.
 * - lookup(host, paths, usrMerged) reads the host only through `host` (so tests run it on a fixture
 *   root), reads each part of the database at most once, and reads nothing when `paths` is empty.
 * - index.owners has an entry for every path whose ownership was decided: the keys of the packages
 *   whose file is at that path on disk (diversions and the like applied), [] when no package owns it.
 *   A path is absent only when the database could not answer (and then a warning says why).
 *   Paths are compared byte for byte; with usrMerged, /bin, /sbin, /lib* and /usr/... spellings of
 *   the same file match each other.
 * - index.packages has an entry for every key used in index.owners. Versions the manager cannot tell
 *   are null; a missing log of past upgrades is not an error.
 * - It never throws for anything the host does: a database it cannot read becomes a Warning with code
 *   "pkgdb" (the scan is then partial), and whatever could be read is still returned.
 */
import type { Host } from "../collect/host.js";
import type { ByteString } from "../model/bytes.js";
import type { PackageIndex } from "../model/snapshot.js";
import type { Warning } from "../model/warning.js";
import { apk } from "./apk.js";
import { dpkg } from "./dpkg.js";
import { pacman } from "./pacman.js";
import { rpm } from "./rpm.js";

export interface PackageLookup {
  index: PackageIndex;
  warnings: Warning[];
}

export interface PackageManager {
  readonly name: PackageIndex["manager"];
  detect(host: Host): boolean;
  lookup(host: Host, paths: ByteString[], usrMerged: boolean): PackageLookup;
  /**
   * Which init scripts could restart these programs: asked only on hosts without systemd, for
   * programs no unit owns. Optional: a manager that cannot tell leaves them to be restarted by hand.
   */
  initScripts?(host: Host, programs: readonly ByteString[], usrMerged: boolean): InitScriptLookup;
}

/** What PackageIndex.owners and .initScripts need to name a program's init script (analyse.ts). */
export interface InitScriptLookup {
  /**
   * For each program, the packages among those shipping init scripts that own it, and for
   * /etc/init.d/NAME (NAME: the program's file name) the package that ships that script; a path no
   * such package owns is absent.
   */
  owners: Record<ByteString, string[]>;
  /** The init scripts of each package named in `owners`. */
  scripts: Record<string, string[]>;
}

/** In the order detect() is tried: a host can carry a second manager's tools (dpkg on Fedora). */
export const PACKAGE_MANAGERS: readonly PackageManager[] = [dpkg, rpm, pacman, apk];

export function detectPackageManager(host: Host): PackageManager | null {
  return PACKAGE_MANAGERS.find((pm) => pm.detect(host)) ?? null;
}
