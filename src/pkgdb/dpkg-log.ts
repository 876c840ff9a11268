/**
 * /var/log/dpkg.log → the last upgrade of given packages: what version it replaced, and when.
 *
 * dpkg appends one line per action: `YYYY-MM-DD HH:MM:SS upgrade name:arch OLD NEW` (local time). A
 * reinstall of the same version is logged as an upgrade with OLD == NEW, and is kept: its files were
 * replaced all the same. A crossgrade (foo:i386 → foo:amd64) is logged as an upgrade under the *old*
 * architecture; dpkg before multiarch (Debian 6) logged names without ":arch".
 *
 * The log rotates monthly, so an older upgrade may be in dpkg.log.1 or only in compressed archives:
 * callers treat "not found" as "unknown", never as "never upgraded".
 */

export interface LogUpgrade {
  previousVersion: string;
  version: string;
  /** "YYYY-MM-DD HH:MM:SS", local time, as written. */
  at: string;
  /** The package as the log names it ("libc6:amd64"). */
  logged: string;
}

/** Every package's last upgrade in one log, by the name the log gives and by bare name. */
export interface UpgradeIndex {
  /** "libc6:amd64" (or "bash" in a pre-multiarch log) → its last upgrade. */
  byLogged: ReadonlyMap<string, LogUpgrade>;
  /** "libc6" → the last upgrade of that name under any architecture. */
  byName: ReadonlyMap<string, LogUpgrade>;
}

/** One pass over the upgrade lines of a log, however many packages are asked about later. */
export function indexUpgrades(text: string): UpgradeIndex {
  const byLogged = new Map<string, LogUpgrade>();
  const byName = new Map<string, LogUpgrade>();
  const marker = " upgrade ";
  let at = text.indexOf(marker);
  while (at !== -1) {
    const record = parseUpgradeLine(text, at);
    if (record !== null) {
      // Later lines overwrite earlier ones: the last upgrade wins.
      byLogged.set(record.logged, record);
      const colon = record.logged.indexOf(":");
      byName.set(colon === -1 ? record.logged : record.logged.slice(0, colon), record);
    }
    at = text.indexOf(marker, at + marker.length);
  }
  return { byLogged, byName };
}

/**
 * The last upgrade of a key ("name:arch" or "name"). A bare name matches the name under any
 * architecture: a non-Multi-Arch: same package's .list key carries none, but the log always does.
 */
export function lastUpgrade(index: UpgradeIndex, key: string): LogUpgrade | undefined {
  const colon = key.indexOf(":");
  if (colon === -1) return index.byName.get(key);
  return index.byLogged.get(key) ?? index.byLogged.get(key.slice(0, colon));
}

/** For each key, its last upgrade in `text`; keys never upgraded there are absent. */
export function findLastUpgrades(text: string, keys: readonly string[]): Map<string, LogUpgrade> {
  const index = indexUpgrades(text);
  const out = new Map<string, LogUpgrade>();
  for (const key of keys) {
    const found = lastUpgrade(index, key);
    if (found !== undefined) out.set(key, found);
  }
  return out;
}

const TIMESTAMP = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/;

/** The line holding " upgrade " at `at`, if that is its action field; null otherwise. */
function parseUpgradeLine(text: string, at: number): LogUpgrade | null {
  const lineStart = text.lastIndexOf("\n", at) + 1;
  const stamp = text.slice(lineStart, at);
  if (!TIMESTAMP.test(stamp)) return null; // " upgrade " inside another line's text (a conffile path)
  let lineEnd = text.indexOf("\n", at);
  if (lineEnd === -1) lineEnd = text.length;
  const fields = text.slice(at + " upgrade ".length, lineEnd).split(" ");
  // A line cut short (dpkg killed mid-write) has fewer fields.
  if (fields.length !== 3 || fields.some((f) => f === "")) return null;
  const [logged, previousVersion, version] = fields as [string, string, string];
  return { previousVersion, version, at: stamp, logged };
}
