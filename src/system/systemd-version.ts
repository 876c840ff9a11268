/**
 * The systemd version without running systemd: every systemd build since 231 links its programs
 * against a private libsystemd-shared-<tag>.so, whose tag starts with the version ("252",
 * "255.4-1.fc40", "256~rc3"). Found in PID 1's maps it is the version actually running, which is
 * the one that would perform a soft reboot.
 */

const SHARED = /(?:^|\/)libsystemd-shared-(\d{3,4})(?:[.~+-][^/\s]*)?\.so(?:\s|$)/;

/** The version in a libsystemd-shared file name or path, or null. */
export function systemdVersionFromName(name: string): number | null {
  const m = SHARED.exec(name);
  return m === null ? null : Number(m[1]);
}

/** The version of libsystemd-shared mapped by a process, from its /proc/PID/maps text. */
export function systemdVersionFromMaps(maps: string): number | null {
  for (const line of maps.split("\n")) {
    if (!line.includes("libsystemd-shared-")) continue;
    const v = systemdVersionFromName(line.replace(/ \(deleted\)$/, ""));
    if (v !== null) return v;
  }
  return null;
}
