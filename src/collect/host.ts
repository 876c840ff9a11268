/**
 * The Host seam: the only way afterpatch reads the machine. Production uses the real root "/";
 * tests point it at a captured fixture tree (like node_exporter's --path.procfs). Every path is a
 * byte string and is handed to the kernel as bytes, never re-encoded as UTF-8.
 */
import {
  closeSync,
  fstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  readSync,
  statSync,
} from "node:fs";
import type { ByteString } from "../model/bytes.js";

export interface FileInfo {
  dev: string;
  ino: string;
  mode: number;
}

export interface Host {
  /** "/" in production. */
  readonly root: string;
  /** Whole file as a byte string. Throws a Node error (with .code) on failure. */
  readText(path: ByteString): ByteString;
  /** The uid that owns the file (for /proc/PID: the process's effective uid). */
  owner(path: ByteString): number;
  readBuffer(path: ByteString): Buffer;
  /**
   * Whole file as a view of one shared buffer that the next read*() call overwrites: for files
   * that are searched once and dropped (dpkg's hundreds of .list files), it allocates nothing.
   */
  readTransient(path: ByteString): Buffer;
  readlink(path: ByteString): ByteString;
  readdir(path: ByteString): string[];
  /** stat(), following links; null when nothing is there (ENOENT). dev is "major:minor" in hex, as in maps. */
  stat(path: ByteString): FileInfo | null;
}

export function realHost(root = "/"): Host {
  const prefix = root === "/" ? "" : root.replace(/\/+$/, "");
  const at = (path: ByteString): Buffer => Buffer.from(prefix + path, "latin1");
  return {
    root,
    readText: (path) => {
      const len = readWhole(at(path));
      return shared.toString("latin1", 0, len);
    },
    readTransient: (path) => {
      // Read first: readWhole() may replace `shared` with a bigger buffer.
      const len = readWhole(at(path));
      return shared.subarray(0, len);
    },
    owner: (path) => statSync(at(path)).uid,
    readBuffer: (path) => readFileSync(at(path)),
    readlink: (path) => readlinkSync(at(path), { encoding: "buffer" }).toString("latin1"),
    readdir: (path) => readdirSync(at(path), { encoding: "latin1" }),
    stat: (path) => {
      // Most misses are ENOENT: answered without building an Error (that costs more than the stat).
      const s = statSync(at(path), { bigint: true, throwIfNoEntry: false });
      if (s === undefined) return null;
      return { dev: formatDev(s.dev), ino: s.ino.toString(), mode: Number(s.mode) };
    },
  };
}

// /proc files report size 0, so readFileSync() grows a fresh buffer for each; one shared buffer
// read with open/read/close is markedly cheaper over thousands of maps files, and makes no garbage.
let shared = Buffer.allocUnsafe(256 * 1024);

const SHARED_SIZE = 256 * 1024;

/** Reads a whole file into `shared` (growing it as needed) and returns its length. */
function readWhole(path: Buffer): number {
  // A big file (some packages list 4 MB of paths) grew the buffer last time: let that go.
  if (shared.length > 4 * SHARED_SIZE) shared = Buffer.allocUnsafe(SHARED_SIZE);
  const fd = openSync(path, "r");
  try {
    let len = 0;
    for (;;) {
      if (len === shared.length) {
        // Regular files know their size (so one allocation will do); /proc files say 0.
        const size = fstatSync(fd).size;
        const bigger = Buffer.allocUnsafe(Math.max(shared.length * 2, size + 4096));
        shared.copy(bigger, 0, 0, len);
        shared = bigger;
      }
      const n = readSync(fd, shared, len, shared.length - len, null);
      // Read to the end: a /proc seq_file returns about a page per read(), whatever was asked.
      if (n === 0) break;
      len += n;
    }
    return len;
  } finally {
    closeSync(fd);
  }
}

/** Linux's new_decode_dev(): the st_dev encoding back to "major:minor" as maps prints it (%02x:%02x). */
export function formatDev(dev: bigint): string {
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  return `${major.toString(16).padStart(2, "0")}:${minor.toString(16).padStart(2, "0")}`;
}

/** The errno name of a failed host call, e.g. "ENOENT"; "EUNKNOWN" for anything without one. */
export function errorCode(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "EUNKNOWN";
}
