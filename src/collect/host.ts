/**
 * The Host seam: the only way afterpatch reads the machine. Production uses the real root "/";
 * tests point it at a captured fixture tree (like node_exporter's --path.procfs). Every path is a
 * byte string and is handed to the kernel as bytes, never re-encoded as UTF-8.
 */
import {
  closeSync,
  fstatSync,
  openSync,
  read,
  readdirSync,
  readFileSync,
  readlinkSync,
  readSync,
  statSync,
} from "node:fs";
import { lazy } from "../lazy.js";
import type { ByteString } from "../model/bytes.js";

export interface FileInfo {
  dev: string;
  ino: string;
  mode: number;
}

export interface Host {
  /** "/" in production. */
  readonly root: string;
  /**
   * Whole file as a byte string. Throws a Node error (with .code) on failure. `end` may tell from
   * a read() that the file is whole, sparing the last read() (the one that returns 0).
   */
  readText(path: ByteString, end?: ReadEnd): ByteString;
  /** The uid that owns the file (for /proc/PID: the process's effective uid). */
  owner(path: ByteString): number;
  readBuffer(path: ByteString): Buffer;
  /**
   * At most the first `bytes` bytes of a file (fewer when it is shorter), in a fresh Buffer: for
   * kernel image headers, where the whole file (tens of MiB) is not needed. Throws like readBuffer.
   */
  readHead(path: ByteString, bytes: number): Buffer;
  /**
   * Whole file as a view of one shared buffer that the next read*() call overwrites: for files
   * that are searched once and dropped (dpkg's hundreds of .list files), it allocates nothing.
   */
  readTransient(path: ByteString): Buffer;
  readlink(path: ByteString): ByteString;
  /**
   * readText() with the reads on libuv's thread pool. The file is opened now: when that fails, the
   * errno name is returned and `done` is never called; otherwise null, and `done` is called later,
   * on this thread, with the text or the failed read's errno name (and ""). Optional: where a host
   * lacks it, the scan reads synchronously (see collect/read-ahead.ts).
   */
  readTextLater?(path: ByteString, done: Later, end?: ReadEnd): string | null;
  readdir(path: ByteString): string[];
  /** stat(), following links; null when nothing is there (ENOENT). dev is "major:minor" in hex, as in maps. */
  stat(path: ByteString): FileInfo | null;
  /**
   * Runs one of the fixed programs in RUNNABLE_PROGRAMS (see there) with `args` as separate argv
   * elements: no shell, an empty environment, stdin closed, a timeout and bounded output. Throws for a
   * program not on the list, or when it cannot be started at all (ENOENT, EACCES). `status` is null
   * when the program was killed (timeout) or its output overflowed the bound; `error` then names why.
   */
  run(program: string, args: readonly string[], opts?: RunOptions): RunResult;
}

/** The callback of readTextLater(): an errno name (and "") or null and the text. */
export type Later = (code: string | null, text: ByteString) => void;

/**
 * Whether the bytes read so far (`len` in `buf`, `got` of them by a read() that asked for `asked`)
 * are the whole file. /proc files say size 0, so without this a read() that returns 0 ends each.
 */
export type ReadEnd = (buf: Buffer, len: number, got: number, asked: number) => boolean;

/**
 * For /proc files the kernel prints as one record (single_open(): /proc/PID/stat, cgroup): the
 * first read() with room for all of it returns all of it, so a short read is the end.
 */
export const oneRecord: ReadEnd = (_buf, _len, got, asked) => got < asked;

export interface RunOptions {
  /** Default 30 s. */
  timeoutMs?: number;
}

export interface RunResult {
  status: number | null;
  stdout: Buffer;
  stderr: Buffer;
  /** "ETIMEDOUT", "ENOBUFS", a signal name, …; null when the program exited by itself. */
  error: string | null;
}

