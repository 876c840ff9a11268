/**
 * Who owns a process, from its cgroup path: the Owner (src/model/owner.ts) that says what must be
 * restarted, plus a stable grouping key and a short label for it.
 *
 * Owns the recognition of container, VM and app layouts on top of systemd's own rules
 * (procfs/unit.ts). The formats and where each comes from are listed in owner.test.ts.
 *
 * Trust rule: only cgroup names that root (systemd, a root daemon, the kernel) created may name a
 * system unit, a container, a VM or an app. Everything below `user@UID.service/` is delegated to that
 * user, who can create any name there (`docker-<id>.scope`, `machine-x.scope`, `snap.lxd.…`), so such
 * a path yields only `user-manager` or `user-service` for that UID, whatever it looks like; what the
 * name claims (rootless podman, flatpak…) is shown by ownerLabel as the user's claim, never acted on.
 * Within the system tree only the first unit after the slices decides: names a delegated service
 * creates below its own cgroup (`foo.service/docker-<id>.scope`) are never read.
 */
import type { ContainerRuntime, Owner } from "../model/owner.js";
import { cgPathGetOwnerUid, cgPathGetSession, cgPathGetUnit, cgPathGetUserUnit } from "../procfs/unit.js";

export interface OwnerInput {
  pid: number;
  /** From procfs/cgroup.ts's systemdCgroupPath; relative to the reader's cgroup namespace. */
  cgroupPath: string | null;
  /** Accepted for the caller's convenience, never read: comm is chosen by the process itself. */
  comm?: string | null;
}

const NONE: Owner = { kind: "none" };

/** Container IDs of docker, podman, containerd and CRI-O: 32 random bytes in hex. */
const HEX64 = /^[0-9a-f]{64}$/;

/** Longer than any path the kernel prints (PATH_MAX); beyond it the text is not a cgroup path. */
const MAX_PATH = 4096;

export function classifyOwner(input: OwnerInput): Owner {
  const path = input.cgroupPath;
  const plausible = path !== null && isPlausiblePath(path);
  if (input.pid === 1) {
    // PID 1 is always init; its cgroup only says whether systemd put it in init.scope.
    return { kind: "pid1", unit: plausible && cgPathGetUnit(path) === "init.scope" ? "init.scope" : null };
  }
  if (!plausible) return NONE;
  return cgroupfsOwner(path) ?? systemdOwner(path);
}

/**
 * A path the kernel can have printed for a cgroup below our namespace root: absolute, one line, no
 * NUL, no "." or ".." component ("/.." and "/../x" are outside the namespace), not absurdly long.
 */
function isPlausiblePath(path: string): boolean {
  if (path.length > MAX_PATH || path.charCodeAt(0) !== 47 /* / */) return false;
  if (path.includes("\n") || path.includes("\0")) return false;
  return path.split("/").every((c) => c !== "." && c !== "..");
}

/**
 * Layouts made by runtimes that manage cgroups themselves (no systemd unit): they live at the root of
 * the hierarchy, which only root can write. Null when the path is none of them.
 */
function cgroupfsOwner(path: string): Owner | null {
  const parts = path.split("/").filter((c) => c !== "");
  const [first, second] = parts;
  if (first === undefined) return null;
  // moby: cgroupfs driver, default cgroup parent "/docker".
  if (first === "docker" && second !== undefined && HEX64.test(second)) {
    return container("docker", second, null, null);
  }
  // podman: cgroupfs manager, default parent "libpod_parent", container cgroup "libpod-<id>".
  if (first === "libpod_parent" && second?.startsWith("libpod-") && HEX64.test(second.slice(7))) {
    return container("podman", second.slice(7), null, null);
  }
  // kubelet: cgroupfs driver, /kubepods[/burstable|/besteffort]/pod<uid>/<container id>.
  if (first === "kubepods") {
    let i = 1;
    if (parts[i] === "burstable" || parts[i] === "besteffort") i++;
    const pod = parts[i];
    const id = parts[i + 1];
    if (pod?.startsWith("pod") && id !== undefined && HEX64.test(id)) {
      return container("kubernetes", id, null, null);
    }
    return NONE; // kubelet's own slices: no container to restart
  }
  // LXC 4+: lxc.payload.<name> holds the container, lxc.monitor.<name> its monitor (not the container).
  if (first.startsWith("lxc.payload.") && first.length > "lxc.payload.".length) {
    const name = first.slice("lxc.payload.".length);
    return container("lxc", name, name, null);
  }
  if (first.startsWith("lxc.monitor.")) return NONE;
  // LXC before 4.0: /lxc/<name>.
  if (first === "lxc" && second !== undefined) return container("lxc", second, second, null);
  return null;
}

