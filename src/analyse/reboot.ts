/**
 * The reboot verdict: combines kernel, microcode, distribution flags and the stale core processes
 * into the weakest action that fixes everything, with one reason per finding, strongest first.
 * What cannot be known is listed, but never turns into "reboot": unknown is not a reason to act.
 *
 * - kernel or microcode newer than running: reboot (the kernel is only replaced by booting it;
 *   microcode can be late-loaded, but the kernel discourages that, so the next boot is the way).
 * - PID 1 stale: `systemctl daemon-reexec` is enough.
 * - dbus-daemon/dbus-broker stale, or the C library stale in the long-running core (PID 1,
 *   journald, logind, dbus): none of them can be restarted safely, so userspace must restart:
 *   `systemctl soft-reboot` from systemd 254 on, a reboot before that (or without systemd).
 * - a distribution flag: what it asks for (openSUSE may ask for kexec or a soft reboot only).
 */
import type { KernelStatus, MicrocodeStatus, RebootFlag, RebootVerdict } from "../model/reboot.js";

export interface RebootInput {
  kernel: KernelStatus;
  microcode: MicrocodeStatus;
  flags: RebootFlag[];
  stale: { pid1: boolean; dbus: boolean; libc: boolean };
  /** The running systemd's version; null without systemd or when it could not be told. */
  systemdVersion: number | null;
}

/** `systemctl soft-reboot` first shipped in systemd 254. */
export const SOFT_REBOOT_SINCE = 254;

type Need = RebootVerdict["verdict"];
const WEIGHT: Record<Need, number> = { unknown: 0, none: 0, reexec: 1, "soft-reboot": 2, reboot: 3 };

export function decideReboot(input: RebootInput): RebootVerdict {
  const found: { need: Need; reason: string }[] = [];
  const notes: string[] = [];
  const add = (need: Need, reason: string): void => {
    found.push({ need, reason });
  };

  const k = input.kernel;
  if (k.status === "upgrade-pending") {
    const from = k.package === null ? "" : ` (${k.package})`;
    add("reboot", `kernel: running ${k.running}, newer ${k.newest} installed${from}`);
  } else if (k.status === "rebuild-pending") {
    add(
      "reboot",
      `kernel: ${k.running} was rebuilt: running build ${k.runningBuild}, installed ${k.installedBuild}`,
    );
  } else if (k.status === "unknown") {
    notes.push(`kernel status unknown: ${k.reason}`);
  }

  const m = input.microcode;
  if (m.status === "update-pending") {
    add(
      "reboot",
      `microcode: CPU ${m.signature} runs ${m.running}, ${m.file} has ${m.available} (loaded at boot; late loading is discouraged)`,
    );
  } else if (m.status === "unknown") {
    notes.push(`microcode status unknown: ${m.reason}`);
  }

  for (const f of input.flags) {
    const pkgs = f.packages.length === 0 ? "" : ` (${f.packages.join(", ")})`;
    if (f.kind === "soft-reboot") {
      const can = softReboot(input.systemdVersion);
      add(can.need, `${f.file} asks for a soft reboot${pkgs}${can.need === "reboot" ? `: ${can.why}` : ""}`);
    } else if (f.kind === "kexec") {
      add("reboot", `${f.file} asks for a kexec into the new kernel${pkgs} (a reboot does as well)`);
    } else {
      add("reboot", `${f.file} asks for a reboot${pkgs}`);
    }
  }

  if (input.stale.dbus || input.stale.libc) {
    const what = [
      input.stale.dbus ? "the D-Bus daemon runs replaced code" : null,
      input.stale.libc ? "core processes (PID 1, journald, logind, D-Bus) use a replaced C library" : null,
    ]
      .filter((s) => s !== null)
      .join(" and ");
    const can = softReboot(input.systemdVersion);
    const how = can.need === "soft-reboot" ? "systemctl soft-reboot restarts all of userspace" : can.why;
    add(can.need, `${what}, and cannot be restarted alone: ${how}`);
  }
  if (input.stale.pid1) {
    add("reexec", "PID 1 runs replaced code: systemctl daemon-reexec");
  }

  // Stable sort: equal weights keep the order above (kernel, microcode, flags, core processes).
  found.sort((a, b) => WEIGHT[b.need] - WEIGHT[a.need]);
  const top = found[0]?.need ?? "none";
  return {
    verdict: top,
    reasons: [...found.map((f) => f.reason), ...notes],
    kernel: input.kernel,
    microcode: input.microcode,
    flags: input.flags,
  };
}

function softReboot(version: number | null): { need: Need; why: string } {
  if (version === null)
    return { need: "reboot", why: "reboot (no soft reboot: systemd version unknown or not systemd)" };
  if (version < SOFT_REBOOT_SINCE) {
    return {
      need: "reboot",
      why: `reboot (systemd ${version} has no soft reboot; it needs ${SOFT_REBOOT_SINCE})`,
    };
  }
  return { need: "soft-reboot", why: `soft reboot (systemd ${version})` };
}
