/**
 * Report → Plan: the stale processes grouped the way an administrator acts on them, each group
 * with what to do and, where one command does it safely, that command (as argv). Pure.
 *
 * Order: services (one combined `systemctl restart`; without systemd, the packages' init scripts),
 * PID 1, containers, virtual machines, apps,
 * user sessions and user units, then processes with no unit (forked children under their parent).
 */
import { ownerKey, ownerLabel } from "../analyse/owner.js";
import { compareBytes } from "../model/bytes.js";
import type { Owner } from "../model/owner.js";
import type { Report, StaleProcess } from "../model/report.js";

export type Action =
  | "restart-unit"
  | "restart-init-script"
  | "reexec"
  | "restart-container"
  | "restart-vm"
  | "refresh-app"
  | "logout"
  | "restart-user-unit"
  | "restart-process";

export interface PlanGroup {
  key: string;
  owner: Owner;
  /** Short human text for the owner. */
  label: string;
  action: Action;
  /** The command that does it, where one command does it safely; null otherwise (see advice). */
  command: string[] | null;
  /** What to do, in words. */
  advice: string;
  /** PIDs of the group, the first one being the group's root (for processes with no unit). */
  pids: number[];
  /** Package keys behind the group's stale files. */
  packages: string[];
  /** A stale file lies inside a container's own filesystem: restarting is not enough, rebuild the image. */
  rebuildImage: boolean;
}

export interface Plan {
  groups: PlanGroup[];
  /** All system services to restart, in one `systemctl restart` (argv), or null when there are none. */
  restartServices: string[] | null;
}

const ORDER: readonly Action[] = [
  "restart-unit",
  "restart-init-script",
  "reexec",
  "restart-container",
  "restart-vm",
  "refresh-app",
  "logout",
  "restart-user-unit",
  "restart-process",
];

export function plan(report: Report): Plan {
  const byPid = new Map(report.stale.map((p) => [p.pid, p]));
  const groups = new Map<string, PlanGroup>();
  for (const p of report.stale) {
    const key = groupKey(p, byPid);
    let g = groups.get(key);
    if (g === undefined) {
      const action = p.initScript !== null ? initScriptAction(p.initScript, report) : actionFor(p.owner, p);
      g = { key, ...action, pids: [], packages: [], rebuildImage: false };
      groups.set(key, g);
    }
    g.pids.push(p.pid);
    for (const f of p.files)
      if (f.package !== null && !g.packages.includes(f.package)) g.packages.push(f.package);
    if (p.owner.kind === "container" && p.files.length > 0 && p.inContainerImage) g.rebuildImage = true;
  }
  const sorted = [...groups.values()].sort(
    (a, b) => ORDER.indexOf(a.action) - ORDER.indexOf(b.action) || compareBytes(a.label, b.label),
  );
  for (const g of sorted) {
    g.packages.sort();
    g.pids.sort((x, y) => x - y);
    if (g.key.startsWith("process:")) {
      // The root first (the process to restart), then its children in PID order.
      const root = Number(g.key.slice("process:".length));
      g.pids = [root, ...g.pids.filter((pid) => pid !== root)];
    }
  }
  const units = sorted
    .filter((g) => g.action === "restart-unit")
    .map((g) => (g.owner as { unit: string }).unit);
  return {
    groups: sorted,
    restartServices: units.length > 0 ? ["systemctl", "restart", ...units.sort()] : null,
  };
}

/**
 * Processes with no unit are grouped under their oldest stale ancestor that has no unit either:
 * a daemon started by hand and its forked workers are restarted together, by restarting the parent.
 */
function groupKey(p: StaleProcess, byPid: ReadonlyMap<number, StaleProcess>): string {
  if (p.initScript !== null) return `init-script:${p.initScript}`;
  if (p.owner.kind !== "none" && !isScope(p.owner)) return ownerKey(p.owner);
  return `process:${rootOf(p, byPid)}`;
}

