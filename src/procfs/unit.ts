/**
 * systemd's rules for turning a cgroup path into a unit name, ported from systemd 252
 * (src/basic/cgroup-util.c: cg_path_get_unit, cg_path_get_user_unit, cg_path_get_session,
 * cg_path_get_slice, cg_path_get_owner_uid; src/basic/unit-name.c: unit_name_is_valid;
 * src/basic/user-util.c: parse_uid; src/basic/login-util.c: session_id_valid).
 *
 * The answer must be the one systemd itself would give, because afterpatch restarts what it names.
 * Names below a delegated cgroup (`user@UID.service/…`, a container's scope) are chosen by whoever
 * the subtree was delegated to; these functions only read a path, so the caller decides whom to
 * trust. A path is the one systemd sees: relative to the reader's cgroup namespace root.
 */

/** unit-def.c's unit_type_table: the suffixes a unit name may end with (systemd 252). */
const UNIT_TYPES = new Set([
  "service",
  "mount",
  "swap",
  "socket",
  "target",
  "device",
  "automount",
  "timer",
  "path",
  "slice",
  "scope",
]);

/** unit-name.h: UNIT_NAME_MAX, counting the terminating NUL. */
const UNIT_NAME_MAX = 256;

/** What unitNameIsValid accepts, as systemd's UnitNameFlags: plain (default) "foo.service",
 * instance "foo@bar.service", template "foo@.service". */
export interface UnitNameKinds {
  instance: boolean;
  template?: boolean;
  plain?: boolean;
}

/**
 * unit-name.c's unit_name_is_valid: at most 255 bytes; a known type after the last '.'; before it
 * only `[A-Za-z0-9:_.\\-@]`, not starting with '@'. The first '@' splits prefix from instance: an
 * empty instance is a template, a non-empty one an instance (further '@'s belong to the instance).
 */
export function unitNameIsValid(name: string, kinds: UnitNameKinds): boolean {
  const plain = kinds.plain ?? true;
  const template = kinds.template ?? false;
  if (name.length === 0 || name.length >= UNIT_NAME_MAX) return false;
  const dot = name.lastIndexOf(".");
  if (dot <= 0) return false;
  if (!UNIT_TYPES.has(name.slice(dot + 1))) return false;
  let at = -1;
  for (let i = 0; i < dot; i++) {
    const c = name.charCodeAt(i);
    if (c === 64 /* @ */) {
      if (at === -1) at = i;
    } else if (!isUnitNameChar(c)) {
      return false;
    }
  }
  if (at === 0) return false;
  if (plain && at === -1) return true;
  if (kinds.instance && at !== -1 && dot > at + 1) return true;
  if (template && at !== -1 && dot === at + 1) return true;
  return false;
}

/** unit-name.c's VALID_CHARS: DIGITS LETTERS ":-_.\\" (the backslash carries \x2d-style escapes). */
function isUnitNameChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) || // 0-9
    (c >= 65 && c <= 90) || // A-Z
    (c >= 97 && c <= 122) || // a-z
    c === 58 || // :
    c === 45 || // -
    c === 95 || // _
    c === 46 || // .
    c === 92 // \
  );
}

/**
 * cg_unescape: systemd prefixes a cgroup name with '_' when it could clash with a kernel file name
 * ("cpu.service" → "_cpu.service", "tasks", names starting with '_' or '.'), so reading it back
 * drops exactly one leading '_'.
 */
export function cgUnescape(name: string): string {
  return name.charCodeAt(0) === 95 ? name.slice(1) : name;
}

/**
 * cg_path_decode_unit: the unit named by the first component of `path` (up to the first '/'),
 * unescaped; a plain or instance name, never a template (templates cannot run). Null otherwise.
 */
export function cgPathDecodeUnit(path: string): string | null {
  const n = componentLength(path, 0);
  if (n < 3) return null;
  const unit = cgUnescape(path.slice(0, n));
  return unitNameIsValid(unit, { instance: true }) ? unit : null;
}

/**
 * cg_path_get_unit: skip the leading slices (system.slice, system-getty.slice, …) and decode the
 * next component. A process inside `user@1000.service/app.slice/x.service` belongs, for the system
 * manager, to user@1000.service. Null when the first non-slice component is no unit, or a slice.
 */
export function cgPathGetUnit(path: string): string | null {
  const unit = cgPathDecodeUnit(path.slice(skipSlices(path)));
  if (unit === null || unit.endsWith(".slice")) return null;
  return unit;
}

/**
 * cg_path_get_user_unit: the unit inside a user manager (`…/user@UID.service/…`) or, for the
 * older layout, inside a session scope (`…/session-N.scope/…`). Everything below user@UID.service
 * is delegated to that user, who may create any cgroup name there: a user unit is a claim by the
 * user, never the name of a system unit.
 */
