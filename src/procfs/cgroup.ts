/**
 * /proc/PID/cgroup → the cgroup path systemd uses to name the process's unit.
 *
 * One line per hierarchy: `hierarchy-ID:controller-list:cgroup-path`. cgroup v2 is the line with
 * ID 0 and no controllers; v1 hierarchies list their controllers ("cpu,cpuacct") or their name
 * ("name=systemd"). A path may contain ':' (only the first two split) and spaces. Paths are
 * relative to the reader's cgroup namespace: a process outside it shows "/.." or "/../x", and a
 * zombie whose v2 cgroup was removed shows " (deleted)" after its path (kernel/cgroup/cgroup.c,
 * proc_cgroup_show; both captured in test/fixtures/cgroup).
 */
import type { ByteString } from "../model/bytes.js";

export interface CgroupLine {
  /** Hierarchy ID, decimal; "0" is the cgroup v2 (unified) hierarchy. */
  id: string;
  /** Controllers bound to the hierarchy, or ["name=NAME"] for a named one; [] for cgroup v2. */
  controllers: string[];
  path: ByteString;
}

/** What the kernel appends to the v2 path of a process whose cgroup has been removed. */
const DELETED_SUFFIX = " (deleted)";

/**
 * Parses /proc/PID/cgroup (read as latin1). Returns [] for text the kernel cannot have printed:
 * a line without two ':' or with a non-decimal ID or a path not starting with '/', a hierarchy ID
 * or controller listed twice, or a v2 line that is not the last (v2's root is registered first, and
 * proc_cgroup_show walks the roots newest first). The kernel prints cgroup names raw, and kernels
 * before the change that rejects '\n' in cgroup names ("do not accept '\n' to prevent making
 * /proc/<pid>/cgroup unparsable", cgroup_mkdir and cgroup1_rename) let whoever owned a delegated
 * subtree forge extra lines this way: such text must not name anyone's unit.
 */
export function parseCgroup(text: ByteString): CgroupLine[] {
  const lines: CgroupLine[] = [];
  const ids = new Set<string>();
  const controllersSeen = new Set<string>();
  const body = text.endsWith("\n") ? text.slice(0, -1) : text;
  if (body.length === 0) return lines;
  for (const raw of body.split("\n")) {
    const c1 = raw.indexOf(":");
    const c2 = c1 === -1 ? -1 : raw.indexOf(":", c1 + 1);
    if (c2 === -1) return [];
    const id = raw.slice(0, c1);
    const list = raw.slice(c1 + 1, c2);
    const path = raw.slice(c2 + 1);
    if (!/^[0-9]+$/.test(id) || path.charCodeAt(0) !== 47 /* / */) return [];
    if (ids.has(id) || ids.has("0")) return []; // repeated ID, or a line after the v2 one
    ids.add(id);
    const controllers = list === "" ? [] : list.split(",");
    for (const c of controllers) {
      if (c === "" || controllersSeen.has(c)) return [];
      controllersSeen.add(c);
    }
    if (id === "0" && controllers.length > 0) return [];
    lines.push({ id, controllers, path });
  }
  return lines;
}

/**
 * The path systemd names units from, chosen from the text alone:
 *  1. the cgroup v2 (`0::`) path, when it is below the namespace root ("/" names no unit, and
 *     "/.." or "/../…" is outside our namespace);
 *  2. else the v1 `name=systemd` path, under the same condition;
 *  3. else the v2 path, else the `name=systemd` path, else null.
 * Why this order, from captures of systemd 252 in each mode (test/fixtures/cgroup):
 *  - unified-mode systemd in a container on a hybrid host: every v1 hierarchy, name=systemd
 *    included, shows "/" before `0::/system.slice/x.service` → v2 wins;
 *  - hybrid: name=systemd and `0::` both carry the unit → either;
 *  - legacy: only name=systemd carries it; `0::` is "/" or, for a process whose v2 cgroup lies
 *    outside the reader's namespace, "/.." → v1 wins only because those v2 paths are skipped.
 * And, reasoned rather than captured: a legacy-mode container read from a unified host lists the
 * container's own tree under name=systemd and the host's unit (the container's scope) under `0::`;
 * v2 first gives the host's answer, which is the one the host's systemd acts on.
 * systemd itself knows its mode (cg_unified_controller, a statfs of /sys/fs/cgroup); a caller that
 * knows it too may pick the line directly. Like systemd's cg_pid_get_path, " (deleted)" (a zombie
 * whose cgroup is gone) is dropped from the answer. Null when a hierarchy is listed twice.
 */
export function systemdCgroupPath(lines: readonly CgroupLine[]): string | null {
  const v2 = lines.filter((l) => l.id === "0" && l.controllers.length === 0);
  const v1 = lines.filter((l) => l.controllers.includes("name=systemd"));
  if (v2.length > 1 || v1.length > 1) return null;
  const unified = v2[0]?.path;
  const legacy = v1[0]?.path;
  const chosen =
    unified !== undefined && namesUnit(unified)
      ? unified
      : legacy !== undefined && namesUnit(legacy)
        ? legacy
        : (unified ?? legacy);
  if (chosen === undefined) return null;
  return chosen.endsWith(DELETED_SUFFIX) ? chosen.slice(0, -DELETED_SUFFIX.length) : chosen;
}

/** A path below the reader's namespace root: not "/" and not "/.." or "/../…". */
function namesUnit(path: string): boolean {
  return path !== "/" && path !== "/.." && !path.startsWith("/../");
}
