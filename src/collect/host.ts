/**
 * The Host seam: the only way afterpatch reads the machine. Production uses the real root "/";
 * tests point it at a captured fixture tree (like node_exporter's --path.procfs). Every path is a
 * byte string and is handed to the kernel as bytes, never re-encoded as UTF-8.
 */
import { readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
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
  readBuffer(path: ByteString): Buffer;
  readlink(path: ByteString): ByteString;
  readdir(path: ByteString): string[];
  /** stat(), following links. dev is "major:minor" in hex, as in /proc/PID/maps. */
  stat(path: ByteString): FileInfo;
}

export function realHost(root = "/"): Host {
  const prefix = root === "/" ? "" : root.replace(/\/+$/, "");
  const at = (path: ByteString): Buffer => Buffer.from(prefix + path, "latin1");
  return {
    root,
    readText: (path) => readFileSync(at(path)).toString("latin1"),
    readBuffer: (path) => readFileSync(at(path)),
    readlink: (path) => readlinkSync(at(path), { encoding: "buffer" }).toString("latin1"),
    readdir: (path) => readdirSync(at(path), { encoding: "latin1" }),
    stat: (path) => {
      const s = statSync(at(path), { bigint: true });
      return { dev: formatDev(s.dev), ino: s.ino.toString(), mode: Number(s.mode) };
    },
  };
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
