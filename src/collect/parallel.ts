/**
 * The pass over /proc on two threads. Reading maps is kernel work that locks only the process
 * being read, so it scales with cores; on the 2-core machines that run most servers' checks a
 * second thread nearly halves the scan. Threads take the next PID from one shared atomic counter,
 * so neither waits for the other, whatever the mix of cheap and expensive processes.
 *
 * The worker runs this same bundle (see cli/main.ts): no code is loaded from anywhere else.
 * If it fails, the scan is done again on this thread alone: a slow answer beats a wrong one.
 */
import { Worker } from "node:worker_threads";
import { lazy } from "../lazy.js";
import type { Warning } from "../model/warning.js";
import { type Host, realHost } from "./host.js";
import { emptyScan, listPids, type ProcessScan, type ScanOptions, scanPids } from "./processes.js";
import { gatherRebootFacts } from "./reboot-facts.js";

const os = lazy<typeof import("node:os")>("node:os");

/** CPUs this process may use (availableParallelism is Node 18.14+; older 18s count them). */
function cores(): number {
  const { availableParallelism, cpus } = os();
  return typeof availableParallelism === "function" ? availableParallelism() : cpus().length;
}

/**
 * Below this many processes a thread costs more than it saves. Measured on 2 cores (hyperfine, 40
 * runs): at ~1070 processes one thread and two took the same time (169.7 vs 171.1 ms) and one
 * thread 20 % less CPU; at ~2070, two threads were 7 % faster (259.8 vs 278.3 ms).
 */
const MIN_PIDS_FOR_WORKER = 1500;

export const WORKER_TAG = "afterpatch-scan";

export interface WorkerJob {
  tag: typeof WORKER_TAG;
  root: string;
  pids: number[];
  counter: SharedArrayBuffer;
  opts: ScanOptions;
  /** Gather the reboot facts first: the shared counter gives the main thread more PIDs meanwhile. */
  reboot: boolean;
}

export interface ParallelOptions extends ScanOptions {
  /**
   * Called with this thread's share of the scan while the worker finishes its own: work that
   * needs a scan (the package lookup) can start there instead of after both.
   */
  whileWaiting?: (ours: ProcessScan) => void;
  /** Also gather the reboot facts (ProcessScan.reboot), on the worker when there is one. */
  reboot: boolean;
  /** The script a worker thread runs (the bundle itself); null to stay on one thread. */
  workerScript: string | null;
  /** Start the worker from this many processes on (default MIN_PIDS_FOR_WORKER; tests force it). */
  minPidsForWorker?: number;
}

/** The worker reads the same root through its own realHost(host.root). */
export async function scanProcesses(host: Host, opts: ParallelOptions): Promise<ProcessScan> {
  const warnings: Warning[] = [];
  const pids = listPids(host, opts.selfPid, warnings);
  if (pids === null) return { ...emptyScan(), warnings };
  const scanOpts: ScanOptions = { selfPid: opts.selfPid, isRoot: opts.isRoot, everything: opts.everything };
  const alone = (): ProcessScan => {
    let i = 0;
    const scan = scanPids(host, pids, () => (i < pids.length ? i++ : -1), scanOpts);
    return opts.reboot ? { ...scan, reboot: gatherRebootFacts(host) } : scan;
  };

  const min = opts.minPidsForWorker ?? MIN_PIDS_FOR_WORKER;
  if (opts.workerScript === null || pids.length < min || cores() < 2) return { ...alone(), threads: 1 };

  const counter = new SharedArrayBuffer(4);
  const next = claimer(counter, pids.length);
  const job: WorkerJob = {
    tag: WORKER_TAG,
    root: host.root,
    pids,
    counter,
    opts: scanOpts,
    reboot: opts.reboot,
  };
  const worker = new Worker(opts.workerScript, {
    workerData: job,
    env: {},
    argv: [],
    stdout: true,
    stderr: true,
  });
  const theirs = new Promise<ProcessScan | null>((resolve) => {
    worker.once("message", (m: string) => resolve(JSON.parse(m) as ProcessScan));
    worker.once("error", () => resolve(null));
    worker.once("exit", () => resolve(null));
  });
  const ours = scanPids(host, pids, next, scanOpts);
  opts.whileWaiting?.(ours);
  const other = await theirs;
  void worker.terminate();
  return other === null ? { ...alone(), threads: 1 } : { ...merge(ours, other), threads: 2 };
}

/**
 * The worker thread's side: the reboot facts first (if asked; meanwhile the main thread takes
 * more PIDs from the counter), then PIDs until the counter runs out; the result is posted as JSON
 * text (the objects JSON.parse builds on the other side are faster to analyse than clones).
 */
export function runScanWorker(job: WorkerJob, post: (json: string) => void): void {
  const next = claimer(job.counter, job.pids.length);
  const host = realHost(job.root);
  const reboot = job.reboot ? gatherRebootFacts(host) : undefined;
  const scan = scanPids(host, job.pids, next, job.opts);
  post(JSON.stringify(reboot === undefined ? scan : { ...scan, reboot }));
}

/** The next index into the PID list from the counter both threads share, -1 when none is left. */
function claimer(counter: SharedArrayBuffer, length: number): () => number {
  const cursor = new Int32Array(counter);
  return () => {
    const i = Atomics.add(cursor, 0, 1);
    return i < length ? i : -1;
  };
}

function merge(a: ProcessScan, b: ProcessScan): ProcessScan {
  const views = { ...a.views };
  for (const [key, stats] of Object.entries(b.views)) views[key] = { ...stats, ...views[key] };
  return {
    processes: [...a.processes, ...b.processes].sort((x, y) => x.pid - y.pid),
    views,
    warnings: [...a.warnings, ...b.warnings].sort((x, y) => (x.pid ?? 0) - (y.pid ?? 0)),
    denied: a.denied + b.denied,
    ...((a.reboot ?? b.reboot) ? { reboot: (a.reboot ?? b.reboot)! } : {}),
  };
}