/**
 * The only programs afterpatch ever starts to read the host, by absolute path. It runs as root over
 * data other users control (process maps, file names), so nothing derived from a scanned process may
 * choose what runs: the program is a constant from this list, never looked up in $PATH; arguments go
 * to execve() one by one, never through a shell; the environment is empty, so no LD_PRELOAD, HOME
 * (~/.rpmmacros) or locale of the caller reaches the child. Reading a file is always preferred: this
 * exists for the rpm database, a binary format (sqlite, Berkeley DB, ndb) only rpm itself can read.
 * This is the only place in src/ that spawns a process while collecting.
 */
export const RUNNABLE_PROGRAMS: readonly string[] = ["/usr/bin/rpm", "/bin/rpm"];

const RUN_TIMEOUT_MS = 30_000;
const RUN_MAX_BUFFER = 64 * 1024 * 1024;

export function runProgram(program: string, args: readonly string[], opts: RunOptions = {}): RunResult {
  if (!RUNNABLE_PROGRAMS.includes(program)) {
    throw new Error(`refusing to run ${JSON.stringify(program)}: not an allowed program`);
  }
  const r = childProcess().spawnSync(program, args, {
    env: {},
    shell: false,
    cwd: "/",
    timeout: opts.timeoutMs ?? RUN_TIMEOUT_MS,
    killSignal: "SIGKILL",
    maxBuffer: RUN_MAX_BUFFER,
    stdio: ["ignore", "pipe", "pipe"],
    windowsHide: true,
  });
  const stdout = r.stdout ?? Buffer.alloc(0);
  const stderr = r.stderr ?? Buffer.alloc(0);
  if (r.error !== undefined) {
    const code = errorCode(r.error);
    // Started but stopped by us (timeout, output bound): report; not started at all: throw.
    if (code !== "ETIMEDOUT" && code !== "ENOBUFS") throw r.error;
    return { status: null, stdout, stderr, error: code };
  }
  return { status: r.status, stdout, stderr, error: r.status === null ? (r.signal ?? "killed") : null };
}

export function realHost(root = "/"): Host {
  const prefix = root === "/" ? "" : root.replace(/\/+$/, "");
  // A byte string goes to the kernel as its bytes: as a latin1 Buffer, since Node would send a
  // string as UTF-8. An ASCII path (every /proc path we build) is the same bytes either way, and
  // skipping the Buffer is measurably cheaper over the thousands of calls of a scan.
  const at = (path: ByteString): Buffer | string => {
    const full = prefix + path;
    return NOT_ASCII.test(full) ? Buffer.from(full, "latin1") : full;
  };
  return {
    root,
    readText: (path, end) => {
      const len = readWhole(at(path), end);
      return shared.toString("latin1", 0, len);
    },
    readTransient: (path) => {
      // Read first: readWhole() may replace `shared` with a bigger buffer.
      const len = readWhole(at(path));
      return shared.subarray(0, len);
    },
    owner: (path) => statSync(at(path)).uid,
    readBuffer: (path) => readFileSync(at(path)),
    readHead: (path, bytes) => readHead(at(path), bytes),
    readlink: (path) => readlinkSync(at(path), { encoding: "latin1" }),
    readTextLater: (path, done, end) => readWholeLater(at(path), done, end),
    readdir: (path) => readdirSync(at(path), { encoding: "latin1" }),
    stat: (path) => {
      // Most misses are ENOENT: answered without building an Error (that costs more than the stat).
      const s = statSync(at(path), { bigint: true, throwIfNoEntry: false });
      if (s === undefined) return null;
      // Node's bigint stats are signed 64-bit: an inode with bit 63 set (overlayfs xino) would come
      // back negative, where maps prints it unsigned.
      return {
        dev: formatDev(BigInt.asUintN(64, s.dev)),
        ino: BigInt.asUintN(64, s.ino).toString(),
        mode: Number(s.mode),
      };
    },
    run: runProgram,
  };
}

const NOT_ASCII = /[\x80-\uffff]/;

