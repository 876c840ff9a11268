/**
 * Does the machine need a reboot, and why: the running kernel against the newest installed one
 * of the same flavour, CPU microcode, and the distribution's own flags. analyse/reboot.ts decides;
 * unknown beats wrong.
 */

export type KernelStatus =
  /** The running kernel is the newest installed of its flavour. */
  | { status: "current"; running: string }
  /** Same release string, new build (e.g. a Debian ABI-compatible rebuild): only `uname -v` differs. */
  | {
      status: "rebuild-pending";
      running: string;
      runningBuild: string;
      installedBuild: string;
      image: string | null;
    }
  /** A newer version of the running flavour is installed. */
  | {
      status: "upgrade-pending";
      running: string;
      newest: string;
      image: string | null;
      package: string | null;
    }
  /** Cannot tell, and says why (custom or Raspberry Pi kernel, livepatch, no image found…). */
  | { status: "unknown"; running: string; reason: string };

export type MicrocodeStatus =
  | { status: "current"; signature: string; revision: string }
  /** A newer revision for this CPU is installed than the one running. */
  | { status: "update-pending"; signature: string; running: string; available: string; file: string }
  /** Virtual machine, container, or a non-x86 CPU: the host's business. */
  | { status: "not-applicable"; reason: string }
  | { status: "unknown"; reason: string };

export interface RebootFlag {
  /** The file that says so, e.g. /run/reboot-required. */
  file: string;
  /** What it asks for: reboot, or (openSUSE) kexec or soft-reboot. */
  kind: "reboot" | "kexec" | "soft-reboot";
  /** Packages it names (/run/reboot-required.pkgs). */
  packages: string[];
}

export interface RebootVerdict {
  /** The strongest need: none, a service-manager re-exec, a soft reboot, or a full reboot. */
  verdict: "none" | "reexec" | "soft-reboot" | "reboot" | "unknown";
  /** One line each, in order of weight. */
  reasons: string[];
  kernel: KernelStatus;
  microcode: MicrocodeStatus;
  flags: RebootFlag[];
}
