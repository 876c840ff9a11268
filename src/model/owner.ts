/**
 * Who owns a process: what must be restarted (or who must log out) for it to run new code.
 * Worked out from the process's cgroup by analyse/owner.ts, following systemd's own rules.
 */

export type Owner =
  /** A system unit other than PID 1: `systemctl restart UNIT`. */
  | { kind: "service"; unit: string }
  /** PID 1 itself: `systemctl daemon-reexec`. */
  | { kind: "pid1"; unit: string | null }
  /** A login session (session-N.scope): the user must log out and in again. */
  | { kind: "session"; unit: string; session: string; uid: number | null }
  /** The per-user service manager (user@UID.service) itself. */
  | { kind: "user-manager"; unit: string; uid: number }
  /**
   * A unit inside a user's service manager: `systemctl --user -M USER@ restart UNIT`, or log out.
   * The user unit's name is chosen by that user: it never names a system unit.
   */
  | { kind: "user-service"; unit: string; uid: number; userUnit: string }
  /** A container: restart it (or rebuild its image when the stale file is inside it). */
  | {
      kind: "container";
      runtime: ContainerRuntime;
      id: string;
      /** The container's name where the cgroup tells it (nspawn, LXC); null for an ID only. */
      name: string | null;
      /** The systemd unit (scope) that holds it, or null under a cgroupfs driver. */
      unit: string | null;
    }
  /** A virtual machine's emulator process (qemu under machine.slice): restart the guest. */
  | { kind: "vm"; name: string; unit: string | null }
  /** A Snap or Flatpak application: a refresh restarts it. */
  | { kind: "app"; packaging: "snap" | "flatpak"; name: string; unit: string }
  /** No unit: started by hand, or a system without systemd; restart the process itself. */
  | { kind: "none" };

export type ContainerRuntime = "docker" | "podman" | "containerd" | "cri-o" | "kubernetes" | "lxc" | "nspawn";