/** The oldest stale ancestor with the same owner; in a PID cycle (PIDs reused), its smallest PID. */
function rootOf(p: StaleProcess, byPid: ReadonlyMap<number, StaleProcess>): number {
  let root = p;
  const chain = [p.pid];
  for (;;) {
    const parent = root.ppid === null ? undefined : byPid.get(root.ppid);
    if (parent === undefined || ownerKey(parent.owner) !== ownerKey(p.owner)) return root.pid;
    if (chain.includes(parent.pid)) return Math.min(...chain);
    chain.push(parent.pid);
    root = parent;
  }
}

/** Without systemd: the package's init script, through the init system's own tool. */
function initScriptAction(
  name: string,
  report: Report,
): Pick<PlanGroup, "owner" | "label" | "action" | "command" | "advice"> {
  const command =
    report.host.initSystem === "openrc" ? ["rc-service", name, "restart"] : ["service", name, "restart"];
  return {
    owner: { kind: "none" },
    label: `/etc/init.d/${name}`,
    action: "restart-init-script",
    command,
    advice: `restart it with its package's init script ${name}`,
  };
}

function isScope(owner: Owner): boolean {
  return owner.kind === "service" && owner.unit.endsWith(".scope");
}

function actionFor(
  owner: Owner,
  p: StaleProcess,
): Pick<PlanGroup, "owner" | "label" | "action" | "command" | "advice"> {
  const label = ownerLabel(owner);
  const base = { owner, label };
  switch (owner.kind) {
    case "service":
      // A scope only groups processes that something else started: it cannot be restarted.
      if (owner.unit.endsWith(".scope")) {
        return {
          ...base,
          action: "restart-process",
          command: null,
          advice: `restart the processes of ${owner.unit} where they were started`,
        };
      }
      return {
        ...base,
        action: "restart-unit",
        command: ["systemctl", "restart", owner.unit],
        advice: `restart ${owner.unit}`,
      };
    case "pid1":
      return {
        ...base,
        action: "reexec",
        command: ["systemctl", "daemon-reexec"],
        advice: "re-execute the service manager",
      };
    case "container":
      return { ...base, action: "restart-container", ...containerAction(owner) };
    case "vm":
      return {
        ...base,
        action: "restart-vm",
        command: null,
        advice: "shut the guest down and start it again (a reboot inside the guest keeps the old emulator)",
      };
    case "app":
      return owner.packaging === "snap"
        ? {
            ...base,
            action: "refresh-app",
            command: ["snap", "restart", owner.name],
            advice: `restart the snap ${owner.name}`,
          }
        : { ...base, action: "refresh-app", command: null, advice: "restart the application" };
    case "session":
      return { ...base, action: "logout", command: null, advice: "the user must log out and in again" };
    case "user-manager":
      return {
        ...base,
        action: "restart-user-unit",
        command: null,
        advice: `the user must log out and in again (or: systemctl restart ${owner.unit}, which stops all of the user's units)`,
      };
    case "user-service":
      return {
        ...base,
        action: "restart-user-unit",
        command: null,
        advice: `as uid ${owner.uid}: systemctl --user restart ${owner.userUnit} (or log out and in again)`,
      };
    case "none":
      return {
        ...base,
        label: p.exe ?? p.comm ?? `PID ${p.pid}`,
        action: "restart-process",
        command: null,
        advice: "no unit owns it: restart it where it was started",
      };
  }
}

function containerAction(
  owner: Extract<Owner, { kind: "container" }>,
): Pick<PlanGroup, "command" | "advice"> {
  const ref = owner.name ?? owner.id;
  switch (owner.runtime) {
    case "docker":
    case "podman":
      return {
        command: [owner.runtime, "restart", owner.id],
        advice: `restart the ${owner.runtime} container`,
      };
    case "nspawn":
      return { command: ["machinectl", "reboot", ref], advice: "reboot the container" };
    case "kubernetes":
      return {
        command: null,
        advice:
          "delete the pod so that its controller recreates it (restarting the container is undone by the kubelet)",
      };
    case "lxc":
      return { command: null, advice: `restart the LXC container ${ref}` };
    default:
      return { command: null, advice: `restart the ${owner.runtime} container` };
  }
}