/** systemd's layout: the first unit after the leading slices owns the process. */
function systemdOwner(path: string): Owner {
  const unit = cgPathGetUnit(path);
  if (unit === null) return NONE;

  if (unit.startsWith("user@")) {
    // Delegated to the user: whatever is below is their claim (module comment).
    const uid = parseUid(unit.slice("user@".length, -".service".length));
    if (uid === null || !unit.endsWith(".service")) return NONE;
    const userUnit = cgPathGetUserUnit(path);
    if (userUnit === null || userUnit === "init.scope") return { kind: "user-manager", unit, uid };
    return { kind: "user-service", unit, uid, userUnit };
  }

  const session = cgPathGetSession(path);
  if (session !== null) return { kind: "session", unit, session, uid: cgPathGetOwnerUid(path) };

  // Only PID 1 belongs in init.scope; anything else there is no unit systemd can restart.
  if (unit === "init.scope") return NONE;

  return systemUnitOwner(unit, path) ?? { kind: "service", unit };
}

/** A container, VM or app that a root-created system unit's name says it holds; null otherwise. */
function systemUnitOwner(unit: string, path: string): Owner | null {
  // kubelet, systemd driver: kubepods.slice/kubepods-<qos>.slice/kubepods-<qos>-pod<uid>.slice/… .
  // Only root creates slices, so a kubepods.slice component means kubelet made the path.
  const kube = path.split("/").some((c) => c === "kubepods.slice");

  const scopeId = (prefix: string): string | null => {
    if (!unit.startsWith(prefix) || !unit.endsWith(".scope")) return null;
    const id = unit.slice(prefix.length, -".scope".length);
    return HEX64.test(id) ? id : null;
  };

  // Monitors that live next to a container, in their own scope: not the container.
  if (scopeId("libpod-conmon-") !== null || scopeId("crio-conmon-") !== null) return null;

  const runtimes: [string, ContainerRuntime][] = [
    ["docker-", "docker"], // moby, systemd cgroup driver
    ["libpod-", "podman"], // podman, systemd cgroup manager (payload may sit in …/container)
    ["cri-containerd-", "containerd"], // containerd's CRI plugin, SystemdCgroup = true
    ["nerdctl-", "containerd"], // nerdctl, systemd driver
    ["crio-", "cri-o"], // CRI-O, systemd cgroup manager
  ];
  for (const [prefix, runtime] of runtimes) {
    const id = scopeId(prefix);
    if (id !== null) return container(kube ? "kubernetes" : runtime, id, null, unit);
  }

  // machined: machine-<unit_name_escape(name)>.scope.
  if (unit.startsWith("machine-") && unit.endsWith(".scope")) {
    const name = machineName(unit.slice("machine-".length, -".scope".length));
    if (name === null) return null;
    // libvirt's virDomainDriverGenerateMachineName: "<driver>-<id>-<name>" (qemu, lxc).
    const libvirt = /^(qemu|lxc)-([0-9]+)-(.+)$/s.exec(name);
    if (libvirt?.[1] === "qemu" && libvirt[3] !== undefined) return { kind: "vm", name: libvirt[3], unit };
    if (libvirt?.[1] === "lxc" && libvirt[3] !== undefined) return container("lxc", name, libvirt[3], unit);
    return container("nspawn", name, name, unit);
  }
  // systemd-nspawn@.service (machinectl start), which runs nspawn with --keep-unit.
  if (unit.startsWith("systemd-nspawn@") && unit.endsWith(".service")) {
    // machinectl builds this name with unit_name_build, unescaped: '-' is itself here.
    const name = machineName(unit.slice("systemd-nspawn@".length, -".service".length), true);
    return name === null ? null : container("nspawn", name, name, unit);
  }

  // snapd: snap.<snap>.<app>.service for daemons, snap.<snap>.<app>-<uuid>.scope for commands.
  const snap = /^snap\.([a-z0-9][a-z0-9_-]*)\.[^.]/.exec(unit);
  if (snap?.[1] !== undefined) return { kind: "app", packaging: "snap", name: snap[1], unit };
  // flatpak: app-flatpak-<app id>-<pid>.scope (only a root-created one reaches here).
  const flatpak = /^app-flatpak-(.+)-[0-9]+\.scope$/.exec(unit);
  if (flatpak?.[1] !== undefined) return { kind: "app", packaging: "flatpak", name: flatpak[1], unit };
  return null;
}

