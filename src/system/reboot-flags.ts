/**
 * Distribution reboot flags. Debian/Ubuntu: /run/reboot-required (any content; update-notifier
 * writes "*** System restart required ***") and /run/reboot-required.pkgs (package names, one per
 * line, repeated when several maintainer scripts ask). openSUSE: /run/reboot-needed, written by
 * zypp-boot-plugin with one word, "reboot", "kexec" or "soft-reboot"; older libzypp only creates it,
 * empty. Anything else in it is read as a full reboot: the safe side.
 */
import type { RebootFlag } from "../model/reboot.js";

export const DEBIAN_FLAG = "/run/reboot-required";
export const DEBIAN_PKGS = "/run/reboot-required.pkgs";
export const SUSE_FLAG = "/run/reboot-needed";

/** Package names from reboot-required.pkgs, first mention order, without repeats. */
export function parseRebootRequiredPkgs(text: string): string[] {
  const seen = new Set<string>();
  for (const line of text.split("\n")) {
    const name = line.trim();
    if (name !== "" && !name.startsWith("#")) seen.add(name);
  }
  return [...seen];
}

/** What /run/reboot-needed asks for. */
export function parseRebootNeeded(text: string): RebootFlag["kind"] {
  const word = text.trim().toLowerCase();
  return word === "kexec" || word === "soft-reboot" ? word : "reboot";
}

export function debianFlag(pkgsText: string | null): RebootFlag {
  return {
    file: DEBIAN_FLAG,
    kind: "reboot",
    packages: pkgsText === null ? [] : parseRebootRequiredPkgs(pkgsText),
  };
}

export function suseFlag(text: string): RebootFlag {
  return { file: SUSE_FLAG, kind: parseRebootNeeded(text), packages: [] };
}
