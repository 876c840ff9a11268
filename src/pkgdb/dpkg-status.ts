/**
 * /var/lib/dpkg/status → the installed version and state of given packages.
 *
 * The status file is a sequence of RFC 822-style stanzas separated by blank lines, one per package
 * instance dpkg knows, and dpkg always writes "Package:" first. One name can have several stanzas: one
 * per architecture for Multi-Arch: same packages (libc6:amd64 and libc6:i386), and a stanza that is no
 * longer installed ("deinstall ok config-files") can sit beside the installed one of another
 * architecture. A key is what names a .list file: "name:arch" picks the stanza of that architecture;
 * a bare "name" (not Multi-Arch: same, including Architecture: all) picks the stanza whose files are
 * on disk.
 *
 * The file is ~600 KB for ~700 packages and we want a handful: one indexOf hop per stanza over the
 * "Package:" lines (dpkg writes that field first, and no continuation line starts with it), and only
 * the stanzas of wanted names are parsed: ~0.2 ms on Debian 12 for any number of names, where one
 * indexOf of "\nPackage: name\n" per name costs about that much per name.
 */
import { packageName } from "./dpkg-list.js";
import { initScriptName } from "./init-scripts.js";

export interface StatusEntry {
  name: string;
  arch: string | null;
  multiArch: string | null;
  /** Null when the stanza has none (dpkg writes none for a not-installed package). */
  version: string | null;
  /** The Status field, e.g. "install ok installed" or "deinstall ok config-files". */
  status: string;
}

/**
 * For each key, its stanza; keys without one are absent. Keys are "name" or "name:arch" (latin1 text,
 * as read).
 */
export function findStatusEntries(text: string, keys: readonly string[]): Map<string, StatusEntry> {
  const wanted = new Set<string>();
  for (const key of keys) wanted.add(packageName(key));
  const byName = new Map<string, StatusEntry[]>();
  const field = "Package: ";
  const next = (from: number): number => {
    const at = text.indexOf(`\n${field}`, from);
    return at === -1 ? -1 : at + 1;
  };
  // The first stanza starts at offset 0, without a newline before it.
  let start = text.startsWith(field) ? 0 : next(0);
  while (start !== -1) {
    const nameStart = start + field.length;
    let eol = text.indexOf("\n", nameStart);
    if (eol === -1) eol = text.length;
    let end = text.indexOf("\n\n", eol);
    if (end === -1) end = text.length;
    const name = text.slice(nameStart, eol);
    if (wanted.has(name)) {
      const entry = parseStanza(text, start, end, name);
      const same = byName.get(name);
      if (same === undefined) byName.set(name, [entry]);
      else same.push(entry);
    }
    start = next(end);
  }
  const out = new Map<string, StatusEntry>();
  for (const key of keys) {
    const colon = key.indexOf(":");
    const stanzas = byName.get(packageName(key)) ?? [];
    const entry =
      colon === -1 ? pickUnqualified(stanzas) : stanzas.find((s) => s.arch === key.slice(colon + 1));
    if (entry !== undefined) out.set(key, entry);
  }
  return out;
}

/**
 * The packages whose files are on disk and that ship init scripts, by .list key ("name", or
 * "name:arch" for Multi-Arch: same), with the scripts' names. Read from the Conffiles field: a file in
 * /etc is a conffile (Debian policy 10.7.2; debhelper marks every one), so dpkg's status names every
 * package init script without a .list file being read. Conffiles a package no longer ships are marked
 * "obsolete" and left out.
 */
export function initScriptPackages(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const marker = "\n /etc/init.d/";
  for (let at = text.indexOf(marker); at !== -1; at = text.indexOf(marker, at + 1)) {
    let eol = text.indexOf("\n", at + 1);
    if (eol === -1) eol = text.length;
    const [path, , flag] = text.slice(at + 2, eol).split(" ");
    const name = initScriptName(path ?? "");
    if (name === null || flag === "obsolete") continue;
    const fieldAt = text.lastIndexOf("\nPackage: ", at);
    const start = fieldAt === -1 ? 0 : fieldAt + 1;
    if (!text.startsWith("Package: ", start)) continue;
    let end = text.indexOf("\n\n", start);
    if (end === -1) end = text.length;
    const nameEnd = text.indexOf("\n", start);
    const entry = parseStanza(text, start, end, text.slice(start + "Package: ".length, nameEnd));
    if (!hasFilesOnDisk(entry.status)) continue;
    const key =
      entry.multiArch === "same" && entry.arch !== null ? `${entry.name}:${entry.arch}` : entry.name;
    const scripts = out.get(key) ?? [];
    if (!scripts.includes(name)) scripts.push(name);
    out.set(key, scripts);
  }
  return out;
}

/** dpkg states in which the package's files are on disk (all but not-installed and config-files). */
export function hasFilesOnDisk(status: string): boolean {
  const state = status.slice(status.lastIndexOf(" ") + 1);
  return state !== "not-installed" && state !== "config-files";
}

function pickUnqualified(stanzas: readonly StatusEntry[]): StatusEntry | undefined {
  return (
    stanzas.find((s) => s.status.endsWith(" installed")) ??
    stanzas.find((s) => hasFilesOnDisk(s.status)) ??
    stanzas[0]
  );
}

function parseStanza(text: string, start: number, end: number, name: string): StatusEntry {
  const entry: StatusEntry = { name, arch: null, multiArch: null, version: null, status: "" };
  let pos = start;
  while (pos < end) {
    let eol = text.indexOf("\n", pos);
    if (eol === -1 || eol > end) eol = end;
    const colon = text.indexOf(":", pos);
    // Continuation lines start with a space and belong to the field above (Description, Conffiles).
    if (colon !== -1 && colon < eol && text.charCodeAt(pos) !== 32 && text.charCodeAt(pos) !== 9) {
      const value = text.slice(colon + 1, eol).trim();
      switch (text.slice(pos, colon)) {
        case "Status":
          entry.status = value;
          break;
        case "Architecture":
          entry.arch = value;
          break;
        case "Multi-Arch":
          entry.multiArch = value;
          break;
        case "Version":
          entry.version = value;
          break;
      }
    }
    pos = eol + 1;
  }
  return entry;
}