/**
 * unit-name.c's unit_name_unescape for a machine name: `\xNN` → byte; a name has no '/' or NUL.
 * `dashIsLiteral` for a template instance that machinectl did not escape.
 */
function machineName(escaped: string, dashIsLiteral = false): string | null {
  let out = "";
  for (let i = 0; i < escaped.length; i++) {
    const c = escaped[i];
    if (c === "\\") {
      const hex = escaped.slice(i + 1, i + 4);
      if (!/^x[0-9a-fA-F]{2}$/.test(hex)) return null;
      out += String.fromCharCode(Number.parseInt(hex.slice(1), 16));
      i += 3;
    } else if (c === "-" && !dashIsLiteral) {
      return null; // unit_name_escape turns '/' into '-': no machine name has one
    } else {
      out += c;
    }
  }
  if (out.length === 0 || out.includes("/") || out.includes("\0")) return null;
  return out;
}

function container(runtime: ContainerRuntime, id: string, name: string | null, unit: string | null): Owner {
  return { kind: "container", runtime, id, name, unit };
}

/** user-util.c's parse_uid, as in procfs/unit.ts. */
function parseUid(text: string): number | null {
  if (!/^(0|[1-9][0-9]{0,9})$/.test(text)) return null;
  const uid = Number(text);
  return uid >= 0xffffffff || uid === 0xffff ? null : uid;
}

/** Stable key grouping the processes one action restarts (one line in a report). */
export function ownerKey(owner: Owner): string {
  switch (owner.kind) {
    case "service":
      return `service:${owner.unit}`;
    case "pid1":
      return "pid1";
    case "session":
      return `session:${owner.uid ?? "?"}:${owner.session}`;
    case "user-manager":
      return `user-manager:${owner.uid}`;
    case "user-service":
      return `user-service:${owner.uid}:${owner.userUnit}`;
    case "container":
      return `container:${owner.runtime}:${owner.id}`;
    case "vm":
      return `vm:${owner.name}`;
    case "app":
      return `app:${owner.packaging}:${owner.name}`;
    case "none":
      return "none";
  }
}

/** Short human text for an owner; names are made printable (a VM or LXC name may hold any byte). */
export function ownerLabel(owner: Owner): string {
  switch (owner.kind) {
    case "service":
      return owner.unit;
    case "pid1":
      return "PID 1 (systemd)";
    case "session":
      return owner.uid === null ? `session ${owner.session}` : `session ${owner.session} of uid ${owner.uid}`;
    case "user-manager":
      return `user manager of uid ${owner.uid}`;
    case "user-service": {
      const claim = userUnitClaim(owner.userUnit);
      const what = claim === null ? `user unit ${owner.userUnit}` : `${claim} (user unit)`;
      return `${what} of uid ${owner.uid}`;
    }
    case "container": {
      const what = owner.name === null ? shortId(owner.id) : printable(owner.name);
      return `${owner.runtime} container ${what}`;
    }
    case "vm":
      return `VM ${printable(owner.name)}`;
    case "app":
      return `${owner.packaging} ${printable(owner.name)}`;
    case "none":
      return "no unit";
  }
}

/**
 * What a user unit's name says it is, for the label only: rootless podman, a flatpak or snap app.
 * The user chose the name, so this is never a reason to act.
 */
function userUnitClaim(userUnit: string): string | null {
  const podman = /^libpod-([0-9a-f]{64})\.scope$/.exec(userUnit);
  if (podman?.[1] !== undefined) return `rootless podman container ${shortId(podman[1])}`;
  const flatpak = /^app-flatpak-(.+)-[0-9]+\.scope$/.exec(userUnit);
  if (flatpak?.[1] !== undefined) return `flatpak ${flatpak[1]}`;
  const snap = /^snap\.([a-z0-9][a-z0-9_-]*)\.[^.]/.exec(userUnit);
  if (snap?.[1] !== undefined) return `snap ${snap[1]}`;
  return null;
}

/** `docker ps` shows 12 characters of an ID; an ID that is not hex is shown whole, made printable. */
function shortId(id: string): string {
  return HEX64.test(id) ? id.slice(0, 12) : printable(id);
}

/** Control characters (C0, DEL, C1) as \xNN, so a name cannot move the terminal's cursor. */
function printable(text: string): string {
  let out = "";
  for (const c of text) {
    const n = c.charCodeAt(0);
    const control = n < 0x20 || (n >= 0x7f && n <= 0x9f) || c === "\\";
    out += control ? `\\x${n.toString(16).padStart(2, "0")}` : c;
  }
  return out;
}
