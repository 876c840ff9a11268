/**
 * The output of one batched `rpm -q --queryformat RPM_QUERYFORMAT -f -- PATH…` call, parsed.
 *
 * `rpm -qf` prints one record per (queried path, owning header), in argument order, but nothing in a
 * record says which argument it answers, and the "is not owned" / "No such file" messages for the
 * others go partly to stdout, partly to stderr. So each record carries the header's own file list and
 * a path is owned by exactly the headers whose list holds it: no counting, no reliance on order, and
 * paths with spaces or newlines need no quoting. Fields are separated by the control bytes
 * \x01–\x04, which rpm's format prints as given; a queried path holding one of them is never asked
 * (see isQueryablePath), so rpm's echo of a path in a message cannot forge a record.
 */
import type { ByteString } from "../model/bytes.js";

const REC = "\x01";
const FIELD = "\x02";
const FILE = "\x03";
const END = "\x04";

/**
 * name, [epoch:]version-release, arch, install time (seconds), then every file of the header. The
 * separators are the control bytes themselves in the argv: rpm's format knows \n and \t but no
 * octal escapes.
 */
export const RPM_QUERYFORMAT = `${REC}%{NAME}${FIELD}%|EPOCH?{%{EPOCH}:}|%{VERSION}-%{RELEASE}${FIELD}%{ARCH}${FIELD}%{INSTALLTIME}${FIELD}[%{FILENAMES}${FILE}]${END}`;

export interface RpmHeader {
  name: string;
  /** "[epoch:]version-release", the epoch only when the header has one. */
  evr: string;
  /** null for headers without one (gpg-pubkey). */
  arch: string | null;
  installTime: number | null;
  files: ByteString[];
}

export interface RpmQueryOutput {
  /** Distinct headers, in order of first appearance. */
  headers: RpmHeader[];
  /** Text outside records (rpm's "file … is not owned by any package" lines). */
  other: string;
  /** A record cut short or malformed: the output is incomplete. */
  truncated: boolean;
}

/** stdout decoded as latin1 (one char per byte). */
export function parseRpmQuery(stdout: ByteString): RpmQueryOutput {
  const headers: RpmHeader[] = [];
  const seen = new Set<string>();
  let other = "";
  let truncated = false;
  let at = 0;
  while (at < stdout.length) {
    const start = stdout.indexOf(REC, at);
    if (start === -1) {
      other += stdout.slice(at);
      break;
    }
    other += stdout.slice(at, start);
    const end = stdout.indexOf(END, start + 1);
    if (end === -1) {
      truncated = true;
      break;
    }
    at = end + 1;
    const fields = stdout.slice(start + 1, end).split(FIELD);
    if (fields.length !== 5) {
      truncated = true;
      continue;
    }
    const [name, evr, arch, time, files] = fields as [string, string, string, string, string];
    // The same header answers every queried path it owns: keep it once.
    const id = `${name}\x00${evr}\x00${arch}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const installTime = /^\d+$/.test(time) ? Number(time) : null;
    headers.push({
      name,
      evr,
      arch: arch === "" || arch === "(none)" ? null : arch,
      installTime,
      files: files === "" ? [] : files.slice(0, files.endsWith(FILE) ? -1 : undefined).split(FILE),
    });
  }
  return { headers, other, truncated };
}

/** Bytes that would make a queried path ambiguous in the output (our separators) or not a path. */
export function isQueryablePath(path: ByteString): boolean {
  if (!path.startsWith("/")) return false;
  for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) <= 4) return false;
  return true;
}

/** rpm's key for a header: "name.arch" (rpm's own spelling), just "name" without an arch. */
export function rpmKey(h: Pick<RpmHeader, "name" | "arch">): string {
  return h.arch === null ? h.name : `${h.name}.${h.arch}`;
}

/**
 * stderr lines that say something went wrong beyond one path (a database that cannot be opened, a
 * lock, a crash): then "not in any record" no longer means "owned by nothing". The per-path
 * "error: file PATH: …" messages and Debian's wrapper notes ("rpm: …") are expected. Queried paths
 * are removed first, so a path with a newline cannot pass for another line.
 */
export function unexpectedRpmErrors(stderr: ByteString, queried: readonly ByteString[]): string[] {
  let text = stderr;
  for (const p of queried) {
    if (p.includes("\n")) text = text.split(`error: file ${p}:`).join("error: file <path>:");
  }
  return text
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.startsWith("error: file ") && !line.startsWith("rpm: "));
}

/** /bin, /sbin and /lib* are links into /usr on a merged host: one spelling for both. */
export function usrMergedName(path: ByteString, usrMerged: boolean): ByteString {
  if (!usrMerged) return path;
  return /^\/usr\/(?:s?bin|lib(?:32|64|x32)?)\//.test(path) ? path.slice(4) : path;
}

/**
 * Owners of each path: the keys (sorted) of the headers listing it. `complete` says the query
 * reached every path, so an unlisted path is owned by nothing; otherwise it is left out.
 */
export function ownersFromHeaders(
  paths: readonly ByteString[],
  headers: readonly RpmHeader[],
  usrMerged: boolean,
  complete: boolean,
): Map<ByteString, string[]> {
  const wanted = new Map<ByteString, ByteString[]>();
  for (const p of paths) {
    const name = usrMergedName(p, usrMerged);
    const list = wanted.get(name);
    if (list === undefined) wanted.set(name, [p]);
    else list.push(p);
  }
  const found = new Map<ByteString, Set<string>>();
  for (const h of headers) {
    const key = rpmKey(h);
    for (const f of h.files) {
      const ps = wanted.get(usrMergedName(f, usrMerged));
      if (ps === undefined) continue;
      for (const p of ps) {
        const set = found.get(p) ?? new Set<string>();
        set.add(key);
        found.set(p, set);
      }
    }
  }
  const out = new Map<ByteString, string[]>();
  for (const p of paths) {
    const set = found.get(p);
    if (set !== undefined) out.set(p, [...set].sort());
    else if (complete) out.set(p, []);
  }
  return out;
}

/**
 * During a transaction rpm writes each new file as "PATH;XXXXXXXX" (8 hex digits, the transaction
 * id) and renames it over PATH; a process that mapped it then (or a file left by an interrupted
 * transaction) shows that name. The real path, or null for any other name.
 */
export function rpmTransactionTarget(path: ByteString): ByteString | null {
  const m = /^(\/.+);[0-9a-f]{8}$/.exec(path);
  return m === null ? null : m[1]!;
}
