/**
 * Which processes can run code from a file they hold open, as data. Most programs map their code
 * (and maps shows it); a few interpreters read it through a descriptor they keep open: a shell
 * reads its script as it goes (bash keeps fd 255), perl keeps the script open, and a JVM reads
 * classes from the jars it holds open. Only for these are descriptors examined: listing and
 * resolving every descriptor of every process would cost more than reading every memory map, for
 * files that cannot be running code.
 *
 * Matched against the files a process maps with execute permission (from the kernel, not from
 * anything the process says about itself), anchored on the file name.
 */
import type { FileMapping } from "../model/snapshot.js";

export interface FdReader {
  name: string;
  reason: string;
  path: RegExp;
}

export const FD_READERS: readonly FdReader[] = [
  {
    name: "shell",
    reason: "shells read their script through an open descriptor while it runs",
    path: /^\/(?:.*\/)?(?:ba|da|k|mk|pdk|z|c|tc|ya|fi|po|a)?sh(?:[.-][0-9.]+)?$|^\/(?:.*\/)?busybox$/s,
  },
  {
    name: "perl",
    reason: "perl keeps its script open, to read the data that follows its code",
    path: /^\/(?:.*\/)?(?:perl(?:[0-9.]+)?|libperl\.so(?:\.[0-9.]+)?)$/s,
  },
  {
    name: "jvm",
    reason: "a Java virtual machine reads classes from the jar files it holds open",
    path: /^\/(?:.*\/)?libjvm\.so$/s,
  },
];

/** The fd-reader rule that applies to a process, judged by the code it maps; null for most processes. */
export function fdReaderOf(maps: readonly FileMapping[]): FdReader | null {
  for (const m of maps) {
    if (!m.exec) continue;
    for (const r of FD_READERS) if (r.path.test(m.path)) return r;
  }
  return null;
}
