/**
 * What rpm itself does not keep: the version an upgrade replaced. dnf (Fedora, RHEL) writes it to
 * /var/log/dnf.rpm.log, zypper (openSUSE, SLES) to /var/log/zypp/history. Both parsers index the
 * last upgrade of each "name.arch"; the adapter uses it only when it produced the installed version.
 */

export interface RpmUpgrade {
  /** "[epoch:]version-release" the upgrade installed. */
  version: string;
  /** The one it replaced; null when the log names none (a fresh install). */
  previousVersion: string | null;
  /** As the log writes it: "2024-05-01T10:00:00+0000" (dnf), "2024-05-01 10:00:00" (zypper, local). */
  at: string;
}

/** "name.arch" → its last install or upgrade. */
export type RpmUpgradeIndex = Map<string, RpmUpgrade>;

/** "name-[epoch:]version-release.arch" → parts; null when it does not have that shape. */
export function parseNevra(nevra: string): { name: string; evr: string; arch: string } | null {
  const dot = nevra.lastIndexOf(".");
  if (dot === -1) return null;
  const arch = nevra.slice(dot + 1);
  const rest = nevra.slice(0, dot);
  const r = rest.lastIndexOf("-");
  const v = r === -1 ? -1 : rest.lastIndexOf("-", r - 1);
  if (v <= 0 || arch === "" || arch.includes("-") || r === rest.length - 1 || v === r - 1) return null;
  return { name: rest.slice(0, v), evr: rest.slice(v + 1), arch };
}

// "2024-05-01T10:00:00+0000 SUBDEBUG Upgrade: openssl-libs-1:3.0.7-25.el9.x86_64"
const DNF_LINE = /^(\S+) SUBDEBUG (\w+): (\S+)\s*$/;

/**
 * dnf.rpm.log: per package an "Upgrade: NEW" line when the new header is installed and, later in the
 * same transaction, "Upgraded: OLD" when the old one is cleaned up (Downgrade/Downgraded likewise).
 * "Install"/"Installed" and "Reinstall" start afresh without a previous version; "Erase" forgets.
 */
export function indexDnfRpmLog(text: string): RpmUpgradeIndex {
  const index: RpmUpgradeIndex = new Map();
  for (const line of text.split("\n")) {
    const m = DNF_LINE.exec(line);
    if (m === null) continue;
    const [, at, action, nevra] = m as unknown as [string, string, string, string];
    const p = parseNevra(nevra);
    if (p === null) continue;
    const key = `${p.name}.${p.arch}`;
    switch (action) {
      case "Upgrade":
      case "Downgrade":
        index.set(key, { version: p.evr, previousVersion: null, at });
        break;
      case "Upgraded":
      case "Downgraded": {
        const last = index.get(key);
        if (last !== undefined && last.previousVersion === null && last.version !== p.evr) {
          last.previousVersion = p.evr;
        }
        break;
      }
      case "Install":
      case "Installed":
      case "Reinstall":
        index.set(key, { version: p.evr, previousVersion: null, at });
        break;
      case "Erase":
      case "Erased":
        if (index.get(key)?.version === p.evr) index.delete(key);
        break;
    }
  }
  return index;
}

/**
 * /var/log/zypp/history: "TIME|install|NAME|EDITION|ARCH|…" and "TIME|remove |NAME|EDITION|ARCH|…"
 * ('#' lines are comments). An update is logged as a plain install of the new edition, so the
 * previous version is the edition the last install of the same name.arch left (if not removed since).
 */
export function indexZyppHistory(text: string): RpmUpgradeIndex {
  const index: RpmUpgradeIndex = new Map();
  const installed = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const f = line.split("|");
    if (f.length < 5) continue;
    const [at, action, name, edition, arch] = f as [string, string, string, string, string];
    if (name === "" || edition === "") continue;
    const key = arch === "" ? name : `${name}.${arch}`;
    switch (action.trim()) {
      case "install": {
        const before = installed.get(key);
        index.set(key, {
          version: edition,
          previousVersion: before !== undefined && before !== edition ? before : null,
          at,
        });
        installed.set(key, edition);
        break;
      }
      case "remove":
        if (installed.get(key) === edition) installed.delete(key);
        if (index.get(key)?.version === edition) index.delete(key);
        break;
    }
  }
  return index;
}
