/**
 * Ignore rules: deleted or replaced files that are not "replaced code", as data. Each rule has a
 * name (shown by --explain and in JSON `ignored[].rule`) and the reason it exists. Path patterns are
 * anchored at both ends: a rule never matches a path by accident of a substring.
 *
 * Rules are checked in order; the first that matches names the hit. Path rules come before the
 * "is it code?" rules so that the most specific reason is the one shown.
 */
import type { ByteString } from "../model/bytes.js";
import type { StaleKind } from "../model/report.js";

export interface IgnoreRule {
  name: string;
  reason: string;
  /** Which kinds of hit the rule looks at; all when absent. */
  kinds?: readonly StaleKind[];
  /** Matched against the path without the kernel's " (deleted)" mark. */
  path: RegExp;
}

export const PATH_RULES: readonly IgnoreRule[] = [
  {
    name: "memfd",
    reason: "memfd_create() memory has no file on disk; the kernel always marks it deleted",
    // The name after "memfd:" is chosen by the process and may contain "/": match all of it.
    // Only root can create a real /memfd:… directory at the root of the filesystem.
    path: /^\/memfd:.*$/s,
  },
  {
    name: "dev-zero",
    reason: "shared anonymous memory (MAP_SHARED|MAP_ANONYMOUS) shows as a deleted /dev/zero",
    path: /^\/dev\/zero$/,
  },
  {
    name: "sysv-shm",
    reason: "System V shared memory segments show as deleted /SYSV<key> files",
    path: /^\/SYSV[0-9a-f]{8}$/,
  },
  {
    name: "aio",
    reason: "the kernel's asynchronous I/O ring shows as a deleted /[aio] file",
    path: /^\/\[aio\]$/,
  },
  {
    name: "anon-hugepage",
    reason: "anonymous huge-page memory (MAP_HUGETLB) shows as a deleted /anon_hugepage file",
    path: /^\/anon_hugepage$/,
  },
  {
    name: "drm",
    reason: "GPU buffer objects (DRM/GEM, dma-buf) are memory, not files from a package",
    path: /^\/(?:drm mm object|i915|dmabuf:[^/]*|dev\/dri\/[^/]+)$/s,
  },
  {
    name: "dev-shm",
    reason: "/dev/shm holds POSIX shared memory and scratch files that programs unlink on purpose",
    path: /^\/dev\/shm\/.*$/s,
  },
  {
    name: "tmp",
    reason:
      "temporary files: programs create, map and unlink them on purpose; packages install nothing there",
    path: /^\/(?:var\/)?tmp\/.*$/s,
  },
  {
    name: "run",
    reason: "runtime state under /run is created by programs, not installed by packages",
    path: /^\/(?:var\/)?run\/.*$/s,
  },
  {
    name: "libffi",
    reason: "libffi maps closure trampolines from temporary files named ffiXXXXXX, wherever it can write",
    path: /^\/(?:.*\/)?ffi[A-Za-z0-9]{6}$/s,
  },
  {
    name: "var-log",
    reason: "log files are rotated and deleted while programs still hold them open",
    path: /^\/var\/log\/.*$/s,
  },
];

export const DATA_MAPPING_RULE = {
  name: "data-mapping",
  reason: "mapped without execute permission: the process reads data from it, it does not run it",
} as const;

export const DATA_FILE_RULE = {
  name: "data-file",
  reason: "an open file that is not code (no execute bit, not a library or archive of classes)",
} as const;

/** Files held open (not mapped) that are still code: libraries and Java archives. */
const CODE_FILE_NAME = /^(?:.*\/)?[^/]*(?:\.so(?:\.[0-9]+)*|\.jar|\.war|\.ear)$/s;

export function matchPathRule(path: ByteString, kind: StaleKind): IgnoreRule | null {
  for (const rule of PATH_RULES) {
    if (rule.kinds !== undefined && !rule.kinds.includes(kind)) continue;
    if (rule.path.test(path)) return rule;
  }
  return null;
}

/** Whether an open (not mapped) file is code: an executable regular file, a library or a jar. */
export function isCodeFile(path: ByteString, mode: number | null): boolean {
  if (mode !== null && (mode & 0o111) !== 0) return true;
  return CODE_FILE_NAME.test(path);
}