export function cgPathGetUserUnit(path: string): string | null {
  const rest = skipUserPrefix(path);
  return rest === null ? null : cgPathGetUnit(path.slice(rest));
}

/**
 * cg_path_get_session (systemd 252): the session ID of a `session-ID.scope` unit. IDs are
 * `[A-Za-z0-9]+`: the audit session number ("2") or, without audit, logind's own ("c1").
 */
export function cgPathGetSession(path: string): string | null {
  const unit = cgPathGetUnit(path);
  if (unit === null || !unit.startsWith("session-") || !unit.endsWith(".scope")) return null;
  const id = unit.slice("session-".length, unit.length - ".scope".length);
  return sessionIdValid(id) ? id : null;
}

/** systemd's name for the root slice, which has no cgroup directory of its own. */
export const ROOT_SLICE = "-.slice";

/**
 * cg_path_get_slice: the right-most slice of the leading run of slices ("-.slice" when the path
 * starts with no slice). Slices nest by name, so this is the one the process's unit sits in.
 */
export function cgPathGetSlice(path: string): string {
  let last = -1;
  let p = 0;
  for (;;) {
    p = skipSlashes(path, p);
    const n = componentLength(path, p);
    if (!isSliceComponent(path, p, n)) break;
    last = p;
    p += n;
  }
  if (last === -1) return ROOT_SLICE;
  // The component passed isSliceComponent, so it decodes (plain names are a subset of plain|instance).
  return cgPathDecodeUnit(path.slice(last)) ?? ROOT_SLICE;
}

/** cg_path_get_owner_uid: the UID of the `user-UID.slice` the path sits in, else null. */
export function cgPathGetOwnerUid(path: string): number | null {
  const slice = cgPathGetSlice(path);
  if (!slice.startsWith("user-") || !slice.endsWith(".slice")) return null;
  return parseUid(slice.slice("user-".length, slice.length - ".slice".length));
}

/** Offset of the first component after the leading slices (skip_slices). */
function skipSlices(path: string): number {
  let p = 0;
  for (;;) {
    p = skipSlashes(path, p);
    const n = componentLength(path, p);
    if (!isSliceComponent(path, p, n)) return p;
    p += n;
  }
}

/** valid_slice_name: a component ending in ".slice" that is, unescaped, a plain unit name. */
function isSliceComponent(path: string, start: number, n: number): boolean {
  if (n < "x.slice".length) return false;
  const name = path.slice(start, start + n);
  if (!name.endsWith(".slice")) return false;
  return unitNameIsValid(cgUnescape(name), { instance: false });
}

/** skip_user_prefix: after the slices, a user manager or else a session scope must follow. */
function skipUserPrefix(path: string): number | null {
  const e = skipSlices(path);
  return (
    skipUnitComponent(path, e, "user@", ".service", (uid) => parseUid(uid) !== null) ??
    skipUnitComponent(path, e, "session-", ".scope", sessionIdValid)
  );
}

/**
 * skip_user_manager / skip_session: when the component at `start` is prefix + valid id + suffix,
 * the offset just past it and the slashes after it. These names are never escaped: systemd builds
 * them and they cannot clash with kernel names.
 */
function skipUnitComponent(
  path: string,
  start: number,
  prefix: string,
  suffix: string,
  validId: (id: string) => boolean,
): number | null {
  if (start >= path.length) return null;
  const p = skipSlashes(path, start);
  const n = componentLength(path, p);
  // systemd requires room for a one-character id ("user@x.service").
  if (n < prefix.length + 1 + suffix.length) return null;
  const name = path.slice(p, p + n);
  if (!name.startsWith(prefix) || !name.endsWith(suffix)) return null;
  if (!validId(name.slice(prefix.length, n - suffix.length))) return null;
  return skipSlashes(path, p + n);
}

/** login-util.c's session_id_valid: non-empty, letters and digits only. */
function sessionIdValid(id: string): boolean {
  return /^[A-Za-z0-9]+$/.test(id);
}

/**
 * user-util.c's parse_uid: decimal with no sign, no leading zero and no whitespace, fitting 32 bits,
 * and neither (uid_t)-1 nor the 16-bit (uint16_t)-1, which libc APIs use as "no user".
 */
function parseUid(text: string): number | null {
  if (!/^(0|[1-9][0-9]{0,9})$/.test(text)) return null;
  const uid = Number(text);
  if (uid > 0xffffffff || uid === 0xffffffff || uid === 0xffff) return null;
  return uid;
}

function skipSlashes(path: string, p: number): number {
  while (p < path.length && path.charCodeAt(p) === 47) p++;
  return p;
}

/** strcspn(path + start, "/"). */
function componentLength(path: string, start: number): number {
  const slash = path.indexOf("/", start);
  return (slash === -1 ? path.length : slash) - start;
}
