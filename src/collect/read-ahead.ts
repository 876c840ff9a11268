/**
 * Read-ahead for the pass over /proc. Reading a maps file is kernel work (~35 µs a process on a
 * small VM, most of the pass), and the main thread's judging is the rest: so while this thread
 * judges one process, libuv's thread pool reads the maps files of the next ones, and this thread
 * takes the finished reads whenever the scan yields to the event loop. On 2 cores that overlaps
 * the two halves of the work; unlike a worker thread it costs no second JavaScript heap, compiler
 * or start-up (bench/README.md, "Read-ahead").
 *
 * Only the maps file is read ahead: everything else a process needs (its namespace link, and its
 * details when it has something to report) is read after its map, by the judge, as before.
 */

import { lazy } from "../lazy.js";
import type { ByteString } from "../model/bytes.js";
import type { Host, Later, ReadEnd } from "./host.js";

/** A maps file read ahead: its text, or the errno name of the failed read (and ""). */
export interface EarlyMaps {
  code: string | null;
  text: ByteString;
}

/**
 * Reads in flight at once, and processes judged between two looks at the event loop. Measured on
 * 2 cores, ~1000 processes, in a prototype that read and parsed every maps file: depth 32 and a
 * look every 4 processes took a third off its time; depth 4, or a look every 32, lost most of
 * that gain, and depths up to 256 or looks every 1–8 were no better in afterpatch itself.
 */
export const DEPTH = 32;
export const YIELD_EVERY = 4;

/**
 * Reads are started again only once this few are left in flight, then up to DEPTH at once. The
 * pool reads faster than this thread judges, so it empties its queue and sleeps: topping up one
 * read per finished one woke it for nearly every file (a futex wake-up, and lock hand-offs, on this
 * thread each time). In batches it wakes about once per batch: at 3000 processes the context
 * switches fell from ~1370 to ~440 a run, and the run took ~5 % less time.
 */
export const REFILL_AT = DEPTH / 2;

const os = lazy<typeof import("node:os")>("node:os");

/**
 * Whether a read-ahead can help here (a second core), and if so sizes libuv's thread pool first:
 * one thread per core beyond this one, up to libuv's default of 4. On 2 cores a second pool
 * thread only takes turns with the first and with this thread (measured slower). libuv reads the
 * variable when the pool starts, which the read-ahead is the first to make it do; an operator's
 * own setting is kept.
 */
export function useReadAhead(): boolean {
  const { availableParallelism, cpus } = os();
  // availableParallelism() is Node 18.14+; older 18s count the CPUs.
  const cores = typeof availableParallelism === "function" ? availableParallelism() : cpus().length;
  if (cores < 2) return false;
  process.env.UV_THREADPOOL_SIZE ??= String(Math.min(4, cores - 1));
  return true;
}

export class ReadAhead {
  private inflight = 0;
  private failure: unknown = null;
  private whenIdle: (() => void) | null = null;

  private constructor(
    private readonly readLater: (path: ByteString, done: Later) => string | null,
    private readonly next: () => number,
    private readonly pathOf: (pid: number) => ByteString,
    private readonly judge: (pid: number, maps: EarlyMaps) => void,
  ) {}

  /**
   * Starts reading the maps files (`pathOf`, read as far as `end` says) of the PIDs `next` hands
   * out (-1 when none is left); null when the host cannot read later. `judge` runs on this thread
   * for each finished read; what it throws, drain() throws.
   */
  static start(
    host: Host,
    next: () => number,
    pathOf: (pid: number) => ByteString,
    end: ReadEnd,
    judge: (pid: number, maps: EarlyMaps) => void,
  ): ReadAhead | null {
    const later = host.readTextLater;
    if (later === undefined) return null;
    const ahead = new ReadAhead((path, done) => later.call(host, path, done, end), next, pathOf, judge);
    ahead.fill();
    return ahead;
  }

  /** Lets the finished reads in: their judging runs before this resolves. */
  pause(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
  }

  /** Resolves when no read is in flight; rejects with what a judge threw. */
  async drain(): Promise<void> {
    if (this.inflight > 0) await new Promise<void>((resolve) => (this.whenIdle = resolve));
    if (this.failure !== null) throw this.failure;
  }

  private fill(): void {
    while (this.inflight < DEPTH && this.failure === null) {
      const pid = this.next();
      if (pid === -1) return;
      this.inflight++;
      const code = this.readLater(this.pathOf(pid), (code, text) => this.finished(pid, { code, text }));
      // Not even opened (gone, or not ours): judged now, without a turn of the event loop.
      if (code !== null) this.finished(pid, { code, text: "" }, false);
    }
  }

  private finished(pid: number, maps: EarlyMaps, refill = true): void {
    this.inflight--;
    try {
      this.judge(pid, maps);
    } catch (e) {
      this.failure ??= e;
    }
    if (refill && this.inflight <= REFILL_AT) this.fill();
    if (this.inflight === 0) this.whenIdle?.();
  }
}
