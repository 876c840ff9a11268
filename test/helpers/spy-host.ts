/**
 * realHost(root) that records every file read (readText, readBuffer, readTransient, readdir) and can
 * pretend some files are missing or read differently: for tests of what a package-database adapter
 * reads, and how often.
 */
import { type Host, realHost } from "../../src/collect/host.js";

export interface SpyOptions {
  /** Paths that answer ENOENT (and stat() null). */
  missing?: string[];
  /** Paths whose text is edited on the way. */
  text?: Record<string, (real: string) => string>;
}

export function spyHost(root: string, opts: SpyOptions = {}): { host: Host; reads: string[] } {
  // Without the thread-pool read: every read goes through the recording methods below.
  const { readTextLater: _, ...base } = realHost(root);
  const reads: string[] = [];
  const enoent = (path: string) => Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" });
  const guard = (path: string) => {
    reads.push(path);
    if (opts.missing?.includes(path)) throw enoent(path);
  };
  const host: Host = {
    ...base,
    readText: (path) => {
      guard(path);
      const edit = opts.text?.[path];
      return edit === undefined ? base.readText(path) : edit(base.readText(path));
    },
    readBuffer: (path) => {
      guard(path);
      return base.readBuffer(path);
    },
    readTransient: (path) => {
      guard(path);
      return base.readTransient(path);
    },
    readdir: (path) => {
      guard(path);
      return base.readdir(path);
    },
    stat: (path) => (opts.missing?.includes(path) ? null : base.stat(path)),
  };
  return { host, reads };
}
