/**
 * Whether a parsed --from-snapshot file has the shape model/snapshot.ts describes, down to every
 * field analysis reads. A snapshot may come from another machine, an older afterpatch or an
 * editor: one that does not fit is named at its first bad field (a usage error), instead of
 * failing somewhere inside analysis as an internal error.
 */

/**
 * "string", "number", "boolean" or "object" (any non-list object), with "|null" when null is
 * allowed too; [shape] is a list of shape; { "*": shape } an object with any keys; another object
 * the named fields, a name ending in "?" for one that may be absent. A list of shapes is "any of".
 */
type Shape =
  | string
  | readonly [Shape]
  | { readonly [field: string]: Shape }
  | { readonly anyOf: readonly Shape[] };

const STRINGS: Shape = ["string"];
const FILE_STAT: Shape = { anyOf: [{ dev: "string", ino: "string", mode: "number" }, { error: "string" }] };

const SNAPSHOT: Shape = {
  collectedAt: "string",
  host: {
    hostname: "string",
    kernelRelease: "string",
    usrMerged: "boolean",
    packageManager: "string|null",
    "initSystem?": "string",
  },
  scanner: { pid: "number", uid: "number", ownProcessesOnly: "boolean" },
  processes: [
    {
      pid: "number",
      view: "string",
      exe: "string|null",
      maps: [{ path: "string", deleted: "boolean", dev: "string", inode: "string", exec: "boolean" }],
      fds: [{ fd: "number", path: "string", deleted: "boolean", inode: "string|null", mode: "number|null" }],
      details: {
        anyOf: [
          "null",
          { comm: "string", ppid: "number", uid: "number", startTime: "string", cgroup: "string|null" },
        ],
      },
    },
  ],
  views: { "*": { "*": FILE_STAT } },
  packages: {
    anyOf: [
      "null",
      {
        manager: "string",
        owners: { "*": STRINGS },
        packages: {
          "*": {
            name: "string",
            arch: "string|null",
            version: "string|null",
            previousVersion: "string|null",
            upgradedAt: "string|null",
          },
        },
        "initScripts?": { "*": STRINGS },
      },
    ],
  },
  "reboot?": {
    kernel: {
      runningRelease: "string|null",
      runningBuild: "string|null",
      images: ["object"],
      moduleReleases: STRINGS,
      livepatches: [{ name: "string", enabled: "boolean" }],
      livepatchSupported: "boolean",
    },
    microcode: { status: "string" },
    flags: [{ file: "string", kind: "string", packages: STRINGS }],
    systemdVersion: "number|null",
    container: "string|null",
  },
  warnings: [{ code: "string", "pid?": "number", message: "string" }],
};

/** The first place where `data` does not fit a snapshot ("processes[3].maps[0].inode: …"), or null. */
export function snapshotMisfit(data: unknown): string | null {
  return misfit(data, SNAPSHOT, "");
}

function misfit(value: unknown, shape: Shape, at: string): string | null {
  if (typeof shape === "string") {
    const type = value === null ? "null" : Array.isArray(value) ? "list" : typeof value;
    return shape.split("|").includes(type) ? null : `${at || "the file"}: ${type}, expected ${shape}`;
  }
  if (Array.isArray(shape)) {
    if (!Array.isArray(value)) return misfit(value, "list", at);
    for (let i = 0; i < value.length; i++) {
      const bad = misfit(value[i], shape[0] as Shape, `${at}[${i}]`);
      if (bad !== null) return bad;
    }
    return null;
  }
  if ("anyOf" in shape && Array.isArray(shape.anyOf)) {
    const all = (shape.anyOf as Shape[]).map((s) => misfit(value, s, at));
    return all.includes(null) ? null : all[all.length - 1]!;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return misfit(value, "object", at);
  const fields = shape as { readonly [field: string]: Shape };
  const record = value as Record<string, unknown>;
  if ("*" in fields) {
    for (const [key, v] of Object.entries(record)) {
      const bad = misfit(v, fields["*"]!, `${at}[${JSON.stringify(key)}]`);
      if (bad !== null) return bad;
    }
    return null;
  }
  for (const [name, s] of Object.entries(fields)) {
    const optional = name.endsWith("?");
    const key = optional ? name.slice(0, -1) : name;
    const where = at === "" ? key : `${at}.${key}`;
    if (!(key in record)) {
      if (optional) continue;
      return `${where}: missing`;
    }
    const bad = misfit(record[key], s, where);
    if (bad !== null) return bad;
  }
  return null;
}