// /proc files report size 0, so readFileSync() grows a fresh buffer for each; one shared buffer
// read with open/read/close is markedly cheaper over thousands of maps files, and makes no garbage.
let shared = Buffer.allocUnsafe(256 * 1024);

const SHARED_SIZE = 256 * 1024;

/** Reads a whole file into `shared` (growing it as needed) and returns its length. */
function readWhole(path: Buffer | string, end?: ReadEnd): number {
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
      const asked = shared.length - len;
      const n = readSync(fd, shared, len, asked, null);
      // Read to the end: a /proc seq_file returns about a page per read(), whatever was asked.
      if (n === 0) break;
      len += n;
      if (end?.(shared, len, n, asked)) break;
    }
    return len;
  } finally {
    closeSync(fd);
  }
}

// Buffers of the reads in flight on the thread pool, each used by one read at a time.
const LATER_SIZE = 64 * 1024;
const spareBuffers: Buffer[] = [];

/** readWhole() with each read() on the thread pool (see Host.readTextLater). */
function readWholeLater(path: Buffer | string, done: Later, end?: ReadEnd): string | null {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    return errorCode(e);
  }
  let buf = spareBuffers.pop() ?? Buffer.allocUnsafe(LATER_SIZE);
  let len = 0;
  let asked = buf.length;
  const finish = (code: string | null): void => {
    closeSync(fd);
    const text = code === null ? buf.toString("latin1", 0, len) : "";
    if (buf.length === LATER_SIZE) spareBuffers.push(buf);
    done(code, text);
  };
  const step = (e: NodeJS.ErrnoException | null, n: number): void => {
    if (e !== null || n === 0 || end?.(buf, len + n, n, asked)) {
      if (e === null) len += n;
      finish(e === null ? null : errorCode(e));
      return;
    }
    len += n;
    if (len === buf.length) {
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, 0, len);
      buf = bigger;
    }
    asked = buf.length - len;
    read(fd, buf, len, asked, null, step);
  };
  read(fd, buf, 0, asked, null, step);
  return null;
}

function readHead(path: Buffer | string, bytes: number): Buffer {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(bytes);
    let len = 0;
    while (len < bytes) {
      const n = readSync(fd, buf, len, bytes - len, null);
      if (n === 0) break;
      len += n;
    }
    return buf.subarray(0, len);
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

const childProcess = lazy<typeof import("node:child_process")>("node:child_process");

/**
 * The host, with each whole file's text read at most once: the package database's files are read
 * by the owner lookup and again by the init-script search (dpkg's status file), and the database
 * is read once per check. A read with an `end` rule, or one that fails, is not kept.
 */
export function readingOnce(host: Host): Host {
  const texts = new Map<ByteString, ByteString>();
  const once: Host = Object.create(host);
  once.readText = (path, end) => {
    if (end !== undefined) return host.readText(path, end);
    let text = texts.get(path);
    if (text === undefined) {
      text = host.readText(path);
      texts.set(path, text);
    }
    return text;
  };
  return once;
}

/** A regular file (following links)? False for anything absent or unreadable. */
export function isFile(host: Host, path: ByteString): boolean {
  return fileType(host, path) === 0o100000;
}

/** A directory (following links)? False for anything absent or unreadable. */
export function isDir(host: Host, path: ByteString): boolean {
  return fileType(host, path) === 0o040000;
}

function fileType(host: Host, path: ByteString): number | null {
  try {
    const st = host.stat(path);
    return st === null ? null : st.mode & 0o170000;
  } catch {
    return null;
  }
}

/** /bin and /lib are links into /usr: a path may be spelled either way (by the kernel or a package). */
export function isUsrMerged(host: Host): boolean {
  const link = (path: string) => {
    try {
      host.readlink(path);
      return true;
    } catch {
      return false;
    }
  };
  return link("/lib") && link("/bin");
}

/** The errno name of a failed host call, e.g. "ENOENT"; "EUNKNOWN" for anything without one. */
export function errorCode(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "EUNKNOWN";
}
